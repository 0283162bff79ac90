/**
 * The audience page on a phone (issue 4, "the audience page's weight matters as much"): what a
 * phone downloads to open the page, what it downloads per slide, and how long from the
 * presenter's key press until the new slide is painted on the phone. Real parts only: our
 * production server (server/index.ts), Debian's Chromium through Playwright, a presenter window
 * signed in through the printed link and a phone-emulated window (390 × 844 CSS px, 3× screen,
 * touch, an iPhone's user agent), a deck uploaded as a presentation program exports it.
 *
 * Paint time comes from the browser's Element Timing API: every slide `<img>` the page adds is
 * tagged before its image loads, and the entry's `renderTime` is when the frame showing it was
 * painted. Key press time is the presenter page's own `keydown` time. Both are wall-clock times
 * of one browser on this machine, so they compare directly.
 */
import { rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { Browser, Page, Response } from '@playwright/test';
import sharp from 'sharp';
import type { DeckDetail, DeckSummary } from '../lib/slideshow/index';
import { startApp, tempDataDir, type AppProcess } from '../support/app-process';
import {
  deckDetail, imageUrls, launchBrowser, makeTalkSlide, openPhone, openPresenter, PHONES, presenterKeyOf, pressKey,
  waitForPhoneSlide, type Tab, type TalkSlide,
} from '../support/slideshow-browser';
import { until } from '../support/wait';
import { machineInfo, type Machine } from './proc';
import { percentiles } from './stats';

export const PAGE_DEVICE = { width: PHONES.iphone.viewport.width, height: PHONES.iphone.viewport.height, dpr: PHONES.iphone.deviceScaleFactor };
/** Key presses measured (the issue: median of 20); the deck has one slide more. */
export const PRESSES = 20;
/** Targets of issue 4 for the page. */
export const PAGE_TARGETS = { jsGzipKB: 120, slideKB: 250, keyToPaintMs: 150 };
/** Slides are exported at 1920 × 1080, as Keynote, PowerPoint and Google Slides do by default. */
const EXPORT = { width: 1920, height: 1080 };
/** Every fourth slide is a photograph; the others are text and a chart. */
const PHOTO_EVERY = 4;
const STEP_MS = 15_000;

export interface Download {
  url: string;
  /** Bytes as the server sent them (after any Content-Encoding). */
  transferred: number;
  /** Bytes once decoded. */
  bytes: number;
  /** Bytes gzip'd at zlib's default level (6), as a compressing server or CDN sends them. */
  gzip: number;
  encoding: string | undefined;
}

export interface SlideDownload {
  slide: number;
  kind: 'text and chart' | 'photo';
  /** The image the phone chose from the srcset (file name only: the path holds the secret token). */
  variant: string;
  bytes: number;
  /** The slide change message(s) received over the WebSocket for this slide. */
  messageBytes: number;
}

export interface PaintSample {
  slide: number;
  /** Key press to the audience page showing the new slide in its DOM (text and image element). */
  toDom: number;
  /** Key press to the placeholder painted (shown at once while the image loads), if it was. */
  toPlaceholder: number | undefined;
  /** Key press to the slide image painted. */
  toImage: number;
}

export interface PageRecord {
  date: string;
  machine: Machine;
  code: string;
  command: string;
  durationSeconds: number;
  browser: string;
  device: typeof PAGE_DEVICE;
  page: { scripts: Download[]; styles: Download[]; document: Download | undefined };
  slides: SlideDownload[];
  paints: PaintSample[];
  error?: string;
}

export interface PageSummary {
  jsGzip: number;
  jsTransferred: number;
  jsBytes: number;
  cssGzip: number;
  htmlGzip: number;
  slideMedian: number;
  slideMax: number;
  photoMedian: number | undefined;
  textMedian: number | undefined;
  variants: string[];
  messageMedian: number;
  paintMedian: number;
  paintP90: number;
  paintMax: number;
  domMedian: number;
  placeholderMedian: number | undefined;
}

export function summarise(record: PageRecord): PageSummary {
  const sum = (files: Download[], field: keyof Pick<Download, 'gzip' | 'transferred' | 'bytes'>) => files.reduce((total, file) => total + file[field], 0);
  const median = (values: number[]) => percentiles(values)?.p50 ?? Number.NaN;
  const ofKind = (kind: SlideDownload['kind']) => record.slides.filter((s) => s.kind === kind).map((s) => s.bytes);
  const placeholders = record.paints.flatMap((p) => (p.toPlaceholder === undefined ? [] : [p.toPlaceholder]));
  const images = percentiles(record.paints.map((p) => p.toImage));
  return {
    jsGzip: sum(record.page.scripts, 'gzip'),
    jsTransferred: sum(record.page.scripts, 'transferred'),
    jsBytes: sum(record.page.scripts, 'bytes'),
    cssGzip: sum(record.page.styles, 'gzip'),
    htmlGzip: record.page.document?.gzip ?? 0,
    slideMedian: median(record.slides.map((s) => s.bytes)),
    slideMax: Math.max(...record.slides.map((s) => s.bytes)),
    photoMedian: ofKind('photo').length ? median(ofKind('photo')) : undefined,
    textMedian: ofKind('text and chart').length ? median(ofKind('text and chart')) : undefined,
    variants: [...new Set(record.slides.map((s) => s.variant.replace(/^[^-]+-/, '')))],
    messageMedian: median(record.slides.map((s) => s.messageBytes)),
    paintMedian: images?.p50 ?? Number.NaN,
    paintP90: images?.p90 ?? Number.NaN,
    paintMax: images?.max ?? Number.NaN,
    domMedian: median(record.paints.map((p) => p.toDom)),
    placeholderMedian: placeholders.length ? median(placeholders) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// The deck

const TOPICS: TalkSlide[] = [
  { title: 'Live slides on every phone', lines: ['One link, no app', 'Follows the presenter'] },
  { title: 'Why follow on a phone?', lines: ['The back row can read the code', 'Zoom into the chart'] },
  { title: 'How it works', lines: ['Presenter publishes a change', 'Bayeux pushes it to every phone'] },
  { title: 'No peeking ahead', lines: ['An image exists once it is shown', 'Everything else is 404'] },
  { title: 'Latency', lines: ['WebSocket first, long-polling after', 'Well under a second'] },
];

/** A photograph as a slide: smooth light and colour at large scale, grain at small scale, a caption. */
async function makePhotoSlide(number: number): Promise<Buffer> {
  let seed = number * 2654435761;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const coarse = Buffer.alloc(24 * 14 * 3, 0).map(() => Math.floor(40 + random() * 180));
  const grain = Buffer.alloc(EXPORT.width * EXPORT.height, 0).map(() => Math.floor(112 + random() * 32));
  const scene = await sharp(coarse, { raw: { width: 24, height: 14, channels: 3 } }).resize(EXPORT.width, EXPORT.height, { kernel: 'cubic' }).blur(6).png().toBuffer();
  const caption = `<svg xmlns="http://www.w3.org/2000/svg" width="${EXPORT.width}" height="${EXPORT.height}"><rect y="${EXPORT.height - 180}" width="100%" height="180" fill="#000" fill-opacity="0.45"/><text x="96" y="${EXPORT.height - 70}" font-family="sans-serif" font-size="64" font-weight="700" fill="#fff">Photo ${number}: the venue</text></svg>`;
  const grainPng = await sharp(grain, { raw: { width: EXPORT.width, height: EXPORT.height, channels: 1 } }).toColourspace('srgb').png().toBuffer();
  return sharp(scene).composite([{ input: grainPng, blend: 'overlay' }, { input: Buffer.from(caption) }]).png().toBuffer();
}

export async function deckFiles(count: number): Promise<Array<{ name: string; data: Buffer; kind: SlideDownload['kind'] }>> {
  const files = [];
  for (let n = 1; n <= count; n++) {
    const photo = n % PHOTO_EVERY === 0;
    const data = photo ? await makePhotoSlide(n) : await makeTalkSlide(TOPICS[(n - 1) % TOPICS.length]!, n, EXPORT);
    files.push({ name: `Slide${n}.png`, data, kind: photo ? ('photo' as const) : ('text and chart' as const) });
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// Measuring

/** Tags every slide image before it loads so Element Timing reports its paint (window.__paints). */
function recordPaints(): void {
  const paints: Array<{ id: string; url: string; sealed: boolean; t: number }> = [];
  Object.assign(window, { __paints: paints });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as Array<PerformanceEntry & { identifier: string; url: string; renderTime: number; loadTime: number; element: Element | null }>) {
      // A slide painted from its prefetched sealed copy has a blob: URL; data-plain-src names the slide.
      const url = entry.element?.getAttribute('data-plain-src') ?? entry.url;
      paints.push({ id: entry.identifier, url, sealed: entry.url.startsWith('blob:'), t: performance.timeOrigin + (entry.renderTime || entry.loadTime) });
    }
  }).observe({ type: 'element', buffered: true });
  const tag = () => {
    for (const img of document.querySelectorAll('main img:not([elementtiming])')) img.setAttribute('elementtiming', img.closest('picture') ? 'slide' : 'placeholder');
  };
  new MutationObserver(tag).observe(document, { subtree: true, childList: true });
}

async function download(response: Response): Promise<Download> {
  const body = await response.body();
  const sizes = await response.request().sizes();
  const headers = await response.allHeaders();
  return { url: new URL(response.url()).pathname, transferred: sizes.responseBodySize, bytes: body.length, gzip: gzipSync(body).length, encoding: headers['content-encoding'] };
}

/** What the phone downloads to open the audience page: the document, its scripts and styles. */
async function openPhoneCollecting(
  browser: Browser, app: AppProcess,
): Promise<{ tab: Tab; page: PageRecord['page']; frames: Array<{ bytes: number }> }> {
  const responses: Response[] = [];
  const frames: Array<{ bytes: number }> = [];
  const tab = await openPhone(browser, app.url, PHONES.iphone, {
    before: async (context) => {
      await context.addInitScript({ content: `(${recordPaints.toString()})();` });
      context.on('response', (response) => void responses.push(response));
      // The slide change messages: bytes of every WebSocket frame the phone receives.
      context.on('page', (page) => page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => void frames.push({ bytes: Buffer.byteLength(payload) }))));
    },
  });
  await tab.page.getByRole('heading', { name: 'The talk will start soon' }).waitFor({ timeout: STEP_MS });
  await tab.page.waitForLoadState('networkidle', { timeout: STEP_MS });
  // blob: and data: URLs are made in the page, not downloaded.
  const of = (type: string) => responses.filter((r) => r.request().resourceType() === type && r.status() === 200 && /^https?:/.test(r.url()));
  return {
    tab,
    frames,
    page: {
      scripts: await Promise.all(of('script').map(download)),
      styles: await Promise.all(of('stylesheet').map(download)),
      document: of('document')[0] ? await download(of('document')[0]!) : undefined,
    },
  };
}


interface Paint {
  id: string;
  url: string;
  /** Painted from a prefetched sealed copy (a blob: URL), not a downloaded image. */
  sealed: boolean;
  t: number;
}

async function waitForPaint(page: Page, urls: string[], since: number): Promise<Paint> {
  const handle = await page.waitForFunction(
    ({ urls, since }) => (window as unknown as { __paints: Paint[] }).__paints.find((p) => p.id === 'slide' && p.t >= since - 1 && urls.some((u) => p.url.endsWith(u))) ?? false,
    { urls, since },
    { timeout: STEP_MS, polling: 20 },
  );
  return (await handle.jsonValue()) as Paint;
}

async function placeholderPaint(page: Page, since: number, before: number): Promise<number | undefined> {
  return page.evaluate(
    ({ since, before }) => (window as unknown as { __paints: Paint[] }).__paints.find((p) => p.id === 'placeholder' && p.t >= since - 1 && p.t <= before)?.t,
    { since, before },
  );
}

/**
 * The deck, uploaded as support/slideshow-browser.ts' uploadDeck does, with more time: 21 full-HD slides take
 * tens of seconds to render on a busy 2-core machine, and the upload is set-up, not measured.
 */
async function uploadBenchDeck(url: string, key: string, files: Array<{ name: string; data: Buffer }>): Promise<DeckSummary> {
  const form = new FormData();
  form.append('title', 'Page bench');
  for (const file of files) form.append('file', new Blob([new Uint8Array(file.data)]), file.name);
  const response = await fetch(`${url}/api/decks`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form, signal: AbortSignal.timeout(180_000) });
  const body = (await response.json()) as DeckSummary & { error?: string };
  if (response.status !== 201) throw new Error(`the bench deck's upload failed: HTTP ${response.status} ${body.error ?? ''}`);
  return body;
}

/** Runs the whole page measurement against a fresh server; never throws (the error is recorded). */
export async function runPageBench(options: { code: string; command: string; log(line: string): void }): Promise<PageRecord> {
  const started = performance.now();
  const record: PageRecord = {
    date: new Date().toISOString(), machine: machineInfo(), code: options.code, command: options.command, durationSeconds: 0, browser: '', device: PAGE_DEVICE,
    page: { scripts: [], styles: [], document: undefined }, slides: [], paints: [],
  };
  let app: AppProcess | undefined;
  let browser: Browser | undefined;
  let dataDir: string | undefined;
  try {
    options.log(`page: making a ${PRESSES + 1}-slide deck at ${EXPORT.width}×${EXPORT.height} ...`);
    const files = await deckFiles(PRESSES + 1);
    dataDir = tempDataDir();
    app = await startApp({ SLIDES_DIR: dataDir });
    const key = await presenterKeyOf(app);
    const summary = await uploadBenchDeck(app.url, key, files);
    const deck = await deckDetail(app.url, key, summary.id);
    browser = await launchBrowser();
    record.browser = browser.version();
    options.log(`page: Chromium ${record.browser}, phone ${PAGE_DEVICE.width}×${PAGE_DEVICE.height} at ${PAGE_DEVICE.dpr}×`);
    const presenter = await openPresenter(browser, app);
    const opened = await openPhoneCollecting(browser, app);
    record.page = opened.page;
    const phone = opened.tab.page;
    const frames = opened.frames;
    const imageBytes = new Map<string, number>();
    /** The sealed copies the page prefetched: when each finished, and its size. */
    const sealedBytes: Array<{ t: number; bytes: number }> = [];
    phone.on('requestfinished', (request) => {
      if (request.url().startsWith('data:') || request.url().startsWith('blob:')) return;
      const { pathname } = new URL(request.url());
      const finished = Date.now();
      if (pathname.startsWith('/sealed/')) return void request.sizes().then((sizes) => sealedBytes.push({ t: finished, bytes: sizes.responseBodySize }), () => undefined);
      if (request.resourceType() !== 'image') return;
      void request.sizes().then((sizes) => imageBytes.set(pathname, sizes.responseBodySize), () => undefined);
    });

    const live = await fetch(`${app.url}/api/live`, {
      method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ deck: deck.id, slide: 1 }),
    });
    if (live.status !== 200) throw new Error(`going live failed: HTTP ${live.status}`);
    await presenter.page.getByRole('heading', { name: 'Next · slide 2' }).waitFor({ timeout: STEP_MS });
    await waitForPhoneSlide(phone, { slide: 1, src: deck.slides[0]!.src }, deck.count);
    await waitForPaint(phone, imageUrls(deck.slides[0]!), 0);

    for (let n = 2; n <= PRESSES + 1; n++) {
      const slide = deck.slides[n - 1]!;
      const framesBefore = frames.length;
      const pressed = await pressKey(presenter.page, 'ArrowRight');
      const shown = await waitForPhoneSlide(phone, { slide: n, src: slide.src }, deck.count, { since: pressed });
      const painted = await waitForPaint(phone, imageUrls(slide), pressed);
      const placeholder = await placeholderPaint(phone, pressed, painted.t);
      record.paints.push({ slide: n, toDom: shown - pressed, toPlaceholder: placeholder === undefined ? undefined : placeholder - pressed, toImage: painted.t - pressed });
      const messageBytes = frames.slice(framesBefore).reduce((total, frame) => total + frame.bytes, 0);
      if (painted.sealed) {
        // Painted from the sealed copy prefetched after the previous slide: the last one finished before the press.
        const prefetched = sealedBytes.filter((download) => download.t <= pressed).at(-1);
        record.slides.push({ slide: n, kind: files[n - 1]!.kind, variant: 'sealed (prefetched)', bytes: prefetched?.bytes ?? 0, messageBytes });
      } else {
        const path = new URL(painted.url, app.url).pathname;
        await until(() => imageBytes.has(path), `the size of ${path.split('/').pop()}`, 5_000);
        record.slides.push({ slide: n, kind: files[n - 1]!.kind, variant: path.split('/').pop()!, bytes: imageBytes.get(path)!, messageBytes });
      }
      // Let the page settle between presses, as between slides of a talk.
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  } catch (error) {
    record.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    options.log(`page: FAILED: ${record.error.split('\n')[0]}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await app?.stop('SIGTERM').catch(() => undefined);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
  record.durationSeconds = Math.round((performance.now() - started) / 1000);
  return record;
}
