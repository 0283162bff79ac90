/**
 * The presenter view's own state: the live deck's detail (loaded over HTTP by
 * lib/client/presenter-data.ts; saved speaker notes patched in), which deck is live and how many
 * phones follow (both fed by components/presenter/presenter-connection.tsx, the count from
 * `/slideshow/audience`), the audience link the server gave at sign-in, and the last command that
 * failed.
 *
 * The talk clock itself (start, pauses, target) is kept by the server and arrives with every live
 * state, so a reload or a second presenter window shows the same time; this store only keeps the
 * offset between the server's clock and ours, estimated from each state's `at` (network delay
 * makes it a little early, which is fine for a talk timer).
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
}

export interface PresenterStore {
  deck: DeckLoad;
  /** Phones following the talk; undefined until the server says. */
  audience: number | undefined;
  talk: Talk | undefined;
  /** Server clock minus browser clock (ms). */
  clockOffset: number;
  /** The audience link as the server sees it (PUBLIC_URL or its network address), once signed in. */
  serverAudienceUrl: string | undefined;
  /** PUBLIC_URL when the server has one: then it is the link, whatever address this page was opened at. */
  publicUrl: string | undefined;
  /** The last command that failed, shown until dismissed or superseded. */
  failure: { message: string; at: number } | undefined;
  deckRequested(id: string): void;
  deckLoaded(deck: DeckDetail): void;
  deckFailed(id: string, error: string): void;
  audienceCounted(count: number): void;
  /** A live state was seen; `at` is its server time when it was a fresh change (not a replay). */
  talkSeen(talk: { deck: string; at: number | undefined }): void;
  talkEnded(): void;
  /** One slide's speaker notes were saved (undefined: removed). */
  notesSaved(deckId: string, slide: number, notes: string | undefined): void;
  presenterSignedIn(session: { audienceUrl?: string; publicUrl?: string }): void;
  commandFailed(message: string): void;
  failureDismissed(): void;
}

export const usePresenterStore = create<PresenterStore>()((set, get) => ({
  deck: { status: 'none' },
  audience: undefined,
  talk: undefined,
  clockOffset: 0,
  failure: undefined,
  serverAudienceUrl: undefined,
  publicUrl: undefined,
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
  talkSeen({ deck, at }) {
    set(at === undefined ? { talk: { deck } } : { talk: { deck }, clockOffset: at - Date.now() });
  },
  talkEnded() {
    set({ talk: undefined });
  },
  notesSaved(deckId, slide, notes) {
    const current = get().deck;
    if (current.status !== 'loaded' || current.id !== deckId) return;
    const slides = current.deck.slides.map((s) => (s.slide === slide ? withNotes(s, notes) : s));
    set({ deck: { ...current, deck: { ...current.deck, slides } } });
  },
  presenterSignedIn({ audienceUrl, publicUrl }) {
    set({ serverAudienceUrl: audienceUrl, publicUrl });
  },
  commandFailed(message) {
    set({ failure: { message, at: Date.now() } });
  },
  failureDismissed() {
    set({ failure: undefined });
  },
}));

function withNotes<T extends { notes?: string }>(slide: T, notes: string | undefined): T {
  const { notes: _old, ...rest } = slide;
  return (notes === undefined ? rest : { ...rest, notes }) as T;
}
