'use client';
import { selectDisplayed, useSlideshowStore, type SlideshowStore } from '@/lib/stores/slideshow-store';

/**
 * The page's one live region, mounted for as long as the page is: a region that appears with its
 * text is often not read out, so the waiting screen, the live slide and the end screen all speak
 * through this one (the start of the talk, each slide, a pause, the end).
 */
export function Announcer() {
  const text = useSlideshowStore(announcementOf);
  return (
    <p aria-live="polite" aria-atomic className="sr-only">
      {text}
    </p>
  );
}

/** What a screen reader should hear now ('' while waiting: nothing has happened yet). */
export function announcementOf(store: SlideshowStore): string {
  const { state, viewing, endedTalk, history, startSeq } = store;
  if (!state) return '';
  const displayed = selectDisplayed(store);
  if (!state.live) {
    if (!state.ended) return '';
    if (displayed) return `Slide ${displayed.slide}${endedTalk ? ` of ${endedTalk.count}` : ''}.${displayed.text ? ` ${displayed.text}` : ''}`;
    const shown = history.length > 0 ? ` You can look back through the ${history.length === 1 ? 'slide' : `${history.length} slides`} shown.` : '';
    return `The talk has ended.${shown}`;
  }
  const browsing = viewing !== 'live';
  if (state.blackout && !browsing) return 'The presenter paused the slides.';
  // "Slide N of M." comes first, always: it is what a listener needs most, and tests match on it.
  const start = state.seq === startSeq && !browsing ? ` The talk “${state.title}” has started.` : '';
  const slide = displayed ?? state;
  return `${browsing ? 'Earlier slide: ' : ''}Slide ${slide.slide} of ${state.count}.${start}${slide.text ? ` ${slide.text}` : ''}`;
}
