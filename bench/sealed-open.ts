/**
 * How long a phone takes to open a prefetched sealed slide (issue 15's target: at most 20 ms on a
 * phone-emulated Chromium with its CPU slowed 4×): with WebCrypto on localhost (a secure context),
 * and with the pure-JavaScript AES a plain-http LAN page loads, on a name the browser maps to
 * 127.0.0.1 (as tests/e2e/audience-screen-on.test.ts does: not a secure context). Our production
 * server, the page bench's deck (1920 × 1080 exports, every fourth a photograph), one phone per
 * origin with its CPU slowed through the DevTools protocol; each slide is shown over the API once
 * every phone has its sealed copy. Opening time is the page's own `sealed-open` User Timing entry
 * (lib/client/sealed-prefetch.ts): from the bytes in memory to the plain bytes. Run by bench/net.ts
 * in a namespace of its own (no shaped link: this measures the phone's CPU, not the network).
 */
import { chromium, type Page } from '@playwright/test';
import { chromiumLaunchArgs } from '../support/chromium';
import { openPhone, PHONES, waitForPhoneSlide } from '../support/slideshow-browser';
import { Cleanup, goTo, stage } from './net-parts';

export interface SealedOpenOptions {
  slides: number;
  cpuSlowdown: number;
}

export interface SealedOpenPhone {
  origin: 'localhost' | 'LAN name over http';
  secure: boolean;
  /** Opening time of each slide, in the order shown (ms). */
  times: number[];
}

export interface SealedOpenRecord {
  options: SealedOpenOptions;
  browser: string;
  phones: SealedOpenPhone[];
  kinds: Array<'text and chart' | 'photo'>;
  error?: string;
}

const LAN_NAME = 'lan.comet-deck.test';
const STEP_MS = 30_000;

function openings(page: Page, count: number): Promise<number[]> {
  return page
    .waitForFunction((n) => performance.getEntriesByName('sealed-open').length >= n, count, { timeout: STEP_MS, polling: 20 })
    .then(() => page.evaluate(() => performance.getEntriesByName('sealed-open').map((e) => e.duration)));
}

function prefetched(page: Page, deckId: string, count: number): Promise<unknown> {
  return page.waitForFunction(
    ({ deckId, count }) => performance.getEntriesByType('resource').filter((e) => e.name.includes(`/sealed/${deckId}/`) && (e as PerformanceResourceTiming).responseEnd > 0).length >= count,
    { deckId, count },
    { timeout: STEP_MS, polling: 20 },
  );
}

/** Runs the case; never throws (the error is recorded). */
export async function runSealedOpen(options: SealedOpenOptions, log: (line: string) => void): Promise<SealedOpenRecord> {
  const record: SealedOpenRecord = { options, browser: '', phones: [], kinds: [] };
  const cleanup = new Cleanup();
  try {
    const staged = await stage(options.slides, cleanup);
    record.kinds = staged.kinds;
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...chromiumLaunchArgs, `--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`], headless: true, timeout: 30_000 });
    cleanup.add(() => browser.close());
    record.browser = browser.version();
    const origins = [['localhost', `http://localhost:${staged.port}`], ['LAN name over http', `http://${LAN_NAME}:${staged.port}`]] as const;
    const phones = await Promise.all(origins.map(async ([origin, url]) => {
      const tab = await openPhone(browser, url, PHONES.iphone);
      await (await tab.context.newCDPSession(tab.page)).send('Emulation.setCPUThrottlingRate', { rate: options.cpuSlowdown });
      return { origin, page: tab.page, secure: await tab.page.evaluate(() => window.isSecureContext) };
    }));
    await goTo(staged, 1);
    for (const { page } of phones) await waitForPhoneSlide(page, staged.deck.slides[0]!, options.slides, { ms: STEP_MS });
    for (let n = 2; n <= options.slides; n++) {
      await Promise.all(phones.map(({ page }) => prefetched(page, staged.deck.id, n - 1)));
      await goTo(staged, n);
      const times = await Promise.all(phones.map(({ page }) => openings(page, n - 1)));
      log(`sealed-open: slide ${n} opened in ${times.map((t) => t.at(-1)!.toFixed(1)).join(', ')} ms`);
    }
    for (const { origin, page, secure } of phones) record.phones.push({ origin, secure, times: await openings(page, options.slides - 1) });
  } catch (error) {
    record.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`sealed-open: FAILED: ${record.error.split('\n')[0]}`);
  } finally {
    await cleanup.run();
  }
  return record;
}
