/**
 * Sealed prefetch on the audience page: once the live slide is painted, fetch the next slide's
 * sealed copy (LiveState.next) for this screen at low priority and keep the ciphertext in memory;
 * when a state shows that slide, open it with the state's key and paint it from a blob: URL, with
 * no request for the plain image. Until then the page holds only bytes nobody can read (the key
 * comes with the state that shows the slide). A jump elsewhere, a fetch that failed or is too
 * slow, or bytes that do not open: the caller paints the plain image as before.
 *
 * One slide is kept ahead (the one the presenter will most likely show next) and one opened
 * behind (the one on screen); older blob: URLs are revoked. Browser-only module state.
 */
import type { LiveState, SealedImage, SealedNext } from '@/lib/slideshow';
import { isSealKey, loadPureAes, needsPureAes, openSealed } from './sealed-open';

/** Waiting longer than this for the prefetch to finish is slower than asking for the plain image. */
export const OPEN_TIMEOUT_MS = 1_500;

interface Prefetch {
  readonly deck: string;
  readonly slide: number;
  readonly url: string;
  readonly abort: AbortController;
  readonly bytes: Promise<ArrayBuffer | undefined>;
  /** The bytes have arrived (`bytes` has settled with them). */
  arrived?: boolean;
}

interface Opened {
  readonly deck: string;
  readonly slide: number;
  readonly key: string;
  readonly url: Promise<string | undefined>;
  /** Once `url` has settled: what it gave. */
  settled?: { url: string | undefined };
}

let ahead: Prefetch | undefined;
let opened: Opened | undefined;

/** The screen the variant is chosen for: the viewport in CSS pixels and its pixel density. */
export interface Screen {
  width: number;
  height: number;
  dpr: number;
}

export function currentScreen(): Screen {
  return { width: window.innerWidth, height: window.innerHeight, dpr: window.devicePixelRatio || 1 };
}

/** Starts fetching `state.next`'s sealed copy for `screen`, unless it is already fetched or fetching. */
export function prefetchNext(state: LiveState, screen: Screen = currentScreen()): void {
  const next = validNext(state.next);
  if (!next) return;
  const variant = chooseVariant(next.sealed, slotWidth(state, screen), screen.dpr);
  const url = variant.webp;
  if (ahead && ahead.deck === state.deck && ahead.slide === next.slide && ahead.url === url) return;
  ahead?.abort.abort();
  const abort = new AbortController();
  const bytes = fetch(url, { priority: 'low', credentials: 'omit', signal: abort.signal })
    .then((response) => (response.ok ? response.arrayBuffer() : undefined))
    .catch(() => undefined);
  const entry: Prefetch = { deck: state.deck, slide: next.slide, url, abort, bytes };
  ahead = entry;
  void bytes.then((arrived) => void (entry.arrived = arrived !== undefined));
  // No WebCrypto here (plain http): have the pure-JavaScript AES ready before the change comes.
  if (needsPureAes()) void loadPureAes().catch(() => undefined);
}

/** Whether `state` shows the slide fetched ahead and carries a key to open it (known at once, no waiting). */
export function hasPrefetched(state: LiveState): boolean {
  const same = (entry: { deck: string; slide: number } | undefined) => entry?.deck === state.deck && entry.slide === state.slide;
  return isSealKey(state.key) && (same(ahead) || (same(opened) && opened!.key === state.key));
}

/** Whether `state`'s slide can open from memory now (its sealed copy has arrived, or it is opened already): opening it takes no download. */
export function inMemory(state: LiveState): boolean {
  const same = (entry: { deck: string; slide: number } | undefined) => entry?.deck === state.deck && entry.slide === state.slide;
  return (same(ahead) && ahead!.arrived === true) || (same(opened) && opened!.key === state.key);
}

/**
 * The blob: URL of `state`'s slide opened from the prefetched copy, or undefined when there is
 * none, it did not arrive in time, or it does not open with the state's key (fall back to plain).
 */
export function openPrefetched(state: LiveState): Promise<string | undefined> {
  if (opened && opened.deck === state.deck && opened.slide === state.slide && opened.key === state.key) return opened.url;
  const entry = ahead;
  const key = state.key;
  if (!entry || entry.deck !== state.deck || entry.slide !== state.slide || !isSealKey(key)) return Promise.resolve(undefined);
  ahead = undefined;
  const previous = opened;
  const url = withTimeout(entry.bytes, OPEN_TIMEOUT_MS).then(async (bytes) => {
    if (!bytes) return entry.abort.abort(), undefined;
    const start = performance.now();
    const plain = await openSealed(bytes, key);
    // A User Timing entry: what opening took on this phone (the bench reads it).
    performance.measure?.('sealed-open', { start });
    return plain ? URL.createObjectURL(new Blob([plain], { type: 'image/webp' })) : undefined;
  });
  const entryOpened: Opened = { deck: state.deck, slide: state.slide, key, url };
  opened = entryOpened;
  void url.then((settled) => void (entryOpened.settled = { url: settled }));
  // The slide before is off screen once this one paints: let its bytes go.
  void url.then(() => previous?.url.then((old) => old && URL.revokeObjectURL(old)));
  return url;
}

/** `state`'s slide as already opened (a re-render, or opened as the state arrived): its URL, undefined if it did not open, null while it is opening or was never asked for. */
export function openedNow(state: LiveState): string | undefined | null {
  if (!opened || opened.deck !== state.deck || opened.slide !== state.slide || opened.key !== state.key || !opened.settled) return null;
  return opened.settled.url;
}

/** How wide the live slide is drawn, in CSS pixels: as fullScreenSizes (slide-picture.tsx) says to the browser. */
export function slotWidth(slide: Pick<LiveState, 'width' | 'height'>, screen: Screen): number {
  const ratio = slide.width / slide.height;
  return screen.width / screen.height >= ratio ? screen.height * ratio : screen.width;
}

/**
 * The variant a `srcset` of these widths would load in a slot `slot` CSS pixels wide at `dpr`:
 * Chromium's choice (HTMLSrcsetParser's SelectionLogic), which takes the smaller of two candidates
 * while the density wanted is below their geometric mean.
 */
export function chooseVariant(images: readonly SealedImage[], slot: number, dpr: number): SealedImage {
  const sorted = [...images].sort((a, b) => a.width - b.width);
  for (let i = 0; i < sorted.length - 1; i++) {
    const next = sorted[i + 1]!.width / slot;
    if (next < dpr) continue;
    const current = sorted[i]!.width / slot;
    return (dpr <= 1 && dpr > current) || dpr >= Math.sqrt(current * next) ? sorted[i + 1]! : sorted[i]!;
  }
  return sorted.at(-1)!;
}

/** `next` if it is well-formed (the server is trusted; this guards against garbage). */
function validNext(next: unknown): SealedNext | undefined {
  if (typeof next !== 'object' || next === null) return undefined;
  const { slide, sealed } = next as Partial<SealedNext>;
  if (!Number.isSafeInteger(slide) || !Array.isArray(sealed) || sealed.length === 0) return undefined;
  const images = sealed.every((image) => Number.isSafeInteger(image?.width) && image.width > 0 && typeof image.webp === 'string' && typeof image.jpeg === 'string');
  return images ? (next as SealedNext) : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** Forget everything (tests; a page leaving the talk). */
export function resetSealedPrefetch(): void {
  ahead?.abort.abort();
  void opened?.url.then((url) => url && URL.revokeObjectURL(url));
  ahead = undefined;
  opened = undefined;
}
