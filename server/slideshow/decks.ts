/**
 * The live talk's view of the deck store: a stored deck as the slides the audience will see.
 * `imagePrefix` is `/img`, or `<PUBLIC_URL>/img` when the server knows its public address, so
 * that `src` loads even in a page served from another origin (a plain Bayeux client elsewhere).
 */
import { createHash } from 'node:crypto';
import type { DeckStore } from '../slides/index';
import { shownSlide } from '../slides/index';
import type { DeckLookup, LiveDeck } from './live-talk';

export function deckLookup(store: DeckStore, imagePrefix = '/img'): DeckLookup {
  return {
    async load(id: string): Promise<LiveDeck | undefined> {
      const deck = await store.get(id);
      if (!deck) return undefined;
      const slides = deck.slides.map((slide, index) => ({ token: slide.token, shown: shownSlide(deck, index + 1, imagePrefix)! }));
      return { id: deck.id, title: deck.title, slides, revision: revisionOf(slides.map((slide) => slide.shown.alt)) };
    },
  };
}

/** Short and stable: a digest of every slide's alt text (the part of a deck that can change under a live talk). */
function revisionOf(alts: string[]): string {
  return createHash('sha256').update(JSON.stringify(alts)).digest('base64url').slice(0, 16);
}
