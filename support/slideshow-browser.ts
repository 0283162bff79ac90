/**
 * Real Chromium against the real application for the slideshow's end-to-end tests: the browser,
 * a signed-in presenter window and phone-sized audience windows, talk-like slide images, a
 * recorder of what each audience page shows (with the time it changed), swipes made of real
 * touch events, and screenshots.
 *
 * Every wait here is bounded. Timestamps compare the browser's `Date.now()` with the test's: the
 * browser runs on the same machine, so both read the same clock.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import sharp from 'sharp';
import type { DeckDetail, DeckSummary, SlideshowState } from '../lib/slideshow/index';
import { startApp, type AppProcess } from './app-process';
import { deckDetail, postDeck, sendLive } from './deck-api';
import { chromiumLaunchArgs, findChromium } from './chromium';
import { until } from './wait';

export { sleep } from './wait';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bound on one awaited step (a page load, a slide arriving after a restart, an upload). */
export const STEP_MS = 15_000;
/** Bound on one test. */
export const TEST_MS = 60_000;

export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  assert.ok(executablePath, 'Chromium not found: install it or set CHROMIUM_PATH');
  return chromium.launch({ executablePath, args: chromiumLaunchArgs, headless: true, timeout: 20_000 });
}

/**
 * tsx compiles this code with esbuild's keepNames, which wraps named inner functions in a
 * `__name(fn, "name")` helper. Functions handed to a page (evaluate, init scripts) take those
 * calls with them, so every page gets a no-op `__name` before anything else runs.
 */
const NAME_SHIM = 'globalThis.__name ??= (fn) => fn;';

export async function newContext(browser: Browser, options: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.addInitScript({ content: NAME_SHIM });
  return context;
}

/** An init script from a function, with the shim in the same script (init script order is not defined). */
async function addInitFunction(context: BrowserContext, fn: () => void): Promise<void> {
  await context.addInitScript({ content: `${NAME_SHIM}\n(${fn.toString()})();` });
}

// ---------------------------------------------------------------------------------------------
// Devices

export const PRESENTER_DESKTOP: BrowserContextOptions = { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 };

export const PHONES = {
  iphone: {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  },
  pixel: {
    viewport: { width: 412, height: 915 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  },
  galaxy: {
    viewport: { width: 360, height: 780 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    userAgent: 'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36',
  },
} satisfies Record<string, BrowserContextOptions>;

// ---------------------------------------------------------------------------------------------
// The presenter

/**
 * The presenter sign-in link the server printed when it started (the line after "listening on",
 * which may arrive a moment after it).
 */
export async function signInLink(app: AppProcess, ms = 5_000): Promise<string> {
  let match: RegExpExecArray | null = null;
  await until(() => (match = /Presenter: (http\S+\/sign-in\?key=\S+)/.exec(app.output())) !== null, () => `the server's presenter sign-in link; it printed:\n${app.output()}`, ms);
  return match![1]!;
}

export async function presenterKeyOf(app: AppProcess): Promise<string> {
  return new URL(await signInLink(app)).searchParams.get('key')!;
}

/** What most end-to-end files start with: the app, its presenter key, and a browser. */
export interface Stage {
  app: AppProcess;
  key: string;
  browser: Browser;
}

/** Closes what startStage opened (either part may be missing when `before` failed half-way). */
export async function stopStage(stage: { app?: AppProcess; browser?: Browser }, signal?: NodeJS.Signals): Promise<void> {
  await stage.browser?.close();
  await stage.app?.stop(signal);
}

export async function startStage(env: Record<string, string> = {}): Promise<Stage> {
  const app = await startApp(env);
  try {
    return { app, key: await presenterKeyOf(app), browser: await launchBrowser() };
  } catch (error) {
    await app.stop('SIGKILL');
    throw error;
  }
}

/** A stage with a deck uploaded and live: at `slides[0]`, then moved through the rest in turn. */
export async function startLiveStage(files: Array<{ name: string; data: Buffer }>, title: string, slides: number[] = [1]): Promise<Stage & { deck: DeckDetail }> {
  const stage = await startStage();
  try {
    const deck = await uploadDeckDetail(stage.app.url, stage.key, files, title);
    for (const [i, slide] of slides.entries()) await sendLive(stage.app.url, stage.key, i === 0 ? { deck: deck.id, slide } : { slide });
    return { ...stage, deck };
  } catch (error) {
    await stopStage(stage, 'SIGKILL');
    throw error;
  }
}

export interface Tab {
  context: BrowserContext;
  page: Page;
}

/**
 * A presenter window (a desktop unless `device` says otherwise, e.g. a phone used as a remote)
 * signed in through the printed link: `GET /sign-in?key=` sets the cookie and
 * lands on /presenter with the key gone from the address bar. Key presses are timestamped in the
 * page (`window.__keys`) as they arrive, before the app sees them.
 */
export async function openPresenter(browser: Browser, app: AppProcess, device: BrowserContextOptions = PRESENTER_DESKTOP): Promise<Tab> {
  const context = await newContext(browser, device);
  await addInitFunction(context, () => {
    const keys: Array<{ key: string; t: number }> = [];
    (window as unknown as { __keys: typeof keys }).__keys = keys;
    window.addEventListener('keydown', (event) => void keys.push({ key: event.key, t: Date.now() }), true);
  });
  const page = await context.newPage();
  await page.goto(await signInLink(app), { timeout: STEP_MS });
  await page.waitForURL((url) => url.pathname === '/presenter', { timeout: STEP_MS });
  assert.equal(new URL(page.url()).search, '', 'the key is dropped from the address bar');
  return { context, page };
}

/** Press a key in the presenter window; resolves to the time the page received it. */
export async function pressKey(page: Page, key: string): Promise<number> {
  const before = await page.evaluate(() => (window as unknown as { __keys: unknown[] }).__keys.length);
  await page.keyboard.press(key);
  const keys = await page.evaluate(() => (window as unknown as { __keys: Array<{ key: string; t: number }> }).__keys);
  const pressed = keys.slice(before).find((entry) => entry.key === key || (key === 'Space' && entry.key === ' '));
  assert.ok(pressed, `the presenter page received ${key}`);
  return pressed.t;
}

/** The presenter view's own "Slide N of M" line. */
export async function waitForPresenterSlide(page: Page, slide: number, count: number, ms = STEP_MS): Promise<void> {
  await page.waitForFunction(
    ({ slide, count }) => {
      const line = document.querySelector('section[aria-label="Current slide"] p[aria-live]');
      return line?.textContent?.replace(/\s+/g, ' ').trim().startsWith(`Slide ${slide} of ${count}`) ?? false;
    },
    { slide, count },
    { timeout: ms, polling: 20 },
  );
}

// ---------------------------------------------------------------------------------------------
// The audience

/** One state of an audience page: the announcement (`Slide N of M.`) and the slide image's URL. */
export interface Shown {
  t: number;
  text: string | null;
  src: string | null;
}

/**
 * A phone-sized window on the audience page. An init script records every change of what the page
 * shows (`window.__shown`, from a MutationObserver, so the time is the moment React committed it)
 * and every slide image that finished loading (`window.__loaded`). `before` runs on the new
 * context before the page opens (more init scripts, response listeners). A slide painted from its
 * prefetched sealed copy has a blob: `src`; its `data-plain-src` names the slide's plain `src`,
 * which is what these records give (tests/e2e/sealed-prefetch.test.ts looks at the blob itself).
 */
export async function openPhone(
  browser: Browser,
  url: string,
  device: BrowserContextOptions,
  { before }: { before?(context: BrowserContext): Promise<void> } = {},
): Promise<Tab> {
  const context = await newContext(browser, device);
  await before?.(context);
  await addInitFunction(context, () => {
    const shown: Array<{ t: number; text: string | null; src: string | null }> = [];
    const loaded: Array<{ t: number; src: string }> = [];
    Object.assign(window, { __shown: shown, __loaded: loaded });
    let last = '';
    const sample = () => {
      const text = document.querySelector('main > p[aria-live]')?.textContent ?? null;
      const src = ((img) => img?.getAttribute('data-plain-src') ?? img?.getAttribute('src'))(document.querySelector('main picture img')) ?? null;
      const key = `${text}\u0000${src}`;
      if (key === last) return;
      last = key;
      shown.push({ t: Date.now(), text, src });
    };
    new MutationObserver(sample).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    document.addEventListener(
      'load',
      (event) => {
        const target = event.target as Element;
        if (target instanceof HTMLImageElement && target.matches('main picture img')) loaded.push({ t: Date.now(), src: target.dataset.plainSrc ?? target.currentSrc });
      },
      true,
    );
  });
  const page = await context.newPage();
  await page.goto(`${url}/`, { timeout: STEP_MS });
  return { context, page };
}

/** What the audience page shows now. */
export function shownNow(page: Page): Promise<Omit<Shown, 't'> & { live: string | null }> {
  return page.evaluate(() => ({
    text: document.querySelector('main > p[aria-live]')?.textContent ?? null,
    src: ((img) => img?.getAttribute('data-plain-src') ?? img?.getAttribute('src'))(document.querySelector('main picture img')) ?? null,
    live: [...document.querySelectorAll('main nav button')].find((b) => b.textContent?.includes('Live: slide'))?.textContent?.trim() ?? null,
  }));
}

export function shownLog(page: Page): Promise<Shown[]> {
  return page.evaluate(() => (window as unknown as { __shown: Shown[] }).__shown);
}

/** The announcement of a slide: `Slide 3 of 12.`, or `Earlier slide: Slide 3 of 12.` while browsing back. */
export function announcement(slide: number, count: number, earlier = false): RegExp {
  return new RegExp(`^${earlier ? 'Earlier slide: ' : ''}Slide ${slide} of ${count}\\.`);
}

/**
 * Wait until the audience page shows `slide` (announcement and image URL) and return the time it
 * first did at or after `since` (from the page's own record).
 */
export async function waitForPhoneSlide(
  page: Page,
  expected: { slide: number; src: string },
  count: number,
  { since = 0, earlier = false, ms = STEP_MS }: { since?: number; earlier?: boolean; ms?: number } = {},
): Promise<number> {
  const pattern = announcement(expected.slide, count, earlier).source;
  const handle = await page.waitForFunction(
    ({ pattern, src, since }) => {
      const entry = (window as unknown as { __shown: Shown[] }).__shown.find((e) => e.t >= since && e.src === src && e.text !== null && new RegExp(pattern).test(e.text));
      const now = {
        text: document.querySelector('main > p[aria-live]')?.textContent ?? '',
        src: ((img) => img?.getAttribute('data-plain-src') ?? img?.getAttribute('src'))(document.querySelector('main picture img')),
      };
      return entry && now.src === src && new RegExp(pattern).test(now.text) ? entry.t : false;
    },
    { pattern, src: expected.src, since },
    { timeout: ms, polling: 20 },
  );
  return (await handle.jsonValue()) as number;
}

/** When the image `src` (one of the slide's sizes) finished loading on the page, at or after `since`. */
export async function waitForPhoneImage(page: Page, srcs: string[], since: number, ms = STEP_MS): Promise<number> {
  const handle = await page.waitForFunction(
    ({ srcs, since }) =>
      (window as unknown as { __loaded: Array<{ t: number; src: string }> }).__loaded.find((e) => e.t >= since && srcs.some((s) => e.src.endsWith(s)))?.t ?? false,
    { srcs, since },
    { timeout: ms, polling: 20 },
  );
  return (await handle.jsonValue()) as number;
}

/** Every URL a slide's `<img>` may load (JPEG `src`, and each WebP/JPEG size of its `srcset`). */
export function imageUrls(slide: DeckDetail['slides'][number]): string[] {
  return [slide.src, ...slide.images.flatMap((image) => [image.webp, image.jpeg])];
}

/**
 * A one-finger horizontal swipe made of real touch events (CDP `Input.dispatchTouchEvent`), as a
 * phone's touchscreen sends them: start, a few moves, end, in well under the page's 800 ms.
 */
export async function swipe(page: Page, direction: 'left' | 'right'): Promise<void> {
  const viewport = page.viewportSize()!;
  const y = Math.round(viewport.height * 0.45);
  const [from, to] = direction === 'right' ? [viewport.width * 0.2, viewport.width * 0.8] : [viewport.width * 0.8, viewport.width * 0.2];
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from, y }] });
    for (let step = 1; step <= 4; step++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: from + ((to - from) * step) / 4, y: y + step }] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** Marks the page; `marked` is still true only if the document was never reloaded or replaced. */
/**
 * Two animation frames on the page: what its input handlers did (a key, a swipe) has been
 * rendered by React and painted. The barrier for "that input changed nothing".
 */
export async function rendered(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

export async function markPage(page: Page): Promise<string> {
  const marker = `m-${Math.random().toString(36).slice(2)}`;
  await page.evaluate((marker) => Object.assign(window, { __marker: marker }), marker);
  return marker;
}

export async function stillMarked(page: Page, marker: string): Promise<boolean> {
  return page.evaluate((marker) => (window as unknown as { __marker?: string }).__marker === marker, marker);
}

// ---------------------------------------------------------------------------------------------
// Preconditions of a scenario's steps: each step first checks what it relies on from the steps
// before it, so a failure names the broken step instead of timing out in every later one.

/** The talk as anyone reads it (`GET /api/live`). */
export async function liveNow(url: string): Promise<SlideshowState> {
  const response = await fetch(`${url}/api/live`, { signal: AbortSignal.timeout(STEP_MS) });
  assert.equal(response.status, 200, 'GET /api/live');
  return (await response.json()) as SlideshowState;
}

/** The step `step` needs the talk live at `slide` (not blacked out unless `blackout`), or no talk live (`slide: 'idle'`). */
export async function assertTalkAt(url: string, slide: number | 'idle', step: string, { blackout = false } = {}): Promise<void> {
  const state = await liveNow(url);
  const now = state.live ? `live at slide ${state.slide}${state.blackout ? ', blacked out' : ''}` : 'not live';
  if (slide === 'idle') assert.equal(state.live, false, `${step}: needs no talk live; the talk is ${now}`);
  else assert.ok(state.live && state.slide === slide && state.blackout === blackout, `${step}: needs the talk live at slide ${slide}${blackout ? ', blacked out' : ''}; it is ${now}`);
}

/** The step `step` needs the audience page to show slide `slide` of `count` (live, or browsing back with `earlier`). */
export async function assertPhoneAt(page: Page, slide: number, count: number, step: string, earlier = false): Promise<void> {
  const now = await shownNow(page);
  assert.match(now.text ?? '', announcement(slide, count, earlier), `${step}: needs the phone on slide ${slide} of ${count}; it shows ${JSON.stringify(now.text)}`);
}

// ---------------------------------------------------------------------------------------------
// Decks over the HTTP API (setup for tests that are not about uploading)

export { deckDetail, sendLive } from './deck-api';

/** The library page, loaded: its heading and the deck count are on screen. */
export async function openLibrary(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/decks`, { timeout: STEP_MS });
  await page.getByRole('heading', { name: 'Your decks' }).waitFor({ timeout: STEP_MS });
  await page.getByRole('heading', { name: /^Library \(\d+\)$/ }).waitFor({ timeout: STEP_MS });
}

/** A deck uploaded with the key, as `GET /api/decks/:id` details it. */
export async function uploadDeckDetail(url: string, key: string, files: Array<{ name: string; data: Buffer }>, title: string): Promise<DeckDetail> {
  return deckDetail(url, key, (await postDeck(url, key, files, title)).id);
}

export function uploadDeck(url: string, key: string, files: Array<{ name: string; data: Buffer }>, title: string): Promise<DeckSummary> {
  return postDeck(url, key, files, title);
}

// ---------------------------------------------------------------------------------------------
// Slides that look like a talk

const PALETTE = [
  ['#0f172a', '#1e3a8a', '#38bdf8'],
  ['#1e1b4b', '#6d28d9', '#c4b5fd'],
  ['#052e16', '#15803d', '#86efac'],
  ['#431407', '#c2410c', '#fdba74'],
  ['#3f0d12', '#be123c', '#fda4af'],
  ['#042f2e', '#0f766e', '#5eead4'],
] as const;

export interface TalkSlide {
  title: string;
  lines?: string[];
}

/**
 * A slide as a presentation program exports it: gradient, title, a few lines and a bar chart, the
 * slide number in the corner. `width` varies the size (the tests tell slides apart by it).
 */
export async function makeTalkSlide(slide: TalkSlide, number: number, options: { width?: number; height?: number; format?: 'png' | 'jpeg' } = {}): Promise<Buffer> {
  const width = options.width ?? 1280;
  const height = options.height ?? 720;
  const [from, to, accent] = PALETTE[(number - 1) % PALETTE.length]!;
  const scale = width / 1280;
  const lines = (slide.lines ?? [])
    .map((line, i) => `<text x="${90 * scale}" y="${(300 + i * 62) * scale}" font-family="sans-serif" font-size="${36 * scale}" fill="#e2e8f0">• ${escapeXml(line)}</text>`)
    .join('');
  const bars = [0.45, 0.7, 0.55, 0.9]
    .map((h, i) => {
      const barHeight = h * 260 * scale;
      return `<rect x="${(860 + i * 80) * scale}" y="${620 * scale - barHeight}" width="${56 * scale}" height="${barHeight}" rx="${6 * scale}" fill="${accent}" fill-opacity="${0.55 + i * 0.12}"/>`;
    })
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#g)"/>` +
    `<rect x="${90 * scale}" y="${120 * scale}" width="${80 * scale}" height="${8 * scale}" rx="${4 * scale}" fill="${accent}"/>` +
    `<text x="${90 * scale}" y="${210 * scale}" font-family="sans-serif" font-size="${68 * scale}" font-weight="700" fill="#ffffff">${escapeXml(slide.title)}</text>` +
    lines +
    bars +
    `<text x="${(1280 - 60) * scale}" y="${(720 - 44) * scale}" text-anchor="end" font-family="sans-serif" font-size="${28 * scale}" font-weight="700" fill="${accent}">${number}</text>` +
    `</svg>`;
  const image = sharp(Buffer.from(svg));
  return options.format === 'jpeg' ? image.jpeg({ quality: 85 }).toBuffer() : image.png().toBuffer();
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/** The talk the live tests present (12 slides). */
export const TALK: TalkSlide[] = [
  { title: 'Comet Deck', lines: ['Live slides on every phone', 'One link, no app'] },
  { title: 'Why follow on a phone?', lines: ['The back row can read the code', 'Zoom into the chart'] },
  { title: 'How it works', lines: ['Presenter publishes a change', 'Bayeux pushes it to every phone'] },
  { title: 'No peeking ahead', lines: ['An image exists once it is shown', 'Everything else is 404'] },
  { title: 'Only the presenter drives', lines: ['Audience publishes are refused', 'Handshake tokens for presenters'] },
  { title: 'Latency', lines: ['WebSocket first, long-polling after', 'Well under a second'] },
  { title: 'Restarts', lines: ['The talk is kept on disk', 'Phones come back by themselves'] },
  { title: 'Going back', lines: ['Swipe through what was shown', 'Tap Live to catch up'] },
  { title: 'Blackout', lines: ['Press B', 'Every phone goes dark'] },
  { title: 'Clickers welcome', lines: ['PageUp and PageDown', 'Digits, then Enter'] },
  { title: 'Questions?', lines: ['Slides stay on your phone'] },
  { title: 'Thank you', lines: ['Comet Deck'] },
];

export async function talkFiles(slides: TalkSlide[] = TALK): Promise<Array<{ name: string; data: Buffer }>> {
  return Promise.all(slides.map(async (slide, i) => ({ name: `Slide${i + 1}.png`, data: await makeTalkSlide(slide, i + 1) })));
}

// ---------------------------------------------------------------------------------------------
// Screenshots

export const ARTIFACTS_DIR = path.join(root, 'artifacts', 'screenshots');
const DOCS_DIR = path.join(root, 'docs', 'screenshots');

/** Wait until every image inside the viewport has loaded (lazy ones outside it do not count). */
export async function imagesSettled(page: Page, ms = STEP_MS): Promise<void> {
  await page.waitForFunction(
    () =>
      [...document.images].every((image) => {
        const box = image.getBoundingClientRect();
        const visible = box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth;
        return !visible || (image.complete && image.naturalWidth > 0);
      }),
    undefined,
    { timeout: ms, polling: 50 },
  );
}

/** A screenshot under artifacts/screenshots/ (git-ignored); returns the PNG. */
export async function screenshot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const png = await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), timeout: STEP_MS, animations: 'disabled', caret: 'hide' });
  return png;
}

/**
 * The README's screenshots (docs/screenshots/, committed): written when missing, or when
 * UPDATE_DOCS_SCREENSHOTS=1, so an ordinary test run leaves the working tree clean. Recompressed
 * to stay small; returns the file's size in bytes.
 */
export async function docsScreenshot(png: Buffer, name: 'audience' | 'presenter' | 'room' | 'presenter-notes'): Promise<number> {
  const file = path.join(DOCS_DIR, `${name}.png`);
  const small = await sharp(png).png({ compressionLevel: 9, palette: true, quality: 90, effort: 10 }).toBuffer();
  if (process.env.UPDATE_DOCS_SCREENSHOTS === '1' || !existsSync(file)) {
    mkdirSync(DOCS_DIR, { recursive: true });
    writeFileSync(file, small);
  }
  return small.length;
}
