/**
 * The audience page's door to sealed prefetch, and all of it that is in the page's first load:
 * the prefetching and opening code (sealed-prefetch.ts, sealed-open.ts) is imported at the first
 * prefetch, after the live slide has painted, so the page's first load carries a few lines only.
 * A slide can only open from a prefetch, so by the time one could, the code is here.
 */
import type { LiveState, SlideshowState } from '@/lib/slideshow';
import { whenIdle } from './idle';

type SealedPrefetch = typeof import('./sealed-prefetch');

let loaded: SealedPrefetch | undefined;

/**
 * A room's phones start fetching the next slide this long after painting the current one, spread
 * at random over PREFETCH_SPREAD_MS more: so that a thousand phones on one venue link never
 * download ahead while the slide change itself is still reaching the rest of the room, and do not
 * all ask the server at the same instant. A slide stays up far longer than that.
 */
export const PREFETCH_DELAY_MS = 1_000;
export const PREFETCH_SPREAD_MS = 2_000;

/** Waiting longer than this for an idle moment would leave too little time to fetch before the next change. */
const IDLE_TIMEOUT_MS = 500;

/** Counts prefetchAhead's calls and slide changes: a prefetch asked for before the latest of them never starts. */
let asked = 0;
/** The slide whose next slide a prefetch waits to fetch. */
let waitingOn: { deck: string; slide: number } | undefined;

/**
 * Fetch the next slide's sealed copy ahead (sealed-prefetch.ts `prefetchNext`), loading the code
 * first, after `delayMs` and then an idle moment: choosing the variant reads the viewport's size,
 * which in the middle of the page's start (the image's load event is replayed as React hydrates)
 * would make the browser lay the page out at once, in the same task.
 */
export function prefetchAhead(state: LiveState, delayMs = PREFETCH_DELAY_MS + Math.random() * PREFETCH_SPREAD_MS): void {
  if (!state.next) return;
  const mine = ++asked;
  waitingOn = { deck: state.deck, slide: state.slide };
  const run = () => {
    if (mine !== asked) return;
    waitingOn = undefined;
    if (loaded) return loaded.prefetchNext(state);
    void import('./sealed-prefetch').then((module) => {
      loaded = module;
      if (mine === asked) module.prefetchNext(state);
    }, () => undefined);
  };
  setTimeout(() => whenIdle(run, IDLE_TIMEOUT_MS), delayMs);
}

/** The prefetch code, once a prefetch has loaded it (undefined before: nothing can open yet). */
export function sealedPrefetch(): SealedPrefetch | undefined {
  return loaded;
}

/**
 * A state arrived: if it shows the slide fetched ahead, start opening it now, before the page
 * renders it. When its sealed copy is in memory already, opening takes milliseconds: the promise
 * settles once it is open, so the caller may hold the render until then and paint the slide in
 * one go. Undefined when there is nothing to wait for (nothing prefetched, or still downloading).
 */
export function openAhead(state: SlideshowState): Promise<unknown> | undefined {
  // The talk moved on: a prefetch still waiting to start is for a slide that is no longer next.
  // (A replay of the same slide, as after every subscription, changes nothing.)
  if (waitingOn && !(state.live && state.deck === waitingOn.deck && state.slide === waitingOn.slide)) {
    asked++;
    waitingOn = undefined;
  }
  if (!state.live || !loaded?.hasPrefetched(state)) return undefined;
  const inMemory = loaded.inMemory(state);
  const opening = loaded.openPrefetched(state);
  return inMemory ? opening : undefined;
}
