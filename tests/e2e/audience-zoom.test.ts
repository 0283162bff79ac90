/**
 * Zooming into the slide on a phone, in Chromium with touch emulation: a pinch (two fingers, CDP
 * `Input.dispatchTouchEvent`) or a double-tap zooms in and the slide's largest variant loads; while
 * zoomed one finger pans and never browses; unzoomed, a swipe still goes back through the slides.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from '@playwright/test';
import type { DeckDetail } from '../../lib/slideshow/index';
import { type AppProcess } from '../../support/app-process';
import {
  makeTalkSlide, openPhone, PHONES, screenshot, STEP_MS, swipe, TALK, TEST_MS, waitForPhoneSlide, stopStage, startLiveStage,
} from '../../support/slideshow-browser';

const TEST = { timeout: TEST_MS } as const;

type Touch = { x: number; y: number };

async function touches(page: Page, steps: Array<{ type: 'touchStart' | 'touchMove' | 'touchEnd'; points: Touch[] }>): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    for (const step of steps) {
      await cdp.send('Input.dispatchTouchEvent', { type: step.type, touchPoints: step.points.map((p, id) => ({ ...p, id })) });
    }
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** Two fingers at the middle of the screen, 80 px apart, spread to 320 px. */
async function pinchOut(page: Page): Promise<void> {
  const { width, height } = page.viewportSize()!;
  const [cx, cy] = [width / 2, height / 2];
  const at = (gap: number): Touch[] => [{ x: cx - gap / 2, y: cy }, { x: cx + gap / 2, y: cy }];
  await touches(page, [
    { type: 'touchStart', points: at(80) },
    ...[140, 200, 260, 320].map((gap) => ({ type: 'touchMove' as const, points: at(gap) })),
    { type: 'touchEnd', points: [] },
  ]);
}

async function doubleTap(page: Page, point: Touch): Promise<void> {
  await touches(page, [
    { type: 'touchStart', points: [point] }, { type: 'touchEnd', points: [] },
    { type: 'touchStart', points: [point] }, { type: 'touchEnd', points: [] },
  ]);
}

const zoomedState = (page: Page) => page.locator('[data-zoomed]').count();
const largest = (slide: DeckDetail['slides'][number]) => slide.images.at(-1)!;

describe('zooming into the slide on a phone', () => {
  let app: AppProcess;
  let browser: Browser;
  let deck: DeckDetail;

  before(async () => {
    const files = await Promise.all(TALK.slice(0, 3).map(async (slide, i) => ({ name: `Slide${i + 1}.png`, data: await makeTalkSlide(slide, i + 1, { width: 1920, height: 1080 }) })));
    ({ app, browser, deck } = await startLiveStage(files, 'Zoom talk', [1, 2, 3]));
    assert.deepEqual(deck.slides[0]!.images.map((image) => image.width), [640, 1280, 1920]);
  }, TEST);

  after(() => stopStage({ app, browser }), TEST);

  test('pinch zooms in and loads the largest variant; one finger then pans and does not browse; unzoomed, a swipe goes back', TEST, async () => {
    const { page, context } = await openPhone(browser, app.url, PHONES.iphone);
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    const third = deck.slides[2]!;
    await waitForPhoneSlide(page, third, 3);
    await page.waitForFunction(() => (document.querySelector('main picture img') as HTMLImageElement | null)?.complete === true, undefined, { timeout: STEP_MS });
    const before = await page.evaluate(() => (document.querySelector('main picture img') as HTMLImageElement).currentSrc);
    assert.ok(!before.endsWith(largest(third).webp), `unzoomed, a phone-sized variant: ${before}`);

    const big = page.waitForRequest((request) => request.url().endsWith(largest(third).webp), { timeout: STEP_MS });
    await pinchOut(page);
    await big;
    assert.equal(await zoomedState(page), 1, 'zoomed');
    await page.waitForFunction((src) => (document.querySelector('main picture img') as HTMLImageElement | null)?.currentSrc.endsWith(src), largest(third).webp, { timeout: STEP_MS });
    await screenshot(page, 'zoomed-phone');

    // Zoomed: a one-finger swipe pans the slide (its transform moves) and stays on slide 3.
    const transform = () => page.evaluate(() => (document.querySelector('[data-zoomed]') as HTMLElement).style.transform);
    const zoomedAt = await transform();
    await swipe(page, 'right');
    await page.waitForFunction((was) => (document.querySelector('[data-zoomed]') as HTMLElement | null)?.style.transform !== was, zoomedAt, { timeout: STEP_MS });
    await waitForPhoneSlide(page, third, 3);
    assert.equal(await page.getByRole('button', { name: /^Live: slide/ }).count(), 0, 'still on the live slide: the pan did not browse');

    // Double-tap zooms back out; now a swipe goes back to slide 2.
    const { width, height } = page.viewportSize()!;
    await doubleTap(page, { x: width / 2, y: height / 2 });
    await page.locator('[data-zoomed]').waitFor({ state: 'detached', timeout: STEP_MS });
    await swipe(page, 'right');
    await waitForPhoneSlide(page, deck.slides[1]!, 3, { earlier: true });
    assert.ok(!requested.some((path) => path.endsWith(largest(deck.slides[1]!).webp)), 'slide 2 unzoomed: not its largest variant');
    await context.close();
  });

  test('double-tap zooms in on a slide browsed back to and loads its largest variant', TEST, async () => {
    const { page, context } = await openPhone(browser, app.url, PHONES.pixel);
    await waitForPhoneSlide(page, deck.slides[2]!, 3);
    await swipe(page, 'right');
    const second = deck.slides[1]!;
    await waitForPhoneSlide(page, second, 3, { earlier: true });
    const big = page.waitForRequest((request) => request.url().endsWith(largest(second).webp), { timeout: STEP_MS });
    const { width, height } = page.viewportSize()!;
    await doubleTap(page, { x: width / 3, y: height / 2 });
    await big;
    assert.equal(await zoomedState(page), 1);
    await context.close();
  });
});
