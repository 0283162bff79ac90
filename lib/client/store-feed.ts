/**
 * Feeds the page's stores from the connection. Every slideshow state takes ONE path into them,
 * whichever way it came (the broadcast on /slideshow/change, the reply to the presenter's own
 * command, the answer of POST /api/live): `stateArrived`, which lets the slideshow store decide
 * (a state whose `seq` is not newer is ignored, unless it is a replay) and hands what it took to
 * the presenter's callback. So a command's state and its broadcast never apply twice, and a late
 * broadcast never undoes a newer reply.
 */
import type { Message } from 'cometd';
import { parseSlideshowState, type SlideshowState } from '@/lib/slideshow';
import { useConnectionStore, type ConnectionProblem, type ConnectionStatus } from '@/lib/stores/connection-store';
import { useSlideshowStore } from '@/lib/stores/slideshow-store';
import { openAhead } from './sealed-ahead';

export interface StateFeed {
  /** True when the stores took the state. */
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

export function createStateFeed({ isOpen, onState }: StateFeedOptions): StateFeed {
  let expectReplay = false;
  const stateArrived = (state: SlideshowState, options?: { replay?: boolean }) => {
    if (!isOpen()) return false;
    // Sealed prefetch: decrypting starts before the store update renders the slide.
    const current = useSlideshowStore.getState().state;
    if (!current || options?.replay || state.seq > current.seq) openAhead(state);
    if (!useSlideshowStore.getState().slideChanged(state, options)) return false;
    onState?.(state);
    return true;
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
