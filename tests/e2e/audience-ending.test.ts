/**
 * The audience's side of a talk's end, in Chromium on a phone: a blackout reads "The presenter
 * paused the slides"; End talk brings "The talk has ended", announced in the page's one live
 * region; the slides the phone was shown stay browsable (swipe and buttons) with their images
 * served, after End talk and after the next deck goes live, while a slide never shown stays 404.
 * (That they go after PAST_SLIDES_KEEP_MINUTES is tested with a clock: tests/integration/past-talk.test.ts.)
 * axe-core finds nothing in each state; screenshots at phone and laptop size.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from '@playwright/test';
import type { DeckDetail } from '../../lib/slideshow/index';
import { type AppProcess } from '../../support/app-process';
import { axeViolations } from '../helpers/axe';
import {
  assertTalkAt, imagesSettled, openPhone, PHONES, PRESENTER_DESKTOP, screenshot, startStage, STEP_MS, swipe, type Tab, TALK, talkFiles, TEST_MS, uploadDeckDetail, waitForPhoneSlide, stopStage, sendLive,
} from '../../support/slideshow-browser';

const TEST = { timeout: TEST_MS } as const;

/** The text of the page's live region once it matches. */
async function announced(page: Page, pattern: RegExp): Promise<string> {
  const handle = await page.waitForFunction(
    (source) => {
      const text = document.querySelector('main > p[aria-live]')?.textContent ?? '';
      return new RegExp(source).test(text) ? text : false;
    },
    pattern.source,
    { timeout: STEP_MS, polling: 20 },
  );
  return (await handle.jsonValue()) as string;
}

/** What the audience (this page, no credentials) gets for each URL. */
function statuses(page: Page, urls: string[]): Promise<number[]> {
  return page.evaluate(async (urls) => Promise.all(urls.map(async (url) => (await fetch(url, { cache: 'no-store' })).status)), urls);
}

// One scenario: each step goes on from where the one before left the talk, so they run in order,
// one at a time, and each first checks that it starts where it should.
describe('the end of a talk on the phones', { concurrency: 1 }, () => {
  let app: AppProcess;
  let key: string;
  let browser: Browser;
  let deck: DeckDetail;
  let phone: Tab;
  let laptop: Tab;
  const count = TALK.length;

  const command = (body: object) => sendLive(app.url, key, body);

  async function both(check: (tab: Tab) => Promise<unknown>): Promise<void> {
    await Promise.all([phone, laptop].map(check));
  }

  before(async () => {
    ({ app, key, browser } = await startStage());
    deck = await uploadDeckDetail(app.url, key, await talkFiles(), 'The first talk');
    [phone, laptop] = await Promise.all([openPhone(browser, app.url, PHONES.iphone), openPhone(browser, app.url, PRESENTER_DESKTOP)]);
    await both((tab) => tab.page.getByRole('heading', { name: 'The talk will start soon' }).waitFor({ timeout: STEP_MS }));
  });

  after(() => stopStage({ app, browser }));

  test('the start and each slide are announced; a blackout is a calm "paused" screen', TEST, async () => {
    await assertTalkAt(app.url, 'idle', 'the start of the talk');
    await command({ deck: deck.id, slide: 1 });
    assert.match(await announced(phone.page, /^Slide 1 of \d+\. The talk “The first talk” has started\./), new RegExp(`^Slide 1 of ${count}\\.`));
    for (const slide of [2, 3, 4, 5]) await command({ slide });
    await both((tab) => waitForPhoneSlide(tab.page, deck.slides[4]!, count));
    await command({ blackout: true });
    await both(async ({ page }) => {
      await page.getByText('The presenter paused the slides', { exact: true }).waitFor({ timeout: STEP_MS });
      await announced(page, /^The presenter paused the slides\.$/);
      assert.equal(await page.locator('main picture img').count(), 0, 'no slide drawn in a blackout');
      assert.deepEqual(await axeViolations(page), []);
    });
    await screenshot(phone.page, 'ending-paused-phone');
    await screenshot(laptop.page, 'ending-paused-laptop');
    await command({ blackout: false });
    await both((tab) => waitForPhoneSlide(tab.page, deck.slides[4]!, count));
  });

  test('End talk: "The talk has ended", announced, and the five slides shown stay browsable', TEST, async () => {
    await assertTalkAt(app.url, 5, 'End talk');
    await command({ live: false });
    await both(async ({ page }) => {
      await page.getByRole('heading', { name: 'The talk has ended' }).waitFor({ timeout: STEP_MS });
      await announced(page, /^The talk has ended\. You can look back through the 5 slides shown\.$/);
      assert.deepEqual(await axeViolations(page), []);
    });
    await screenshot(phone.page, 'ending-ended-phone');
    await screenshot(laptop.page, 'ending-ended-laptop');

    const { page } = phone;
    await page.getByRole('button', { name: 'Look back through the 5 slides' }).click({ timeout: STEP_MS });
    await announced(page, /^Slide 5 of \d+\./);
    await page.waitForFunction((src) => document.querySelector('main picture img')?.getAttribute('src') === src, deck.slides[4]!.src, { timeout: STEP_MS });
    await imagesSettled(page);
    await swipe(page, 'right');
    await announced(page, /^Slide 4 of \d+\./);
    await imagesSettled(page);
    assert.ok(await page.evaluate(() => (document.querySelector('main picture img') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0, 'slide 4 drawn');
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'ending-browsing-phone');
    await page.getByRole('button', { name: 'Forward to slide 5' }).click({ timeout: STEP_MS });
    await announced(page, /^Slide 5 of \d+\./);
    await swipe(page, 'left');
    await page.getByRole('heading', { name: 'The talk has ended' }).waitFor({ timeout: STEP_MS });

    const shown = deck.slides.slice(0, 5).map((s) => s.src);
    const never = deck.slides.slice(5).map((s) => s.src);
    assert.deepEqual(await statuses(page, shown), [200, 200, 200, 200, 200], 'slides 1-5 after End talk');
    assert.deepEqual(await statuses(page, never), never.map(() => 404), 'slides never shown');
  });

  test('the next deck goes live: the phones follow it, and the last talk\'s shown slides are still served', TEST, async () => {
    await assertTalkAt(app.url, 'idle', 'the next deck');
    const next = await uploadDeckDetail(app.url, key, (await talkFiles()).slice(0, 3), 'The next talk');
    await command({ deck: next.id, slide: 1 });
    await both((tab) => waitForPhoneSlide(tab.page, next.slides[0]!, 3));
    const { page } = phone;
    assert.deepEqual(await statuses(page, deck.slides.slice(0, 5).map((s) => s.src)), [200, 200, 200, 200, 200], 'within the kept time');
    assert.deepEqual(await statuses(page, deck.slides.slice(5).map((s) => s.src)), deck.slides.slice(5).map(() => 404));
    assert.deepEqual(await statuses(page, next.slides.slice(1).map((s) => s.src)), [404, 404], 'the new talk reveals afresh');
  });
});
