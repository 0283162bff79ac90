/**
 * The slides a talk has shown, as the audience accumulates them (to swipe back), on both sides:
 * the pages merge each change into their history, and the server folds a change a slow phone was
 * never sent into the newer one that supersedes it (latest wins), so no shown slide goes missing.
 */
import type { LiveState, ShownSlide, SlideshowState } from './types';

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
  return { ...newer, history: mergeHistory(mergeHistory(older.history ?? [], [shownSlideOf(older)]), newer.history ?? []) };
}
