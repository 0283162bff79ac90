/**
 * Phones keep their screen on while a talk is live, in Chromium: on localhost (a secure context)
 * through the Screen Wake Lock; on a plain-http origin that is not a secure context, as a LAN
 * address is, through nosleep.js's looping muted video, started by the first touch. Chromium
 * counts every 127.x.x.x address as secure, so the LAN origin is a name, `lan.comet-deck.test`,
 * that the browser's resolver maps to 127.0.0.1 (`--host-resolver-rules`): still loopback only,
 * and insecure because it is neither localhost nor a loopback IP. Both let go at the end of the talk. What is held is read from the page itself: every wake lock
 * sentinel it was granted and every video it started are recorded by an init script.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { DeckDetail } from '../../lib/slideshow/index';
import { startApp, type AppProcess } from '../../support/app-process';
import { axeViolations } from '../helpers/axe';
import {
  assertTalkAt, openPhone, PHONES, presenterKeyOf, screenshot, STEP_MS, type Tab, talkFiles, TEST_MS, uploadDeckDetail, waitForPhoneSlide, stopStage, sendLive,
} from '../../support/slideshow-browser';
import { chromiumLaunchArgs, findChromium } from '../../support/chromium';

const TEST = { timeout: TEST_MS } as const;
/** A name for this machine that is not localhost: a plain-http origin that is not a secure context. */
const LAN_HOST = 'lan.comet-deck.test';

/** Records wake lock sentinels and started videos (`window.__held`), as the page gets them. */
async function recordHolds(context: BrowserContext): Promise<void> {
  await context.addInitScript({
    content: `(() => {
      const held = { locks: [], videos: [] };
      window.__held = held;
      const wakeLock = navigator.wakeLock;
      if (wakeLock) {
        const request = wakeLock.request.bind(wakeLock);
        wakeLock.request = async (...args) => { const sentinel = await request(...args); held.locks.push(sentinel); return sentinel; };
      }
      const play = HTMLMediaElement.prototype.play;
      HTMLMediaElement.prototype.play = function (...args) { held.videos.push(this); return play.apply(this, args); };
    })();`,
  });
}

/** What keeps this page's screen on right now. */
function holding(page: Page): Promise<{ lock: boolean; video: boolean; secure: boolean; api: boolean }> {
  return page.evaluate(() => {
    const held = (window as unknown as { __held: { locks: Array<{ released: boolean }>; videos: HTMLVideoElement[] } }).__held;
    return {
      lock: held.locks.some((l) => !l.released),
      video: held.videos.some((v) => !v.paused && v.muted && v.loop),
      secure: window.isSecureContext,
      api: 'wakeLock' in navigator,
    };
  });
}

async function waitForHold(page: Page, want: { lock: boolean; video: boolean }): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const held = (window as unknown as { __held: { locks: Array<{ released: boolean }>; videos: HTMLVideoElement[] } }).__held;
      return held.locks.some((l) => !l.released) === want.lock && held.videos.some((v) => !v.paused) === want.video;
    },
    want,
    { timeout: STEP_MS, polling: 20 },
  );
}

// One scenario: each step goes on from where the one before left the talk, so they run in order,
// one at a time, and each first checks that it starts where it should.
describe('the screen stays on while the talk is live', { concurrency: 1 }, () => {
  let app: AppProcess;
  let key: string;
  let browser: Browser;
  let deck: DeckDetail;
  let local: Tab;
  let lan: Tab;

  const command = (body: object) => sendLive(app.url, key, body);

  before(async () => {
    app = await startApp();
    key = await presenterKeyOf(app);
    const executablePath = findChromium();
    assert.ok(executablePath, 'Chromium not found: install it or set CHROMIUM_PATH');
    browser = await chromium.launch({ executablePath, args: [...chromiumLaunchArgs, `--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`], headless: true, timeout: 20_000 });
    const lanUrl = `http://${LAN_HOST}:${new URL(app.url).port}`;
    deck = await uploadDeckDetail(app.url, key, (await talkFiles()).slice(0, 3), 'Screens on');
    [local, lan] = await Promise.all([app.url, lanUrl].map((url) => openPhone(browser, url, PHONES.iphone, { before: recordHolds })));
    for (const { page } of [local, lan]) await page.getByRole('heading', { name: 'The talk will start soon' }).waitFor({ timeout: STEP_MS });
  });

  after(() => stopStage({ app, browser }));

  test('localhost is a secure context with the Wake Lock API; the LAN name over plain http is not', TEST, async () => {
    assert.deepEqual(await holding(local.page), { lock: false, video: false, secure: true, api: true });
    assert.deepEqual(await holding(lan.page), { lock: false, video: false, secure: false, api: false });
  });

  test('live: a wake lock on localhost, the muted looping video after the first touch on the LAN address', TEST, async () => {
    await assertTalkAt(app.url, 'idle', 'going live');
    await command({ deck: deck.id, slide: 1 });
    for (const { page } of [local, lan]) await waitForPhoneSlide(page, deck.slides[0]!, 3);
    for (const { page } of [local, lan]) await page.touchscreen.tap(195, 400);
    await waitForHold(local.page, { lock: true, video: false });
    await waitForHold(lan.page, { lock: false, video: true });
    assert.equal((await holding(lan.page)).video, true, 'the video is muted and loops');
    for (const { page } of [local, lan]) {
      await page.getByText('Screen stays on').waitFor({ timeout: STEP_MS });
      assert.deepEqual(await axeViolations(page), []);
    }
    await screenshot(lan.page, 'screen-on-phone');
  });

  test('End talk lets go of both', TEST, async () => {
    await assertTalkAt(app.url, 1, 'End talk');
    await command({ live: false });
    await waitForHold(local.page, { lock: false, video: false });
    await waitForHold(lan.page, { lock: false, video: false });
    for (const { page } of [local, lan]) await page.getByRole('heading', { name: 'The talk has ended' }).waitFor({ timeout: STEP_MS });
  });
});
