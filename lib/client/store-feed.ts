/**
 * Feeds the page's stores from the connection. Every slideshow state takes ONE path into them,
 * whichever way it came (the broadcast on /slideshow/change, the reply to the presenter's own
 * command, the answer of POST /api/live): `stateArrived`, which lets the slideshow store decide
 * (a state whose `seq` is not newer is ignored, unless it is a replay) and hands what it took to
 * the presenter's callback. So a command's state and its broadcast never apply twice, and a late
 * broadcast never undoes a newer reply. A state showing the slide prefetched sealed, its copy in
 * memory, waits the few milliseconds its opening takes (at most HOLD_FOR_OPENING_MS), so the page
 * renders the opened slide straight away; a state arriving meanwhile lets it go first.
 */
import type { Message } from 'cometd';
import { parseSlideshowState, type SlideshowState } from '@/lib/slideshow';
import { useConnectionStore, type ConnectionProblem, type ConnectionStatus } from '@/lib/stores/connection-store';
import { useSlideshowStore } from '@/lib/stores/slideshow-store';
import { openAhead } from './sealed-ahead';

export interface StateFeed {
  /** True when the stores took the state (or will, once its sealed slide is open). */
  stateArrived(state: SlideshowState, options?: { replay?: boolean }): boolean;
  /** The subscription was (re)made: the next state on /slideshow/change is the server's replay. */
  subscribed(): void;
  changeReceived(message: Message): void;
}

export interface StateFeedOptions {
  isOpen(): boolean;
  /** Presenters: each state the stores took (a callback, so the audience page does not bundle the presenter store). */
  onState?: (state: SlideshowState) => void;
}

/**
 * How long a state that shows a slide opening from its sealed copy in memory may wait for it
 * before the stores take it anyway (the page then paints the placeholder until it is open).
 */
export const HOLD_FOR_OPENING_MS = 100;

type Held = { state: SlideshowState; options: { replay?: boolean } | undefined };

export function createStateFeed({ isOpen, onState }: StateFeedOptions): StateFeed {
  let expectReplay = false;
  let held: Held | undefined;
  const take = (state: SlideshowState, options?: { replay?: boolean }) => {
    if (!isOpen() || !useSlideshowStore.getState().slideChanged(state, options)) return false;
    onState?.(state);
    return true;
  };
  const releaseHeld = () => {
    const waiting = held;
    held = undefined;
    if (waiting) take(waiting.state, waiting.options);
  };
  const hold = (entry: Held, opening: Promise<unknown>) => {
    held = entry;
    const release = () => held === entry && releaseHeld();
    const timer = setTimeout(release, HOLD_FOR_OPENING_MS);
    void opening.finally(() => (clearTimeout(timer), release()));
  };
  const stateArrived = (state: SlideshowState, options?: { replay?: boolean }) => {
    if (!isOpen()) return false;
    // States reach the stores in the order they came: one held for its opening goes first.
    releaseHeld();
    const current = useSlideshowStore.getState().state;
    if (!current || options?.replay || state.seq > current.seq) {
      // Sealed prefetch: decrypting starts before the store update renders the slide, and when it
      // needs no download the update waits for it, so the page renders the opened slide at once,
      // not its placeholder first and the slide a frame or two later.
      const opening = openAhead(state);
      if (opening) return hold({ state, options }, opening), true;
    }
    return take(state, options);
  };
  return {
    stateArrived,
    subscribed: () => void (expectReplay = true),
    changeReceived(message) {
      const state = parseSlideshowState(message.data);
      if (!state) return;
      const replay = expectReplay || (state.live && state.history !== undefined);
      expectReplay = false;
      stateArrived(state, { replay });
    },
  };
}

export interface StatusFeed {
  connected(): void;
  /** Not (or no longer) connected: offline, reconnecting, or still connecting the first time. */
  troubled(): void;
  isConnected(): boolean;
}

export function createStatusFeed({ isOpen, problem }: { isOpen(): boolean; problem(): ConnectionProblem | undefined }): StatusFeed {
  let connected = false;
  let everConnected = false;
  const report = (status: ConnectionStatus) => {
    if (isOpen()) useConnectionStore.getState().connectionChanged(status, problem());
  };
  return {
    connected() {
      connected = everConnected = true;
      report('connected');
    },
    troubled() {
      connected = false;
      report(!navigator.onLine ? 'offline' : everConnected ? 'reconnecting' : 'connecting');
    },
    isConnected: () => connected,
  };
}
