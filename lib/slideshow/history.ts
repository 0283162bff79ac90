/**
 * The slides a talk has shown, as the audience accumulates them (to swipe back), on both sides:
 * the pages merge each change into their history, and the server folds a change a slow phone was
 * never sent into the newer one that supersedes it (latest wins), so no shown slide goes missing.
 */
import type { HistoryPage, LiveState, ShownSlide, SlideshowState } from './types';

/**
 * Shown slides a replay carries (and a history page returns): the replay goes to every phone that
 * subscribes, and with the whole history it grew with every slide (146 KB after 300 slides).
 */
export const HISTORY_PAGE_SLIDES = 20;

/** The ShownSlide part of a LiveState (without the talk fields or the replayed history). */
export function shownSlideOf(state: LiveState): ShownSlide {
  const { slide, src, images, width, height, placeholder, alt, text } = state;
  return text === undefined ? { slide, src, images, width, height, placeholder, alt } : { slide, src, images, width, height, placeholder, alt, text };
}

/** Both lists in one, ascending by slide number; for a slide in both, `incoming`'s copy. */
export function mergeHistory(existing: readonly ShownSlide[], incoming: readonly ShownSlide[]): ShownSlide[] {
  const bySlide = new Map(existing.map((s) => [s.slide, s]));
  for (const slide of incoming) bySlide.set(slide.slide, slide);
  return [...bySlide.values()].sort((a, b) => a.slide - b.slide);
}

/**
 * `newer` as a phone should get it in place of `older` and `newer` both: with `older`'s slide and
 * history in its own history, when both belong to the same live talk. A phone that gets a history
 * treats the state as a replay (connection.ts), which is what it then is. Otherwise `newer` alone:
 * a talk that ended or changed deck starts its history over anyway.
 */
export function foldChanges(older: SlideshowState, newer: SlideshowState): SlideshowState {
  if (!older.live || !newer.live || older.deck !== newer.deck) return newer;
  const folded: LiveState = { ...newer, history: mergeHistory(mergeHistory(older.history ?? [], [shownSlideOf(older)]), newer.history ?? []) };
  // Incomplete below some slide if either was: the phone must still be able to ask for the rest.
  const from = older.historyFrom === undefined ? newer.historyFrom : newer.historyFrom === undefined ? older.historyFrom : Math.max(older.historyFrom, newer.historyFrom);
  if (from === undefined) delete folded.historyFrom;
  else folded.historyFrom = from;
  return folded;
}

/**
 * A state with at most `limit` slides of its history: the most recent by slide number (the ones a
 * phone swipes back to first), and `historyFrom` naming where they start when some were left out.
 */
export function boundedHistory(state: SlideshowState, limit = HISTORY_PAGE_SLIDES): SlideshowState {
  if (!state.live || !state.history || state.history.length <= limit) return state;
  const kept = state.history.slice(-limit);
  return { ...state, history: kept, historyFrom: kept[0]!.slide };
}

/** The page of `history` (ascending, every shown slide of the talk) just below slide `before`. */
export function historyPage(deck: string, history: readonly ShownSlide[], before: number, limit = HISTORY_PAGE_SLIDES): HistoryPage {
  const below = history.filter((s) => s.slide < before);
  const slides = below.slice(-limit);
  return below.length > slides.length ? { deck, slides, historyFrom: slides[0]!.slide } : { deck, slides };
}
