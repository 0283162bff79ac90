/**
 * axe-core in every page and every state a person meets, in real Chromium against the real app:
 * sign-in (empty and after a wrong key); the library empty, uploading, with decks, renaming and
 * with an upload error; the presenter view before a talk and live; the audience page waiting,
 * live, browsing back, in a blackout, offline, ended and reconnecting; the room display waiting,
 * live, with the QR up and black. Each state is checked on a phone-sized and a laptop window
 * where both are used, and each must have no violation at all (every rule axe runs by default,
 * best practices included). Also: focus lands on the outcome of an upload and back on Rename after a
 * rename, and the pulsing dots stand still for people who ask for reduced motion.
 *
 * The states are reached in order within one talk, so the tests of this file depend on each
 * other; the last one kills the server to see "Reconnecting…".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from '@playwright/test';
import type { DeckDetail } from '../../lib/slideshow/index';
import { type AppProcess } from '../../support/app-process';
import { axeViolations } from '../helpers/axe';
import { makePdf } from '../helpers/pdf-fixtures';
import {
  assertTalkAt, assertPhoneAt, makeTalkSlide, newContext, openPhone, openPresenter, PHONES, PRESENTER_DESKTOP, startStage, STEP_MS, type Tab, TALK, talkFiles, TEST_MS, uploadDeckDetail, waitForPhoneSlide, waitForPresenterSlide, stopStage, sendLive,
} from '../../support/slideshow-browser';

const TEST = { timeout: TEST_MS } as const;
/** Pages in the PDF picked to watch an upload under way: enough for its bar to stay up a while. */
const LONG_PDF_PAGES = 20;
/** Rendering them on a busy 2-core machine can take a while; still bounded. */
const UPLOAD_MS = 180_000;

/** The focused element's role (or tag) and accessible text, as a screen reader would land on it. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return 'body';
    return `${element.getAttribute('role') ?? element.tagName.toLowerCase()}: ${element.getAttribute('aria-label') ?? element.textContent?.trim() ?? ''}`;
  });
}

/** Fails with every violation named, and with the state it was found in. */
async function assertAccessible(page: Page, state: string): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], `axe-core in: ${state}`);
}

// One walk through every page and state: each step goes on from where the one before left the talk
// (and the pages it opened), so they run in order, one at a time, and each first checks that it
// starts where it should.
describe('accessibility: axe-core finds nothing in any page or state', { concurrency: 1 }, () => {
  let app: AppProcess;
  let key: string;
  let browser: Browser;
  let presenter: Tab;
  let phone: Tab;
  let laptop: Tab;
  let room: Page;
  let deck: DeckDetail;

  const command = (body: object) => sendLive(app.url, key, body);

  async function audience(check: (tab: Tab, name: string) => Promise<void>): Promise<void> {
    await check(phone, 'phone');
    await check(laptop, 'laptop');
  }

  before(async () => {
    ({ app, key, browser } = await startStage());
  }, TEST);

  after(() => stopStage({ app, browser }, 'SIGKILL'), TEST);

  test('sign-in: the form, and the form after a wrong key', TEST, async () => {
    for (const device of [PHONES.iphone, PRESENTER_DESKTOP]) {
      const context = await newContext(browser, device);
      const page = await context.newPage();
      await page.goto(`${app.url}/sign-in`, { timeout: STEP_MS });
      await page.getByRole('heading', { name: 'Sign in to present' }).waitFor({ timeout: STEP_MS });
      await assertAccessible(page, 'sign-in');
      await page.getByLabel(/key/i).fill('not-the-key');
      await page.getByRole('button', { name: /sign in/i }).click({ timeout: STEP_MS });
      await page.getByRole('alert').waitFor({ timeout: STEP_MS });
      // The form's own alert (Next's route announcer is an alert too), told from the answer's code
      // (`wrong_key`), not its status or wording.
      await page.locator('#sign-in-error').filter({ hasText: 'That presenter key is not right.' }).waitFor({ timeout: STEP_MS });
      await assertAccessible(page, 'sign-in after a wrong key');
      await context.close();
    }
  });

  test('the library: empty, uploading, with decks, renaming, an upload error', { timeout: UPLOAD_MS + TEST_MS }, async () => {
    presenter = await openPresenter(browser, app);
    const { page } = presenter;
    await page.goto(`${app.url}/decks`, { timeout: STEP_MS });
    await page.getByRole('heading', { name: 'Library (0)' }).waitFor({ timeout: STEP_MS });
    await assertAccessible(page, 'library, empty');

    const texts = Array.from({ length: LONG_PDF_PAGES }, (_, i) => `Page ${i + 1}`);
    await page.locator('#deck-files').setInputFiles([{ name: 'long.pdf', mimeType: 'application/pdf', buffer: makePdf(texts) }]);
    await assertAccessible(page, 'library, a file picked');
    await page.getByRole('button', { name: 'Upload 1 file' }).click({ timeout: STEP_MS });
    await page.getByRole('progressbar').first().waitFor({ timeout: STEP_MS });
    await assertAccessible(page, 'library, uploading');
    await page.getByRole('status').filter({ hasText: `is ready: ${LONG_PDF_PAGES} slides.` }).waitFor({ timeout: UPLOAD_MS });
    await assertAccessible(page, 'library, upload done');
    assert.match(await focused(page), new RegExp(`^status: long is ready: ${LONG_PDF_PAGES} slides\\.`), 'focus moves to the result of the upload');

    deck = await uploadDeckDetail(app.url, key, await talkFiles(), 'Accessible talk');
    await page.reload({ timeout: STEP_MS });
    await page.getByRole('heading', { name: 'Library (2)' }).waitFor({ timeout: STEP_MS });
    await assertAccessible(page, 'library, with decks');

    await page.getByRole('button', { name: 'Rename Accessible talk' }).click({ timeout: STEP_MS });
    await page.getByRole('button', { name: 'Save' }).waitFor({ timeout: STEP_MS });
    await assertAccessible(page, 'library, renaming');
    await page.getByRole('button', { name: 'Cancel' }).click({ timeout: STEP_MS });
    assert.equal(await focused(page), 'button: Rename Accessible talk', 'Cancel gives focus back to Rename');
    await page.getByRole('button', { name: 'Rename Accessible talk' }).click({ timeout: STEP_MS });
    await page.getByLabel('New title for Accessible talk').fill('An accessible talk');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Rename An accessible talk' }).waitFor({ timeout: STEP_MS });
    assert.equal(await focused(page), 'button: Rename An accessible talk', 'a saved title gives focus back to Rename');

    // A truncated PNG: it passes the page's own checks and the server refuses it, naming the file.
    const damaged = (await makeTalkSlide(TALK[0]!, 1)).subarray(0, 2_000);
    await page.locator('#deck-files').setInputFiles([{ name: 'broken.png', mimeType: 'image/png', buffer: damaged }]);
    await page.getByRole('button', { name: 'Upload 1 file' }).click({ timeout: STEP_MS });
    await page.getByRole('alert').filter({ hasText: 'Problem with broken.png' }).waitFor({ timeout: UPLOAD_MS });
    await assertAccessible(page, 'library, an upload error');
    assert.match(await focused(page), /^alert: Problem with broken\.png/, 'focus moves to the upload error');

    await page.setViewportSize(PHONES.iphone.viewport);
    await assertAccessible(page, 'library at phone size');
    await page.setViewportSize(PRESENTER_DESKTOP.viewport!);
  });

  test('the presenter view before a talk; the audience and the room display waiting', TEST, async () => {
    assert.ok(presenter && deck, 'the presenter view before a talk: needs the presenter window and the deck the library step uploaded');
    await assertTalkAt(app.url, 'idle', 'the presenter view before a talk');
    await presenter.page.goto(`${app.url}/presenter`, { timeout: STEP_MS });
    await presenter.page.getByRole('main').waitFor({ timeout: STEP_MS });
    await assertAccessible(presenter.page, 'presenter, no talk');

    [phone, laptop] = await Promise.all([openPhone(browser, app.url, PHONES.iphone), openPhone(browser, app.url, PRESENTER_DESKTOP)]);
    await audience(async (tab, name) => {
      await tab.page.getByRole('heading', { name: 'The talk will start soon' }).waitFor({ timeout: STEP_MS });
      await assertAccessible(tab.page, `audience waiting (${name})`);
    });

    const roomContext = await newContext(browser, PRESENTER_DESKTOP);
    room = await roomContext.newPage();
    await room.goto(`${app.url}/room`, { timeout: STEP_MS });
    await room.getByRole('img', { name: /QR/i }).first().waitFor({ timeout: STEP_MS });
    await assertAccessible(room, 'room display waiting');
  });

  test('live: the presenter view, the audience, browsing back, the room display', TEST, async () => {
    assert.ok(phone && laptop && room, 'live: needs the audience pages and the room display the step before opened');
    await assertTalkAt(app.url, 'idle', 'live');
    const count = TALK.length;
    await command({ deck: deck.id, slide: 1 });
    for (const slide of [2, 3]) await command({ slide });
    await presenter.page.reload({ timeout: STEP_MS });
    await waitForPresenterSlide(presenter.page, 3, count);
    await assertAccessible(presenter.page, 'presenter, live');
    await presenter.page.keyboard.press('g');
    await presenter.page.getByRole('dialog').waitFor({ timeout: STEP_MS });
    await assertAccessible(presenter.page, 'presenter, the overview open');
    await presenter.page.keyboard.press('Escape');
    await presenter.page.setViewportSize(PHONES.iphone.viewport);
    await assertAccessible(presenter.page, 'presenter, live, at phone size (the remote bar)');
    await presenter.page.setViewportSize(PRESENTER_DESKTOP.viewport!);

    await audience(async (tab, name) => {
      await waitForPhoneSlide(tab.page, deck.slides[2]!, count);
      await assertAccessible(tab.page, `audience live (${name})`);
      await tab.page.getByRole('button', { name: 'Back to slide 2' }).click({ timeout: STEP_MS });
      const forward = tab.page.getByRole('button', { name: 'Forward to the live slide 3' });
      await forward.waitFor({ timeout: STEP_MS });
      await assertAccessible(tab.page, `audience browsing back (${name})`);
      await forward.click({ timeout: STEP_MS });
    });

    await room.waitForFunction((src) => document.querySelector('main img')?.getAttribute('src') === src, deck.slides[2]!.src, { timeout: STEP_MS });
    await assertAccessible(room, 'room display live');
    await command({ qr: true });
    await room.getByRole('img', { name: /QR/i }).first().waitFor({ timeout: STEP_MS });
    await assertAccessible(room, 'room display with the QR up');
    await command({ qr: false });
  });

  test('reduced motion: the "Live" dot pulses only for people who did not ask for less motion', TEST, async () => {
    await assertTalkAt(app.url, 3, 'reduced motion');
    /** Browsing back brings the pulsing "Live: slide 3" button; its dot's animation as the page runs it. */
    const dotWhileBrowsing = async (page: Page) => {
      await page.getByRole('button', { name: 'Back to slide 2' }).click({ timeout: STEP_MS });
      const live = page.getByRole('button', { name: 'Live: slide 3' });
      const animation = await live.locator('.animate-pulse').evaluate((dot) => {
        const style = getComputedStyle(dot);
        return { iterations: style.animationIterationCount, name: style.animationName };
      });
      await live.click({ timeout: STEP_MS });
      return animation;
    };
    assert.deepEqual(await dotWhileBrowsing(phone.page), { iterations: 'infinite', name: 'pulse' });
    const still = await openPhone(browser, app.url, { ...PHONES.iphone, reducedMotion: 'reduce' });
    await waitForPhoneSlide(still.page, deck.slides[2]!, TALK.length);
    assert.deepEqual(await dotWhileBrowsing(still.page), { iterations: '1', name: 'pulse' });
    await still.page.context().close();
  });

  test('a blackout: the audience paused, the room display black', TEST, async () => {
    await assertTalkAt(app.url, 3, 'a blackout');
    await command({ blackout: true });
    await audience(async (tab, name) => {
      await tab.page.getByText('The presenter paused the slides', { exact: true }).waitFor({ timeout: STEP_MS });
      await assertAccessible(tab.page, `audience in a blackout (${name})`);
    });
    await room.waitForFunction(() => document.querySelector('main img') === null, undefined, { timeout: STEP_MS });
    await assertAccessible(room, 'room display in a blackout');
    await command({ blackout: false });
    await waitForPhoneSlide(phone.page, deck.slides[2]!, TALK.length);
  });

  test('offline: the phone says so', TEST, async () => {
    await assertTalkAt(app.url, 3, 'offline');
    await assertPhoneAt(phone.page, 3, TALK.length, 'offline');
    await phone.page.context().setOffline(true);
    await phone.page.getByRole('status').filter({ hasText: /offline/i }).first().waitFor({ state: 'attached', timeout: STEP_MS });
    await assertAccessible(phone.page, 'audience offline');
    await phone.page.context().setOffline(false);
    await phone.page.getByRole('status').filter({ hasText: 'Connected' }).first().waitFor({ state: 'attached', timeout: 30_000 });
  });

  test('the end: the audience, the room display and the presenter after End talk', TEST, async () => {
    await assertTalkAt(app.url, 3, 'the end');
    await command({ live: false });
    await audience(async (tab, name) => {
      await tab.page.getByRole('heading', { name: 'The talk has ended' }).waitFor({ timeout: STEP_MS });
      await assertAccessible(tab.page, `audience, the talk has ended (${name})`);
    });
    await room.getByText('The talk has ended').first().waitFor({ timeout: STEP_MS });
    await assertAccessible(room, 'room display after the end');
    await presenter.page.getByRole('main').waitFor({ timeout: STEP_MS });
    await assertAccessible(presenter.page, 'presenter after the end');
  });

  test('reconnecting: the server is gone and the phone says it is reconnecting', TEST, async () => {
    await assertTalkAt(app.url, 'idle', 'reconnecting');
    await app.stop('SIGKILL');
    await phone.page.getByRole('status').filter({ hasText: /Reconnecting/ }).first().waitFor({ state: 'attached', timeout: STEP_MS });
    await assertAccessible(phone.page, 'audience reconnecting');
  });
});
