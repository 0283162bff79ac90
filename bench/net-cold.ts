/**
 * Cold first slide on a slow phone (issue 13, "The live slide in the first HTML"). Runs inside the
 * case's network namespace (bench/net.ts made it): our production server on 127.0.0.1 with a talk
 * live on slide 3, and a cold phone-emulated Chromium window (a new browser context each time: no
 * HTTP cache, no open connection) opening the audience page at its shaped address 127.0.0.2, so
 * every byte it exchanges, WebSocket frames included, crosses the slow link.
 *
 * Per open: from the navigation's start (the page's `performance.timeOrigin`) to the Element Timing
 * `renderTime` of the live slide's image, the same "painted" as the throttled case. Also read
 * from the page: time to the first byte of the HTML, first contentful paint, and the JavaScript it
 * loaded before the slide was painted.
 */
import { chromium, type Browser } from '@playwright/test';
import { chromiumLaunchArgs } from '../support/chromium';
import { imageUrls, newContext, PHONES } from '../support/slideshow-browser';
import { Cleanup, goTo, stage, startRelay } from './net-parts';

export interface ColdStartOptions {
  opens: number;
  rttMs: number;
  kbit: number;
}

export interface ColdOpen {
  /** Navigation start to the live slide's image painted (ms). */
  toSlide: number;
  /** Navigation start to the first byte of the HTML (ms). */
  toFirstByte: number;
  /** Navigation start to the first contentful paint (ms). */
  toFirstPaint: number | undefined;
  /** The image file painted (variant, without the secret token). */
  variant: string;
  /** Bytes of JavaScript transferred before the slide was painted (resource timing). */
  scriptBytesBefore: number;
}

export interface ColdStartRecord {
  options: ColdStartOptions;
  browser: string;
  device: { width: number; height: number; dpr: number };
  /** The slide live while the phones open the page. */
  liveSlide: number;
  opens: ColdOpen[];
  error?: string;
}

const STEP_MS = 30_000;
const PHONE_ADDRESS = '127.0.0.2';
const LIVE_SLIDE = 3;

/** In the phone page before anything runs: Element Timing entries, on the page's own clock. */
function recordPaints(): void {
  const paints: Array<{ id: string; url: string; t: number }> = [];
  Object.assign(window, { __coldPaints: paints });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as Array<PerformanceEntry & { identifier: string; url: string; renderTime: number; loadTime: number }>) {
      paints.push({ id: entry.identifier, url: entry.url, t: entry.renderTime || entry.loadTime });
    }
  }).observe({ type: 'element', buffered: true });
}

async function openCold(browser: Browser, url: string, urls: string[]): Promise<ColdOpen> {
  const context = await newContext(browser, PHONES.iphone);
  try {
    await context.addInitScript({ content: `globalThis.__name ??= (fn) => fn;\n(${recordPaints.toString()})();` });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit', timeout: STEP_MS });
    const handle = await page.waitForFunction(
      (urls) => (window as unknown as { __coldPaints: Array<{ id: string; url: string; t: number }> }).__coldPaints.find((p) => p.id === 'slide' && urls.some((u) => p.url.endsWith(u))) ?? false,
      urls,
      { timeout: STEP_MS, polling: 20 },
    );
    const painted = (await handle.jsonValue()) as { url: string; t: number };
    const timings = await page.evaluate((before) => {
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const scripts = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((r) => r.initiatorType === 'script' && r.responseEnd <= before);
      return { firstByte: navigation?.responseStart ?? Number.NaN, fcp: fcp?.startTime, scriptBytes: scripts.reduce((sum, r) => sum + r.transferSize, 0) };
    }, painted.t);
    const file = new URL(painted.url).pathname.split('/').pop()!;
    return { toSlide: painted.t, toFirstByte: timings.firstByte, toFirstPaint: timings.fcp, variant: file.replace(/^[^-]+-/, ''), scriptBytesBefore: timings.scriptBytes };
  } finally {
    await context.close();
  }
}

/** Runs the case; never throws (the error is recorded). */
export async function runColdStart(options: ColdStartOptions, log: (line: string) => void): Promise<ColdStartRecord> {
  const device = PHONES.iphone;
  const record: ColdStartRecord = {
    options, browser: '', device: { width: device.viewport.width, height: device.viewport.height, dpr: device.deviceScaleFactor }, liveSlide: LIVE_SLIDE, opens: [],
  };
  const cleanup = new Cleanup();
  try {
    const staged = await stage(LIVE_SLIDE + 1, cleanup);
    await startRelay([PHONE_ADDRESS], staged.port, options.rttMs, cleanup);
    for (let slide = 1; slide <= LIVE_SLIDE; slide++) await goTo(staged, slide);
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumLaunchArgs, headless: true, timeout: 30_000 });
    cleanup.add(() => browser.close());
    record.browser = browser.version();
    const urls = imageUrls(staged.deck.slides[LIVE_SLIDE - 1]!);
    for (let n = 1; n <= options.opens; n++) {
      const open = await openCold(browser, `http://${PHONE_ADDRESS}:${staged.port}/`, urls);
      record.opens.push(open);
      log(`cold-start: open ${n}: slide painted after ${open.toSlide.toFixed(0)} ms (first byte ${open.toFirstByte.toFixed(0)} ms, ${open.variant})`);
    }
  } catch (error) {
    record.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`cold-start: FAILED: ${record.error.split('\n')[0]}`);
  } finally {
    await cleanup.run();
  }
  return record;
}
