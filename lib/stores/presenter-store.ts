/**
 * The presenter view's own state: the live deck's detail (loaded over HTTP by
 * lib/client/presenter-data.ts), how many phones follow (fed by the connection from
 * `/slideshow/audience`) and when the talk started, for the elapsed-time clock.
 *
 * The start is the server's `startedAt` when it sends one, else the first time this browser saw
 * the talk live; either can be restarted by the presenter. It is kept in localStorage so a reload
 * does not reset the clock. The offset between the server's clock and ours is estimated from each
 * state's `at` (network delay makes it a little early, which is fine for a talk timer).
 */
import { create } from 'zustand';
import type { DeckDetail } from '@/lib/slideshow';

export type DeckLoad =
  | { status: 'none' }
  | { status: 'loading'; id: string }
  | { status: 'loaded'; id: string; deck: DeckDetail }
  | { status: 'failed'; id: string; error: string };

interface Talk {
  deck: string;
  startedAt: number | undefined;
}

export interface PresenterStore {
  deck: DeckLoad;
  /** Phones following the talk; undefined until the server says. */
  audience: number | undefined;
  talk: Talk | undefined;
  /** Start of the elapsed-time clock in server time (ms since epoch); undefined when no talk is live. */
  talkStart: number | undefined;
  /** Server clock minus browser clock (ms). */
  clockOffset: number;
  /** The audience link as the server sees it (PUBLIC_URL or its network address), once signed in. */
  serverAudienceUrl: string | undefined;
  /** The last command that failed, shown until dismissed or superseded. */
  failure: { message: string; at: number } | undefined;
  deckRequested(id: string): void;
  deckLoaded(deck: DeckDetail): void;
  deckFailed(id: string, error: string): void;
  audienceCounted(count: number): void;
  /** A live state was seen: `startedAt` if the server sent it, `at` its server time. */
  talkSeen(talk: { deck: string; startedAt?: number; at: number }): void;
  talkEnded(): void;
  /** The presenter restarted the elapsed-time clock. */
  clockReset(): void;
  presenterSignedIn(session: { audienceUrl?: string }): void;
  commandFailed(message: string): void;
  failureDismissed(): void;
}

export const usePresenterStore = create<PresenterStore>()((set, get) => ({
  deck: { status: 'none' },
  audience: undefined,
  talk: undefined,
  talkStart: undefined,
  clockOffset: 0,
  failure: undefined,
  serverAudienceUrl: undefined,
  deckRequested(id) {
    const { deck } = get();
    if ((deck.status === 'loading' || deck.status === 'loaded') && deck.id === id) return;
    set({ deck: { status: 'loading', id } });
  },
  deckLoaded(deck) {
    const current = get().deck;
    if (current.status === 'loading' && current.id === deck.id) set({ deck: { status: 'loaded', id: deck.id, deck } });
  },
  deckFailed(id, error) {
    const current = get().deck;
    if (current.status === 'loading' && current.id === id) set({ deck: { status: 'failed', id, error } });
  },
  audienceCounted(count) {
    set({ audience: count });
  },
  talkSeen({ deck, startedAt, at }) {
    const talk: Talk = { deck, startedAt };
    const saved = loadStart();
    const same = saved !== undefined && saved.deck === deck && saved.startedAt === startedAt;
    const start = same ? saved.start : (startedAt ?? at);
    if (!same) saveStart({ ...talk, start });
    set({ talk, talkStart: start, clockOffset: at - Date.now() });
  },
  talkEnded() {
    saveStart(undefined);
    set({ talk: undefined, talkStart: undefined });
  },
  clockReset() {
    const { talk, clockOffset } = get();
    if (!talk) return;
    const start = Date.now() + clockOffset;
    saveStart({ ...talk, start });
    set({ talkStart: start });
  },
  presenterSignedIn({ audienceUrl }) {
    set({ serverAudienceUrl: audienceUrl });
  },
  commandFailed(message) {
    set({ failure: { message, at: Date.now() } });
  },
  failureDismissed() {
    set({ failure: undefined });
  },
}));

const START_KEY = 'cometdeck.talk-start';

interface SavedStart extends Talk {
  start: number;
}

function loadStart(): SavedStart | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(START_KEY) ?? 'null') as Partial<SavedStart> | null;
    if (!saved || typeof saved.deck !== 'string' || typeof saved.start !== 'number') return undefined;
    return { deck: saved.deck, startedAt: typeof saved.startedAt === 'number' ? saved.startedAt : undefined, start: saved.start };
  } catch {
    return undefined;
  }
}

function saveStart(value: SavedStart | undefined): void {
  try {
    if (value) localStorage.setItem(START_KEY, JSON.stringify(value));
    else localStorage.removeItem(START_KEY);
  } catch {
    // Private mode or storage full: the clock restarts on reload, nothing worse.
  }
}
