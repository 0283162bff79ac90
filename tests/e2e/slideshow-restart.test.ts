/**
 * The server dies mid-talk and comes back, in real Chromium against the real server: SIGKILL (no
 * goodbye to anyone), then a new process on the same port with the same data folder and presenter
 * key. The phones say they are reconnecting, come back to the slide the talk was on by
 * themselves (no reload: a marker set on each page survives and no navigation happens), and follow
 * the presenter's next change; the presenter's window reconnects too.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from '@playwright/test';
import type { DeckDetail } from '../../lib/slideshow/index';
import { startApp, tempDataDir, type AppProcess } from '../../support/app-process';
import {
  PHONES,
  STEP_MS,
  TALK,
  TEST_MS,
  deckDetail,
  launchBrowser,
  markPage,
  openPhone,
  openPresenter,
  pressKey,
  screenshot,
  shownLog,
  shownNow,
  stillMarked,
  talkFiles,
  uploadDeck,
  waitForPhoneImage,
  waitForPhoneSlide,
  waitForPresenterSlide,
  imageUrls,
  type Tab, stopStage,
} from '../../support/slideshow-browser';

const TEST = { timeout: TEST_MS } as const;
/** From the new process listening to every window connected again (the client backs off while the server is away). */
const BACK_MS = 25_000;
const SLIDES = TALK.slice(0, 6);

/** The connection indicator's text ("Connected", "Reconnecting…", …). */
function waitForConnection(page: Page, label: RegExp, ms: number): Promise<void> {
  return page.getByRole('status').filter({ hasText: label }).first().waitFor({ state: 'attached', timeout: ms });
}

describe('the server is killed and restarted mid-talk', () => {
  const dataDir = tempDataDir();
  const key = `restart-${randomBytes(12).toString('hex')}`;
  let app: AppProcess;
  let browser: Browser;
  let deck: DeckDetail;
  let presenter: Tab;
  let phones: Tab[];
  const count = SLIDES.length;

  before(async () => {
    app = await startApp({ SLIDES_DIR: dataDir, PRESENTER_KEY: key });
    browser = await launchBrowser();
    const summary = await uploadDeck(app.url, key, await talkFiles(SLIDES), 'Restart');
    deck = await deckDetail(app.url, key, summary.id);
    [presenter, ...phones] = await Promise.all([
      openPresenter(browser, app),
      openPhone(browser, app.url, PHONES.iphone),
      openPhone(browser, app.url, PHONES.pixel),
    ]);
  }, TEST);

  after(() => stopStage({ app, browser }, 'SIGKILL'), TEST);

  test('the phones come back to the same slide without a reload and follow the next change', TEST, async (t: TestContext) => {
    // The talk is on slide 3.
    const card = presenter.page.getByRole('listitem').filter({ has: presenter.page.getByRole('heading', { name: 'Restart' }) });
    await card.getByRole('button', { name: 'Present' }).click({ timeout: STEP_MS });
    await waitForPresenterSlide(presenter.page, 1, count);
    await presenter.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (const n of [2, 3]) {
      const since = await pressKey(presenter.page, 'ArrowRight');
      await Promise.all(phones.map((phone) => waitForPhoneSlide(phone.page, deck.slides[n - 1]!, count, { since })));
    }
    const seqBefore = ((await (await fetch(`${app.url}/api/live`)).json()) as { seq: number }).seq;

    const pages = [presenter.page, ...phones.map((phone) => phone.page)];
    const markers = await Promise.all(pages.map((page) => markPage(page)));
    const navigations = pages.map(() => 0);
    pages.forEach((page, i) => page.on('framenavigated', (frame) => void (frame === page.mainFrame() && navigations[i]!++)));
    const logLengths = await Promise.all(phones.map(async (phone) => (await shownLog(phone.page)).length));

    // Killed: every window notices and says so.
    const { port } = new URL(app.url);
    const url = app.url;
    await app.stop('SIGKILL');
    await Promise.all(pages.map((page) => waitForConnection(page, /Reconnecting/, STEP_MS)));
    await screenshot(phones[0]!.page, 'audience-iphone-reconnecting');

    // Back on the same port, data folder and key.
    const restartedAt = Date.now();
    app = await startApp({ SLIDES_DIR: dataDir, PRESENTER_KEY: key, PORT: port });
    assert.equal(app.url, url);
    await Promise.all(pages.map((page) => waitForConnection(page, /^Connected$/, BACK_MS)));
    t.diagnostic(`every window connected again ${Date.now() - restartedAt} ms after the restart began`);

    // Same slide, same documents, and nothing else shown in between.
    for (const [i, phone] of phones.entries()) {
      const now = await shownNow(phone.page);
      assert.match(now.text ?? '', /^Slide 3 of 6\./);
      assert.equal(now.src, deck.slides[2]!.src);
      assert.equal((await shownLog(phone.page)).length, logLengths[i], 'the phone never left slide 3');
    }
    await waitForPresenterSlide(presenter.page, 3, count, 1_000);

    // The next change reaches every phone, from the new process.
    const since = await pressKey(presenter.page, 'ArrowRight');
    const shownAt = await Promise.all(phones.map((phone) => waitForPhoneSlide(phone.page, deck.slides[3]!, count, { since })));
    await Promise.all(phones.map((phone) => waitForPhoneImage(phone.page, imageUrls(deck.slides[3]!), since)));
    await waitForPresenterSlide(presenter.page, 4, count);
    t.diagnostic(`after the restart, key press to phones showing slide 4: ${shownAt.map((at) => at - since).join(', ')} ms`);
    const seqAfter = ((await (await fetch(`${app.url}/api/live`)).json()) as { seq: number }).seq;
    assert.ok(seqAfter > seqBefore, `the talk's sequence carries on across the restart (${seqBefore} then ${seqAfter})`);

    for (const [i, page] of pages.entries()) {
      assert.ok(await stillMarked(page, markers[i]!), `window ${i} kept its document`);
      assert.equal(navigations[i], 0, `window ${i} did not navigate`);
    }
  });
});
