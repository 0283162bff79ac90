/**
 * The live talk's view of the deck store: a stored deck as the slides the audience will see.
 * `imagePrefix` is `/img`, or `<PUBLIC_URL>/img` when the server knows its public address, so
 * that `src` loads even in a page served from another origin (a plain Bayeux client elsewhere);
 * `sealedPrefix` likewise for the sealed copies phones prefetch (`/sealed`, or where a CDN serves them).
 */
import { createHash } from 'node:crypto';
import type { DeckStore, StoredDeck, StoredSlide } from '../slides/index';
import { sealedFileName, shownSlide } from '../slides/index';
import type { DeckLookup, LiveDeck } from './live-talk';
import type { LiveSeal } from './sealed-state';

export function deckLookup(store: DeckStore, imagePrefix = '/img', sealedPrefix = '/sealed'): DeckLookup {
  return {
    async load(id: string): Promise<LiveDeck | undefined> {
      const deck = await store.get(id);
      if (!deck) return undefined;
      const slides = deck.slides.map((slide, index) => {
        const seal = sealOf(deck, slide, sealedPrefix);
        return { token: slide.token, shown: shownSlide(deck, index + 1, imagePrefix)!, ...(seal ? { seal } : {}) };
      });
      return { id: deck.id, title: deck.title, slides, revision: revisionOf(slides.map((slide) => slide.shown.alt)) };
    },
  };
}

/** The slide's key and sealed URLs; undefined for a slide of a deck made before sealing. */
function sealOf(deck: StoredDeck, slide: StoredSlide, sealedPrefix: string): LiveSeal | undefined {
  if (slide.key === undefined || slide.sealed === undefined) return undefined;
  const base = `${sealedPrefix}/${deck.id}/`;
  const sealed = slide.sealed.map(({ width, webp, jpeg }) => ({ width, webp: base + sealedFileName(webp), jpeg: base + sealedFileName(jpeg) }));
  return { key: slide.key, sealed };
}

/** Short and stable: a digest of every slide's alt text (the part of a deck that can change under a live talk). */
function revisionOf(alts: string[]): string {
  return createHash('sha256').update(JSON.stringify(alts)).digest('base64url').slice(0, 16);
}
