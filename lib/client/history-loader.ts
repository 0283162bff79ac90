/**
 * Brings older shown slides in as the audience member browses back. The replay a phone gets when
 * it subscribes carries only the most recent shown slides (LiveState.historyFrom says where they
 * start), so it stays small however long the talk; when the displayed slide comes within a few of
 * the oldest one loaded, the next page is asked for (`GET /api/live/history`), one request at a
 * time, and merged into the slideshow store. Started with the connection, stopped with it.
 */
import type { HistoryPage } from '@/lib/slideshow';
import { selectDisplayed, useSlideshowStore, type SlideshowStore } from '@/lib/stores/slideshow-store';

/** Ask for more once the audience member is this many loaded slides from the oldest one loaded. */
const PREFETCH_MARGIN = 5;
/** After a failed request, wait this long before asking again (ms). */
const RETRY_MS = 3_000;

export type FetchJson = (url: string) => Promise<unknown>;

const fetchJson: FetchJson = async (url) => {
  const response = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
};

/** Watch the store and load earlier slides when they are about to be needed. Returns the stop. */
export function loadEarlierHistory(get: FetchJson = fetchJson): () => void {
  let asking: number | undefined;
  let pausedUntil = 0;
  let stopped = false;
  const check = (store: SlideshowStore) => {
    const wanted = wantedPage(store);
    if (stopped || !wanted || asking === wanted.before || Date.now() < pausedUntil) return;
    asking = wanted.before;
    get(`/api/live/history?deck=${encodeURIComponent(wanted.deck)}&before=${wanted.before}`)
      .then((page) => {
        if (!stopped && isHistoryPage(page)) useSlideshowStore.getState().earlierSlidesLoaded(page);
      })
      .catch(() => void (pausedUntil = Date.now() + RETRY_MS))
      .finally(() => {
        asking = undefined;
        if (!stopped) check(useSlideshowStore.getState());
      });
  };
  const unsubscribe = useSlideshowStore.subscribe(check);
  check(useSlideshowStore.getState());
  return () => {
    stopped = true;
    unsubscribe();
  };
}

/** The page to ask for now, if the displayed slide is near the oldest loaded and more exist. */
function wantedPage(store: SlideshowStore): { deck: string; before: number } | undefined {
  const { state, history, historyFrom } = store;
  if (!state?.live || historyFrom === undefined) return undefined;
  const displayed = selectDisplayed(store)?.slide ?? state.slide;
  const loadedBelow = history.filter((s) => s.slide < displayed).length;
  return loadedBelow < PREFETCH_MARGIN ? { deck: state.deck, before: historyFrom } : undefined;
}

function isHistoryPage(value: unknown): value is HistoryPage {
  const page = value as HistoryPage | null;
  return typeof page === 'object' && page !== null && typeof page.deck === 'string' && Array.isArray(page.slides)
    && page.slides.every((s) => typeof s?.slide === 'number' && typeof s.src === 'string' && Array.isArray(s.images))
    && (page.historyFrom === undefined || typeof page.historyFrom === 'number');
}
