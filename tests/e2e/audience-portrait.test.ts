/**
 * Landscape slides on a portrait phone, in Chromium: a one-time "turn your phone" tip (gone for
 * good after "Got it" or after turning the phone, also after a reload), and a full-screen button
 * (which also asks for landscape where the browser allows). axe-core finds nothing with the tip up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from '@playwright/test';
import type { DeckDetail } from '../../lib/slideshow/index';
import { type AppProcess } from '../../support/app-process';
import { axeViolations } from '../helpers/axe';
import {
  openPhone, PHONES, PRESENTER_DESKTOP, screenshot, STEP_MS, talkFiles, TEST_MS, waitForPhoneSlide, stopStage, startLiveStage,
} from '../../support/slideshow-browser';

const TEST = { timeout: TEST_MS } as const;
const TIP = 'Turn your phone sideways to see the slides bigger.';

describe('landscape slides on a portrait phone', () => {
  let app: AppProcess;
  let browser: Browser;
  let deck: DeckDetail;

  before(async () => {
    ({ app, browser, deck } = await startLiveStage((await talkFiles()).slice(0, 2), 'Sideways'));
    assert.ok(deck.slides[0]!.width > deck.slides[0]!.height, 'the deck is landscape');
  });

  after(() => stopStage({ app, browser }));

  test('the tip shows once: "Got it" puts it away, also after a reload', TEST, async () => {
    const { page, context } = await openPhone(browser, app.url, PHONES.iphone);
    await waitForPhoneSlide(page, deck.slides[0]!, 2);
    await page.getByText(TIP).waitFor({ timeout: STEP_MS });
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'portrait-tip-phone');
    await page.getByRole('button', { name: 'Got it' }).click({ timeout: STEP_MS });
    await page.getByText(TIP).waitFor({ state: 'detached', timeout: STEP_MS });
    await page.reload();
    await waitForPhoneSlide(page, deck.slides[0]!, 2);
    assert.equal(await page.getByText(TIP).count(), 0, 'not again after a reload');
    await context.close();
  });

  test('turning the phone puts the tip away for good', TEST, async () => {
    const { page, context } = await openPhone(browser, app.url, PHONES.pixel);
    await waitForPhoneSlide(page, deck.slides[0]!, 2);
    await page.getByText(TIP).waitFor({ timeout: STEP_MS });
    await page.setViewportSize({ width: 915, height: 412 });
    await page.getByText(TIP).waitFor({ state: 'detached', timeout: STEP_MS });
    await page.setViewportSize({ width: 412, height: 915 });
    await page.waitForFunction(() => matchMedia('(orientation: portrait)').matches, undefined, { timeout: STEP_MS });
    assert.equal(await page.getByText(TIP).count(), 0, 'back in portrait, no tip');
    await context.close();
  });

  test('a laptop (landscape) gets no tip, and the full-screen button', TEST, async () => {
    const { page, context } = await openPhone(browser, app.url, PRESENTER_DESKTOP);
    await waitForPhoneSlide(page, deck.slides[0]!, 2);
    await page.getByRole('button', { name: 'Full screen', exact: true }).waitFor({ timeout: STEP_MS });
    assert.equal(await page.getByText(TIP).count(), 0);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'portrait-none-laptop');
    await context.close();
  });

  test('"Full screen" goes full screen, and back', TEST, async () => {
    const { page, context } = await openPhone(browser, app.url, PHONES.pixel);
    await waitForPhoneSlide(page, deck.slides[0]!, 2);
    await page.getByRole('button', { name: 'Full screen', exact: true }).click({ timeout: STEP_MS });
    await page.waitForFunction(() => document.fullscreenElement === document.documentElement, undefined, { timeout: STEP_MS });
    await page.getByRole('button', { name: 'Exit full screen' }).click({ timeout: STEP_MS });
    await page.waitForFunction(() => document.fullscreenElement === null, undefined, { timeout: STEP_MS });
    await page.getByRole('button', { name: 'Full screen', exact: true }).waitFor({ timeout: STEP_MS });
    await context.close();
  });
});
