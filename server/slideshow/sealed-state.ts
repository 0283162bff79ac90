/**
 * What a live state says for sealed prefetch (LiveState.key and .next): the key of the slide it
 * shows, and only the sealed URLs of the slide after it. Never the key of a slide not shown:
 * that is the whole of "no new way to peek", so it is decided here, in one place.
 */
import type { SealedImage, SealedNext } from '../../lib/slideshow/index';

/** A deck slide's seal as the live talk holds it: its key and its sealed copies' URLs. */
export interface LiveSeal {
  readonly key: string;
  readonly sealed: readonly SealedImage[];
}

/** `key` of slide `shown` (1-based) and `next`: the following slide's sealed URLs; either absent without a seal. */
export function sealedFields(slides: ReadonlyArray<{ readonly seal?: LiveSeal }>, shown: number): { key?: string; next?: SealedNext } {
  const key = slides[shown - 1]?.seal?.key;
  const following = slides[shown]?.seal;
  return {
    ...(key !== undefined ? { key } : {}),
    ...(following ? { next: { slide: shown + 1, sealed: following.sealed.map((image) => ({ ...image })) } } : {}),
  };
}
