/**
 * The audience page's door to sealed prefetch, and all of it that is in the page's first load:
 * the prefetching and opening code (sealed-prefetch.ts, sealed-open.ts) is imported at the first
 * prefetch, after the live slide has painted, so the page's first load carries a few lines only.
 * A slide can only open from a prefetch, so by the time one could, the code is here.
 */
import type { LiveState, SlideshowState } from '@/lib/slideshow';

type SealedPrefetch = typeof import('./sealed-prefetch');

let loaded: SealedPrefetch | undefined;

/**
 * Fetch the next slide's sealed copy ahead (sealed-prefetch.ts `prefetchNext`), loading the code
 * first. It waits for an idle moment: the live slide is painted by then, and choosing the variant
 * reads the viewport's size, which in the middle of the page's start (the image's load event is
 * replayed as React hydrates) would make the browser lay the page out at once, in the same task.
 */
export function prefetchAhead(state: LiveState): void {
  if (!state.next) return;
  whenIdle(() => {
    if (loaded) return loaded.prefetchNext(state);
    void import('./sealed-prefetch').then((module) => {
      loaded = module;
      module.prefetchNext(state);
    }, () => undefined);
  });
}

/** Waiting longer than this for an idle moment would leave too little time to fetch before the next change. */
const IDLE_TIMEOUT_MS = 500;

function whenIdle(run: () => void): void {
  if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(run, { timeout: IDLE_TIMEOUT_MS });
  else window.setTimeout(run, 0);
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
  if (!state.live || !loaded?.hasPrefetched(state)) return undefined;
  const inMemory = loaded.inMemory(state);
  const opening = loaded.openPrefetched(state);
  return inMemory ? opening : undefined;
}
