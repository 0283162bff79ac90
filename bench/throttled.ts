/**
 * Key press → painted on throttled phones (bench/README.md, "What a person feels"). Runs inside
 * the case's network namespace (bench/net.ts made it): our production server on 127.0.0.1, a
 * presenter window on 127.0.0.1 (not shaped), and phone-emulated Chromium windows each opening
 * the audience page at its own shaped address (127.0.0.2, 127.0.0.3, ...), so every byte a phone
 * exchanges, WebSocket frames included, crosses its slow link.
 *
 * Per press of → in the presenter window: from the presenter page's `keydown` to the Element
 * Timing `renderTime` of the new slide's image on each phone, and to the moment the slide change
 * message reached the phone page's WebSocket. One browser, so all three are read on one clock.
 *
 * Prefetch off, then on, in one run: the same slides as two decks, the first with its seal taken
 * out of deck.json before it goes live (a deck rendered before sealing: phones fetch nothing
 * ahead), the second as uploaded (phones fetch the next slide sealed and paint it from a blob:).
 * With prefetch on, each press waits, besides the half second, until every phone has the next
 * slide's sealed copy: in a talk a slide stays up for far longer than the prefetch takes.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { chromiumLaunchArgs } from '../support/chromium';
import { imageUrls, openPhone, openPresenter, PHONES, pressKey } from '../support/slideshow-browser';
import type { DeckDetail } from '../lib/slideshow/index';
import { Cleanup, goTo, sleep, stage, startRelay, stripSeal, type Stage } from './net-parts';

export interface ThrottledOptions {
  phones: number;
  presses: number;
  rttMs: number;
  kbit: number;
}

export interface PressSample {
  slide: number;
  kind: 'text and chart' | 'photo';
  phone: number;
  /** Key press to the slide change message reaching the phone page. */
  toMessage: number | undefined;
  /** Key press to the new slide's image painted (Element Timing renderTime). */
  toImage: number;
  /** The image file the phone painted (variant, without the secret token), or `sealed` for a blob: from the prefetch. */
  variant: string;
  /** Sealed prefetch was on for this deck (undefined in records from before prefetch: off). */
  prefetch?: boolean;
}

export interface ThrottledRecord {
  options: ThrottledOptions;
  browser: string;
  device: { width: number; height: number; dpr: number };
  /** Time each phone took to open the audience page over its link (navigation to load). */
  pageLoads: number[];
  presses: PressSample[];
  /** Slide bytes (plain images and sealed copies, as transferred) each phone downloaded while the presses went through each deck. */
  bytes?: { off: number[]; on: number[] };
  error?: string;
}

const STEP_MS = 30_000;

/** In every phone page before its scripts: Element Timing entries and slide change arrivals. */
function recordPhone(): void {
  const paints: Array<{ id: string; url: string; t: number }> = [];
  const arrivals: Array<{ slide: number; t: number }> = [];
  Object.assign(window, { __netPaints: paints, __netArrivals: arrivals });
  // Every slide fetch stays countable through two decks' worth of presses.
  performance.setResourceTimingBufferSize(2_000);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as Array<PerformanceEntry & { identifier: string; url: string; renderTime: number; loadTime: number }>) {
      paints.push({ id: entry.identifier, url: entry.url, t: performance.timeOrigin + (entry.renderTime || entry.loadTime) });
    }
  }).observe({ type: 'element', buffered: true });
  // The page's Bayeux client sets `onmessage` after constructing its socket: a listener added in
  // the constructor runs first, so it stamps a frame before the page handles it.
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => {
        const t = performance.timeOrigin + performance.now();
        try {
          for (const message of JSON.parse(String(event.data)) as Array<{ channel?: string; data?: { slide?: number } }>) {
            if (message.channel === '/slideshow/change' && typeof message.data?.slide === 'number') arrivals.push({ slide: message.data.slide, t });
          }
        } catch {
          // Not JSON: not a Bayeux message.
        }
      });
    }
  };
}

async function waitForPaint(page: Page, urls: string[], since: number): Promise<{ url: string; t: number }> {
  const handle = await page.waitForFunction(
    ({ urls, since }) =>
      (window as unknown as { __netPaints: Array<{ id: string; url: string; t: number }> }).__netPaints.find(
        (p) => p.id === 'slide' && p.t >= since - 1 && (urls.some((u) => p.url.endsWith(u)) || p.url.startsWith('blob:')),
      ) ?? false,
    { urls, since },
    { timeout: STEP_MS, polling: 20 },
  );
  return (await handle.jsonValue()) as { url: string; t: number };
}

function arrivalOf(page: Page, slide: number, since: number): Promise<number | undefined> {
  return page.evaluate(
    ({ slide, since }) => (window as unknown as { __netArrivals: Array<{ slide: number; t: number }> }).__netArrivals.find((a) => a.slide === slide && a.t >= since - 1)?.t,
    { slide, since },
  );
}

async function openPhones(browser: Browser, addresses: string[], port: number): Promise<{ pages: Page[]; loads: number[] }> {
  const opened = await Promise.all(
    addresses.map(async (address) => {
      const started = Date.now();
      const tab = await openPhone(browser, `http://${address}:${port}`, PHONES.iphone, {
        before: async (context) => void (await context.addInitScript({ content: `globalThis.__name ??= (fn) => fn;\n(${recordPhone.toString()})();` })),
      });
      await tab.page.getByRole('heading', { name: 'The talk will start soon' }).waitFor({ timeout: STEP_MS });
      return { page: tab.page, load: Date.now() - started };
    }),
  );
  return { pages: opened.map((o) => o.page), loads: opened.map((o) => o.load) };
}

export function phoneAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.0.${2 + i}`);
}

/** Runs the case; never throws (the error is recorded). */
export async function runThrottled(options: ThrottledOptions, log: (line: string) => void): Promise<ThrottledRecord> {
  const device = PHONES.iphone;
  const record: ThrottledRecord = {
    options, browser: '', device: { width: device.viewport.width, height: device.viewport.height, dpr: device.deviceScaleFactor }, pageLoads: [], presses: [],
  };
  const cleanup = new Cleanup();
  try {
    const staged = await stage(options.presses + 1, cleanup, { twin: true });
    const addresses = phoneAddresses(options.phones);
    await startRelay(addresses, staged.port, options.rttMs, cleanup);
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumLaunchArgs, headless: true, timeout: 30_000 });
    cleanup.add(() => browser.close());
    record.browser = browser.version();
    const presenter = await openPresenter(browser, staged.app);
    const { pages, loads } = await openPhones(browser, addresses, staged.port);
    record.pageLoads = loads;
    log(`throttled: ${pages.length} phones opened the page in ${loads.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s`);

    await stripSeal(staged, staged.deck);
    for (const [prefetch, deck] of [[false, staged.deck], [true, staged.twin!]] as const) {
      const before = await Promise.all(pages.map(slideBytes));
      record.presses.push(...(await pressThrough(staged, deck, presenter.page, pages, prefetch, options.presses, log)));
      const after = await Promise.all(pages.map(slideBytes));
      (record.bytes ??= { off: [], on: [] })[prefetch ? 'on' : 'off'] = after.map((bytes, i) => bytes - before[i]!);
    }
  } catch (error) {
    record.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`throttled: FAILED: ${record.error.split('\n')[0]}`);
  } finally {
    await cleanup.run();
  }
  return record;
}

/** Go live with `deck` and press → through it; each press timed on every phone. */
async function pressThrough(staged: Stage, deck: DeckDetail, presenter: Page, pages: Page[], prefetch: boolean, presses: number, log: (line: string) => void): Promise<PressSample[]> {
  const samples: PressSample[] = [];
  const since = Date.now();
  await goTo(staged, 1, deck.id);
  await presenter.getByRole('heading', { name: 'Next · slide 2' }).waitFor({ timeout: STEP_MS });
  await Promise.all(pages.map((page) => waitForPaint(page, imageUrls(deck.slides[0]!), since)));
  for (let n = 2; n <= presses + 1; n++) {
    if (prefetch) await Promise.all(pages.map((page) => waitForPrefetch(page, deck.id, n - 1)));
    const slide = deck.slides[n - 1]!;
    const pressed = await pressKey(presenter, 'ArrowRight');
    const taken = await Promise.all(
      pages.map(async (page, phone): Promise<PressSample> => {
        const painted = await waitForPaint(page, imageUrls(slide), pressed);
        const arrived = await arrivalOf(page, n, pressed);
        const file = painted.url.startsWith('blob:') ? 'sealed' : new URL(painted.url).pathname.split('/').pop()!.replace(/^[^-]+-/, '');
        return { slide: n, kind: staged.kinds[n - 1]!, phone, toMessage: arrived === undefined ? undefined : arrived - pressed, toImage: painted.t - pressed, variant: file, prefetch };
      }),
    );
    samples.push(...taken);
    log(`throttled (prefetch ${prefetch ? 'on' : 'off'}): slide ${n}: painted after ${taken.map((s) => s.toImage.toFixed(0)).join(', ')} ms (message ${taken.map((s) => s.toMessage?.toFixed(0) ?? '–').join(', ')} ms)`);
    // A pause between slides, as in a talk: the next press does not queue behind this image.
    await sleep(500);
  }
  return samples;
}

/** The phone has fetched, in full, `count` sealed copies of this deck (one per slide it was shown). */
async function waitForPrefetch(page: Page, deckId: string, count: number): Promise<void> {
  await page.waitForFunction(
    ({ deckId, count }) => performance.getEntriesByType('resource').filter((e) => e.name.includes(`/sealed/${deckId}/`) && (e as PerformanceResourceTiming).responseEnd > 0).length >= count,
    { deckId, count },
    { timeout: STEP_MS, polling: 20 },
  );
}

/** Slide bytes this phone has downloaded so far, as transferred: plain images and sealed copies. */
function slideBytes(page: Page): Promise<number> {
  return page.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((e) => e.name.includes('/img/') || e.name.includes('/sealed/'))
      .reduce((sum, e) => sum + e.transferSize, 0),
  );
}
