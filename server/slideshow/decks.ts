/**
 * The live talk's view of the deck store: a stored deck as the slides the audience will see.
 * `imagePrefix` is `/img`, or `<PUBLIC_URL>/img` when the server knows its public address, so
 * that `src` loads even in a page served from another origin (a plain Bayeux client elsewhere).
 */
import type { DeckStore } from '../slides/index';
import { shownSlide } from '../slides/index';
import type { DeckLookup, LiveDeck } from './live-talk';

export function deckLookup(store: DeckStore, imagePrefix = '/img'): DeckLookup {
  return {
    async load(id: string): Promise<LiveDeck | undefined> {
      const deck = await store.get(id);
      if (!deck) return undefined;
      return { id: deck.id, title: deck.title, slides: deck.slides.map((slide, index) => ({ token: slide.token, shown: shownSlide(deck, index + 1, imagePrefix)! })) };
    },
  };
}
