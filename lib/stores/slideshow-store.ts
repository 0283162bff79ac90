/**
 * What is on the big screen, fed only by lib/client/store-feed.ts, plus the audience member's own
 * browsing position. One talk's history accumulates from the replay a client gets when it
 * subscribes (`history`) and every change after it; it starts over when the deck changes or the
 * talk ends. Browsing never goes past the live slide: the audience sees nothing the presenter has
 * not reached (and the server would answer 404 for it anyway).
 */
import { create } from 'zustand';
import { mergeHistory, shownSlideOf, type ShownSlide, type SlideshowState } from '@/lib/slideshow';

/** The live slide, or a slide number the audience member went back to. */
export type Viewing = number | 'live';

export interface SlideshowStore {
  /** Undefined until the first state arrives. */
  state: SlideshowState | undefined;
  /** Slides shown so far in this talk, ascending by slide number. */
  history: ShownSlide[];
  viewing: Viewing;
  /**
   * A state arrived. Older `seq` than what we have is ignored, unless it is the replay a client
   * gets right after (re)subscribing, which is the server's truth whatever our seq says.
   * Returns whether the state was taken.
   */
  slideChanged(state: SlideshowState, options?: { replay?: boolean }): boolean;
  browsedTo(slide: number): void;
  returnedToLive(): void;
}

export const useSlideshowStore = create<SlideshowStore>()((set, get) => ({
  state: undefined,
  history: [],
  viewing: 'live',
  slideChanged(state, options) {
    const { state: previous, history, viewing } = get();
    if (previous && !options?.replay && state.seq <= previous.seq) return false;
    if (!state.live) {
      set({ state, history: [], viewing: 'live' });
      return true;
    }
    const sameTalk = previous?.live === true && previous.deck === state.deck;
    const merged = mergeHistory(sameTalk ? history : [], [...(state.history ?? []), shownSlideOf(state)]);
    const stillBehind = sameTalk && typeof viewing === 'number' && viewing < state.slide && merged.some((s) => s.slide === viewing);
    set({ state, history: merged, viewing: stillBehind ? viewing : 'live' });
    return true;
  },
  browsedTo(slide) {
    const { state, history } = get();
    if (!state?.live) return;
    if (slide >= state.slide) set({ viewing: 'live' });
    else if (history.some((s) => s.slide === slide)) set({ viewing: slide });
  },
  returnedToLive() {
    set({ viewing: 'live' });
  },
}));

// Selectors: components pick what they need and re-render only when it changes.

/** The slide on this screen: the live one, or the one the audience member went back to. */
export function selectDisplayed(store: SlideshowStore): ShownSlide | undefined {
  const { state, viewing, history } = store;
  if (!state?.live) return undefined;
  if (viewing === 'live') return state;
  return history.find((s) => s.slide === viewing) ?? state;
}

/** The nearest shown slide before the displayed one, if any. */
export function selectPreviousShown(store: SlideshowStore): number | undefined {
  const displayed = selectDisplayed(store);
  if (!displayed) return undefined;
  for (let i = store.history.length - 1; i >= 0; i--) {
    if (store.history[i]!.slide < displayed.slide) return store.history[i]!.slide;
  }
  return undefined;
}

/** The nearest shown slide after the displayed one, up to the live slide; undefined when live. */
export function selectNextShown(store: SlideshowStore): number | undefined {
  const { state, viewing, history } = store;
  if (!state?.live || viewing === 'live') return undefined;
  return history.find((s) => s.slide > viewing && s.slide <= state.slide)?.slide ?? state.slide;
}
