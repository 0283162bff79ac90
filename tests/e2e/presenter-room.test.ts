/**
 * The presenter's room end to end, in real Chromium against the real server (Next production
 * build): speaker notes in the presenter view and on a phone used as a remote, and in no byte the
 * audience can receive; the pacing clock's colours (browser clock injected with Playwright's
 * clock); pause and resume kept by the server; the overview grid (G / O / Esc); the one-time
 * remote code; axe-core in every state changed; screenshots at phone and laptop sizes.
 *
 * The tests run in order and share one talk.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from '@playwright/test';
import type { DeckDetail, LiveState } from '../../lib/slideshow/index';
import { type AppProcess } from '../../support/app-process';
import { axeViolations } from '../helpers/axe';
import { collectAudienceBytes, type AudienceBytes } from '../helpers/audience-bytes';
import {
  assertTalkAt, sendLive, deckDetail, docsScreenshot, imagesSettled, openPhone, openPresenter, PHONES, screenshot, startStage, STEP_MS, type Tab, talkFiles, TEST_MS, uploadDeck, waitForPresenterSlide, stopStage,
} from '../../support/slideshow-browser';

const TEST = { timeout: TEST_MS } as const;
/** In every slide's notes: found in the presenter's pages, never in anything the audience gets. */
const MARKER = `NOTESMARK${Math.random().toString(36).slice(2, 10)}`;
const NOTES = (n: number) => `Slide ${n}: greet the room.\nMention the demo (${MARKER}).`;

// One talk through all the steps: each goes on from the slide the one before left, so they run in
// order, one at a time, and the steps that rely on a slide first check the talk is there.
describe('the presenter\'s room: notes, pacing, overview, the phone as a remote', { concurrency: 1 }, () => {
  let app: AppProcess;
  let key: string;
  let browser: Browser;
  let deck: DeckDetail;
  let presenter: Tab;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${app.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers } });
  const command = async (body: object) => (await sendLive(app.url, key, body)) as LiveState;
  const notesShown = (page: Page) => page.getByTestId('speaker-notes');

  before(async () => {
    ({ app, key, browser } = await startStage());
    const summary = await uploadDeck(app.url, key, (await talkFiles()).slice(0, 6), 'Room talk');
    for (const n of [1, 2, 3, 4, 5, 6]) await api(`/api/decks/${summary.id}/slides/${n}`, { method: 'PATCH', body: JSON.stringify({ notes: NOTES(n) }) });
    deck = await deckDetail(app.url, key, summary.id);
    await command({ deck: deck.id });
    presenter = await openPresenter(browser, app);
    await waitForPresenterSlide(presenter.page, 1, deck.count);
  }, TEST);

  after(() => stopStage({ app, browser }, 'SIGKILL'), TEST);

  test('the presenter view shows the current slide\'s notes large; the size is remembered; notes are editable', TEST, async () => {
    const page = presenter.page;
    await notesShown(page).getByText('Slide 1: greet the room.').waitFor({ timeout: STEP_MS });
    const size = () => notesShown(page).evaluate((element) => getComputedStyle(element).fontSize);
    const before = await size();
    await page.getByRole('button', { name: /larger notes text/ }).click();
    await page.getByRole('button', { name: /larger notes text/ }).click();
    const larger = await size();
    assert.ok(parseFloat(larger) > parseFloat(before), `${larger} > ${before}`);
    await page.reload();
    await notesShown(page).getByText('Slide 1: greet the room.').waitFor({ timeout: STEP_MS });
    await page.waitForFunction((expected) => getComputedStyle(document.querySelector('[data-testid="speaker-notes"]')!).fontSize === expected, larger, { timeout: STEP_MS });
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Speaker notes for slide 1').fill(`Open with the question.\n${MARKER}`);
    // The talk moves on (another window, a clicker) while the presenter types: nothing typed is lost.
    await command({ step: 1 });
    await waitForPresenterSlide(page, 2, deck.count);
    assert.equal(await page.getByLabel('Speaker notes for slide 1').inputValue(), `Open with the question.\n${MARKER}`);
    await page.getByRole('button', { name: 'Save notes' }).click();
    await notesShown(page).getByText('Slide 2: greet the room.').waitFor({ timeout: STEP_MS });
    const stored = await deckDetail(app.url, key, deck.id);
    assert.equal(stored.slides[0]!.notes, `Open with the question.\n${MARKER}`);
    await page.keyboard.press('ArrowLeft');
    await notesShown(page).getByText('Open with the question.').waitFor({ timeout: STEP_MS });
  });

  test('no audience-visible byte ever contains the notes: pages, chunks, Bayeux, /api/live, images, the room display', TEST, async () => {
    const bytes: AudienceBytes = await collectAudienceBytes(browser, app.url, PHONES.pixel);
    try {
      for (const n of [3, 4, 5]) {
        await command({ slide: n });
        await bytes.waitForSlide(n);
      }
      await command({ pause: true });
      await command({ pause: false });
      await bytes.fetchExtra(['/api/live', '/room', ...deck.slides.slice(0, 5).flatMap((slide) => [slide.src, ...slide.images.map((image) => image.webp)])]);
      const everything = await bytes.all();
      assert.ok(everything.count > 10, `audience responses seen: ${everything.count}`);
      assert.ok(everything.bayeuxMessages > 0, 'Bayeux messages were searched');
      assert.deepEqual(everything.skipped, [], 'every audience page (the phones\' and the room display) was opened and searched');
      assert.equal(everything.text.includes(MARKER), false, `the marker leaked in: ${everything.whereFound(MARKER)}`);
      // The search can find it: the presenter's own page has it.
      assert.ok((await presenter.page.content()).includes(MARKER), 'the presenter page shows the marker');
    } finally {
      await bytes.close();
    }
  });

  test('pacing: remaining time goes amber and red at the right times (browser clock injected)', TEST, async () => {
    await assertTalkAt(app.url, 5, 'pacing');
    const tab = await openPresenter(browser, app);
    try {
      const page = tab.page;
      await page.getByTestId('elapsed').waitFor({ timeout: STEP_MS });
      const fakeStart = Date.now();
      await page.clock.setFixedTime(fakeStart);
      await page.getByRole('button', { name: 'Set target' }).click();
      await page.getByLabel('Minutes the talk should take (1 to 600)').fill('20');
      await page.getByRole('button', { name: 'Set target', exact: true }).last().click();
      await page.getByTestId('remaining').waitFor({ timeout: STEP_MS });
      // The page estimates the server's clock from each fresh change: offset = its `at` minus the
      // (injected) browser time when it arrived, as the page itself computes it.
      let fakeNow = fakeStart;
      let live = (await (await api('/api/live')).json()) as LiveState;
      assert.equal(live.targetMs, 20 * 60_000);
      let offset = live.at - fakeNow;
      const showRemaining = async (remainingMs: number, targetMs: number) => {
        fakeNow = live.startedAt! + (live.pausedMs ?? 0) + targetMs - remainingMs - offset;
        await page.clock.setFixedTime(fakeNow);
      };
      const tone = async (expected: string) => {
        await page.locator(`[data-testid="remaining"][data-tone="${expected}"]`).waitFor({ timeout: STEP_MS }).catch(async (error: Error) => {
          throw new Error(`${error.message}\nshown: ${await page.getByTestId('remaining').textContent()} / ${await page.getByTestId('elapsed').textContent()}`);
        });
      };
      await showRemaining(10 * 60_000, 20 * 60_000);
      await tone('normal');
      await screenshot(page, 'pacing-normal');
      await showRemaining(60_000, 20 * 60_000); // 10 % of 20 min is 2 min, shorter than 5: amber from 2:00
      await tone('warning');
      await screenshot(page, 'pacing-warning');
      await showRemaining(-61_000, 20 * 60_000);
      await tone('over');
      await page.getByTestId('remaining').getByText('-1:01').waitFor({ timeout: STEP_MS });
      await screenshot(page, 'pacing-over');
      await command({ targetMinutes: 60 });
      await page.getByRole('button', { name: 'Target 60 min' }).waitFor({ timeout: STEP_MS });
      live = (await (await api('/api/live')).json()) as LiveState;
      offset = live.at - fakeNow;
      await showRemaining(5.5 * 60_000, 60 * 60_000); // 10 % of 60 min is 6 min: the shorter rule says amber from 5:00
      await tone('normal');
      await showRemaining(4 * 60_000, 60 * 60_000);
      await tone('warning');
      assert.deepEqual(await axeViolations(page), []);
    } finally {
      await tab.context.close();
    }
  });

  test('pause and resume are kept by the server: a reload and a second presenter window agree', TEST, async () => {
    await assertTalkAt(app.url, 5, 'pause and resume');
    const second = await openPresenter(browser, app);
    try {
      const elapsedText = (page: Page) => page.getByTestId('elapsed').locator('[role="timer"]').textContent();
      await presenter.page.getByRole('button', { name: 'Pause', exact: true }).click();
      for (const page of [presenter.page, second.page]) await page.getByTestId('elapsed').getByText('Paused').waitFor({ timeout: STEP_MS });
      await presenter.page.reload();
      await presenter.page.getByTestId('elapsed').getByText('Paused').waitFor({ timeout: STEP_MS });
      const [a, b] = [await elapsedText(presenter.page), await elapsedText(second.page)];
      assert.equal(a, b, 'both windows show the same paused time');
      await second.page.getByRole('button', { name: 'Resume' }).click();
      await presenter.page.getByTestId('elapsed').getByText('Elapsed').waitFor({ timeout: STEP_MS });
      await presenter.page.waitForFunction((was) => document.querySelector('[data-testid="elapsed"] [role="timer"]')?.textContent !== was, a, { timeout: STEP_MS });
    } finally {
      await second.context.close();
    }
  });

  test('the overview opens with G and O, moves with the arrows, jumps with Enter and closes with Esc, focus restored', TEST, async () => {
    await assertTalkAt(app.url, 5, 'the overview');
    const page = presenter.page;
    await waitForPresenterSlide(page, 5, deck.count);
    const dialog = page.getByRole('dialog', { name: `All slides (${deck.count})` });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('g');
    await dialog.waitFor({ timeout: STEP_MS });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), `Go to slide 5: ${deck.slides[4]!.name}`);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'overview-laptop');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await waitForPresenterSlide(page, 3, deck.count);
    await dialog.waitFor({ state: 'hidden', timeout: STEP_MS });
    const opener = page.getByRole('button', { name: /^All slides/ });
    await opener.focus();
    await page.keyboard.press('o');
    await dialog.waitFor({ timeout: STEP_MS });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: STEP_MS });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.startsWith('All slides')), true, 'focus is back on the button that had it');
    await waitForPresenterSlide(page, 3, deck.count);
  });

  test('"Use my phone as a remote": the one-time code signs a phone in once; the phone shows the notes and the sticky controls', TEST, async () => {
    const page = presenter.page;
    await page.getByRole('button', { name: 'Use my phone as a remote' }).click();
    const link = await page.getByTestId('remote-link').getAttribute('href', { timeout: STEP_MS });
    assert.ok(link && !link.includes(key), 'the code is not the presenter key');
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'remote-code-laptop');
    await page.keyboard.press('Escape');
    const phone = await browser.newContext(PHONES.iphone);
    const again = await browser.newContext(PHONES.pixel);
    try {
      const remote = await phone.newPage();
      await remote.goto(link!, { timeout: STEP_MS });
      await remote.waitForURL((url) => url.pathname === '/presenter', { timeout: STEP_MS });
      await waitForPresenterSlide(remote, 3, deck.count);
      await notesShown(remote).getByText('Slide 3: greet the room.').waitFor({ timeout: STEP_MS });
      await imagesSettled(remote);
      await screenshot(remote, 'remote-phone-portrait');
      assert.deepEqual(await axeViolations(remote), []);
      await remote.setViewportSize({ width: 844, height: 390 });
      const bar = remote.getByRole('navigation', { name: 'Slide controls' });
      const box = await bar.getByRole('button', { name: 'Next', exact: true }).boundingBox();
      assert.ok(box && box.y + box.height <= 390, `Next is on screen in landscape: ${JSON.stringify(box)}`);
      await screenshot(remote, 'remote-phone-landscape');
      await bar.getByRole('button', { name: 'Next', exact: true }).tap();
      await waitForPresenterSlide(page, 4, deck.count);
      const reuse = await again.newPage();
      await reuse.goto(link!, { timeout: STEP_MS });
      await reuse.waitForURL((url) => url.pathname === '/sign-in', { timeout: STEP_MS });
      await reuse.getByText('That remote code has been used or has expired').waitFor({ timeout: STEP_MS });
    } finally {
      await Promise.all([phone.close(), again.close()]);
    }
  });

  test('screenshots and axe: the presenter view with notes (phone and laptop), the library\'s notes', TEST, async () => {
    await assertTalkAt(app.url, 4, 'the presenter screenshots');
    const page = presenter.page;
    await page.keyboard.press('ArrowRight');
    await waitForPresenterSlide(page, 5, deck.count);
    await notesShown(page).getByText('Slide 5: greet the room.').waitFor({ timeout: STEP_MS });
    // Focus came back to "Use my phone as a remote" when its dialog closed, scrolling the side
    // column down: show it from the top, as the presenter first sees it.
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      document.querySelector('aside')?.scrollTo(0, 0);
    });
    await imagesSettled(page);
    assert.deepEqual(await axeViolations(page), []);
    await docsScreenshot(await screenshot(page, 'presenter-notes-laptop'), 'presenter-notes');
    const small = await openPresenter(browser, app, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      await notesShown(small.page).getByText('Slide 5: greet the room.').waitFor({ timeout: STEP_MS });
      await imagesSettled(small.page);
      assert.deepEqual(await axeViolations(small.page), []);
      await screenshot(small.page, 'presenter-notes-phone');
      for (const [tab, name] of [[presenter, 'laptop'], [small, 'phone']] as const) {
        await tab.page.goto(`${app.url}/decks`);
        const card = tab.page.getByRole('listitem').filter({ has: tab.page.getByRole('heading', { name: 'Room talk' }) });
        await card.getByRole('button', { name: 'Notes and alt text of Room talk' }).click({ timeout: STEP_MS });
        await tab.page.getByRole('button', { name: 'Edit notes of slide 2' }).click({ timeout: STEP_MS });
        await tab.page.getByLabel('Speaker notes for slide 2').fill(`Library edit ${name}`);
        await tab.page.getByRole('button', { name: 'Save notes' }).click();
        await tab.page.getByText(`Library edit ${name}`).waitFor({ timeout: STEP_MS });
        assert.deepEqual(await axeViolations(tab.page), [], `library notes on the ${name}`);
        await screenshot(tab.page, `library-notes-${name}`);
      }
      assert.equal((await deckDetail(app.url, key, deck.id)).slides[1]!.notes, 'Library edit phone');
    } finally {
      await small.context.close();
    }
  });
});

