/**
 * What is on the big screen, fed only by lib/client/store-feed.ts, plus the audience member's own
 * browsing position. One talk's history accumulates from the replay a client gets when it
 * subscribes (`history`) and every change after it; it starts over when the deck changes or the
 * talk ends without `ended`. After End talk (`ended`) the history stays, to browse: the server
 * keeps serving those images until the next talk, and a while after. Browsing never goes past the
 * live slide: the audience sees nothing the presenter has not reached (the server would answer 404).
 */
import { createContext, createElement, useContext, useState, useSyncExternalStore, type ReactNode } from 'react';
import { createStore } from 'zustand/vanilla';
import { mergeHistory, shownSlideOf, type HistoryPage, type IdleState, type ShownSlide, type SlideshowState } from '@/lib/slideshow';

/** The live slide (after the end: the end screen), or a slide number the audience member went back to. */
export type Viewing = number | 'live';

/** The talk that ended, as the end screen names it. */
export interface EndedTalk {
  title: string;
  count: number;
}

export interface SlideshowStore {
  /** Undefined until the first state arrives. */
  state: SlideshowState | undefined;
  /** Slides shown so far in this talk, ascending by slide number. */
  history: ShownSlide[];
  /**
   * Shown slides below this number are not all in `history` yet: the server's replay carried only
   * the most recent (LiveState.historyFrom); lib/client/history-loader.ts asks for the rest as the
   * audience member browses back. Undefined: `history` has every slide shown.
   */
  historyFrom: number | undefined;
  viewing: Viewing;
  /** Set while the state is `ended`: the talk this phone followed, if it followed one. */
  endedTalk: EndedTalk | undefined;
  /** The seq of the state that started the live talk while this page watched (announced as a start). */
  startSeq: number | undefined;
  /**
   * A state arrived. Older `seq` than what we have is ignored, unless it is the replay a client
   * gets right after (re)subscribing, which is the server's truth whatever our seq says.
   * Returns whether the state was taken.
   */
  slideChanged(state: SlideshowState, options?: { replay?: boolean }): boolean;
  /** Older shown slides arrived (GET /api/live/history): taken if they belong to the live talk. */
  earlierSlidesLoaded(page: HistoryPage): void;
  browsedTo(slide: number): void;
  returnedToLive(): void;
}

const createSlideshowStore = () => createStore<SlideshowStore>()((set, get) => ({
  state: undefined,
  history: [],
  historyFrom: undefined,
  viewing: 'live',
  endedTalk: undefined,
  startSeq: undefined,
  slideChanged(state, options) {
    const { state: previous, history, viewing, startSeq, historyFrom } = get();
    if (previous && !options?.replay && state.seq <= previous.seq) return false;
    if (!state.live) {
      set(idleChange(get(), state));
      return true;
    }
    const sameTalk = previous?.live === true && previous.deck === state.deck;
    const merged = mergeHistory(sameTalk ? history : [], [...(state.history ?? []), shownSlideOf(state)]);
    const stillBehind = sameTalk && typeof viewing === 'number' && viewing < state.slide && merged.some((s) => s.slide === viewing);
    // A talk starting while this page waited (not one it joined late) is announced as a start.
    const starting = previous !== undefined && !sameTalk;
    // A state without historyFrom adds to what this page has; one with it says where the server's part starts.
    const from = sameTalk ? state.historyFrom ?? historyFrom : state.historyFrom;
    set({ state, history: merged, historyFrom: from, viewing: stillBehind ? viewing : 'live', endedTalk: undefined, startSeq: starting ? state.seq : sameTalk ? startSeq : undefined });
    return true;
  },
  earlierSlidesLoaded(page) {
    const { state, history, historyFrom } = get();
    if (!state?.live || state.deck !== page.deck || historyFrom === undefined) return;
    const asked = page.slides.every((s) => s.slide < historyFrom);
    if (!asked) return;
    set({ history: mergeHistory(history, page.slides), historyFrom: page.historyFrom });
  },
  browsedTo(slide) {
    const { state, history } = get();
    if (state?.live && slide >= state.slide) set({ viewing: 'live' });
    else if ((state?.live || state?.ended) && history.some((s) => s.slide === slide)) set({ viewing: slide });
  },
  returnedToLive() {
    set({ viewing: 'live' });
  },
}));

const store = createSlideshowStore();

/**
 * The store as the page's server render saw it: what hydration must paint (React reads a store's
 * server snapshot while hydrating). Unset on pages rendered without a state, which start empty.
 */
const StartContext = createContext<SlideshowStore | undefined>(undefined);

/** Select from the page's slideshow store (zustand's bound-store hook, plus the state the page was rendered with). */
function useSelected<T>(selector: (store: SlideshowStore) => T): T {
  const start = useContext(StartContext);
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()), () => selector(start ?? store.getInitialState()));
}

export const useSlideshowStore = Object.assign(useSelected, store);

/** The store a page starts with when it was rendered with `state`: the same on the server and in the browser. */
function startingStore(state: SlideshowState): SlideshowStore {
  const start = createSlideshowStore();
  start.getState().slideChanged(state);
  return start.getState();
}

/**
 * Starts the page from the state it was rendered with (the audience page's server render): the
 * server renders that state without touching the page-wide store (one per server process, shared
 * by every request), and the browser takes it into the store before the first render, so hydration
 * paints the same slide and the connection only brings newer states. Without a state, the store
 * starts empty (waiting for the connection), as before.
 */
export function SlideshowStart({ state, children }: { state: SlideshowState | undefined; children: ReactNode }) {
  const [start] = useState(() => {
    if (!state) return undefined;
    if (typeof window !== 'undefined') store.getState().slideChanged(state);
    return startingStore(state);
  });
  return createElement(StartContext.Provider, { value: start }, children);
}

/**
 * The store after an idle state: an `ended` one keeps the history of the talk this phone followed
 * (the live talk it had, or the ended one it already showed), otherwise everything starts over.
 */
function idleChange(store: SlideshowStore, state: IdleState): Partial<SlideshowStore> {
  const { state: previous, history, viewing, endedTalk } = store;
  // Older slides are served only while the talk is live: after it, the page keeps what it has.
  if (!state.ended) return { state, history: [], historyFrom: undefined, viewing: 'live', endedTalk: undefined, startSeq: undefined };
  if (previous?.live) {
    const kept = mergeHistory(history, [shownSlideOf(previous)]);
    return { state, history: kept, historyFrom: undefined, viewing: 'live', endedTalk: { title: previous.title, count: previous.count }, startSeq: undefined };
  }
  const stillEnded = previous?.live === false && previous.ended === true;
  return stillEnded ? { state, viewing, endedTalk } : { state, history: [], historyFrom: undefined, viewing: 'live', endedTalk: undefined };
}

// Selectors: components pick what they need and re-render only when it changes.

/** The slide on this screen: the live one, or the one the audience member went back to. */
export function selectDisplayed(store: SlideshowStore): ShownSlide | undefined {
  const { state, viewing, history } = store;
  if (!state?.live) return state?.ended && viewing !== 'live' ? history.find((s) => s.slide === viewing) : undefined;
  if (viewing === 'live') return state;
  return history.find((s) => s.slide === viewing) ?? state;
}

/** The nearest shown slide before the displayed one, if any. */
export function selectPreviousShown(store: SlideshowStore): number | undefined {
  const displayed = selectDisplayed(store);
  // On the end screen, "back" is the last slide shown.
  if (!displayed) return store.state?.live === false && store.state.ended ? store.history.at(-1)?.slide : undefined;
  for (let i = store.history.length - 1; i >= 0; i--) {
    if (store.history[i]!.slide < displayed.slide) return store.history[i]!.slide;
  }
  return undefined;
}

/** The nearest shown slide after the displayed one, up to the live slide; undefined when live. */
export function selectNextShown(store: SlideshowStore): number | undefined {
  const { state, viewing, history } = store;
  if (!state || viewing === 'live') return undefined;
  if (!state.live) return history.find((s) => s.slide > viewing)?.slide;
  return history.find((s) => s.slide > viewing && s.slide <= state.slide)?.slide ?? state.slide;
}
