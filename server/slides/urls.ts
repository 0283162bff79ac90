/**
 * Stored decks -> the wire types of lib/slideshow/types.ts, with image URLs as docs/api.md gives
 * them (`<prefix>/<deck>/<token>-<width>.webp|.jpg`, `<prefix>/<deck>/<token>-thumb.webp`).
 * Pure functions: the routes and the slideshow call them; nothing here touches the disk.
 */
import type { DeckDetail, DeckSummary, ShownSlide, SlideImage } from '../../lib/slideshow/types';
import { type StoredDeck, type StoredSlide, MAX_HEADING_CHARS, capped } from './deck-file';
import { thumbFileName, variantFileName } from './ids';

export const DEFAULT_URL_PREFIX = '/img';
/** `src` is the JPEG closest to this width: sharp on a phone, light on the network. */
const SRC_WIDTH = 1280;
/** As render-image.ts makes it (at most; a narrower slide's thumbnail is its own width). */
const THUMB_WIDTH = 320;
/** A card is at most ~360 CSS px wide: 1280 px covers it at 3x. */
const MAX_THUMB_VARIANT = 1280;

export interface SlideUrls {
  /** Every size, ascending by width. */
  images: SlideImage[];
  src: string;
  thumbnail: string;
}

export function urlsFor(deck: StoredDeck, slide: StoredSlide, urlPrefix = DEFAULT_URL_PREFIX): SlideUrls {
  const base = `${urlPrefix}/${deck.id}/`;
  const images = slide.widths.map((width) => ({
    width,
    height: Math.max(1, Math.round((slide.height * width) / slide.width)),
    webp: base + variantFileName(slide.token, width, 'webp'),
    jpeg: base + variantFileName(slide.token, width, 'jpeg'),
  }));
  const closest = images.reduce((best, image) =>
    Math.abs(image.width - SRC_WIDTH) <= Math.abs(best.width - SRC_WIDTH) ? image : best,
  );
  return { images, src: closest.jpeg, thumbnail: base + thumbFileName(slide.token) };
}

export function deckSummary(deck: StoredDeck, urlPrefix = DEFAULT_URL_PREFIX): DeckSummary {
  const first = deck.slides[0]!;
  return {
    id: deck.id,
    title: deck.title,
    count: deck.slides.length,
    createdAt: deck.createdAt,
    thumbnail: urlsFor(deck, first, urlPrefix).thumbnail,
    thumbnailSrcSet: thumbnailSrcSet(deck, first, urlPrefix),
    source: deck.source,
  };
}

/**
 * The thumbnail, and the slide's WebP variants up to `MAX_THUMB_VARIANT` wide, as a `srcset`: a
 * card a few hundred pixels wide on a 2-3x screen takes a larger variant and stays sharp.
 */
export function thumbnailSrcSet(deck: StoredDeck, slide: StoredSlide, urlPrefix = DEFAULT_URL_PREFIX): string {
  const { images, thumbnail } = urlsFor(deck, slide, urlPrefix);
  const thumbWidth = Math.min(THUMB_WIDTH, slide.width);
  const larger = images.filter((image) => image.width > thumbWidth && image.width <= MAX_THUMB_VARIANT);
  return [`${thumbnail} ${thumbWidth}w`, ...larger.map((image) => `${image.webp} ${image.width}w`)].join(', ');
}

export function deckDetail(deck: StoredDeck, urlPrefix = DEFAULT_URL_PREFIX): DeckDetail {
  const slides = deck.slides.map((slide, index) => ({
    ...shownSlideAt(deck, index, urlPrefix),
    thumbnail: urlsFor(deck, slide, urlPrefix).thumbnail,
    name: slide.name,
    ...(slide.notes !== undefined ? { notes: slide.notes } : {}),
    ...(slide.alt !== undefined ? { altText: slide.alt } : {}),
  }));
  return { ...deckSummary(deck, urlPrefix), slides };
}

/** Slide `number` (1-based) as the audience receives it, or undefined if out of range. */
export function shownSlide(deck: StoredDeck, number: number, urlPrefix = DEFAULT_URL_PREFIX): ShownSlide | undefined {
  if (!Number.isSafeInteger(number) || number < 1 || number > deck.slides.length) return undefined;
  return shownSlideAt(deck, number - 1, urlPrefix);
}

function shownSlideAt(deck: StoredDeck, index: number, urlPrefix: string): ShownSlide {
  const slide = deck.slides[index]!;
  const { images, src } = urlsFor(deck, slide, urlPrefix);
  const label = altLabel(slide);
  const shown: ShownSlide = {
    slide: index + 1,
    src,
    images,
    width: slide.width,
    height: slide.height,
    placeholder: slide.placeholder,
    alt: `Slide ${index + 1} of ${deck.slides.length}${label ? `: ${label}` : ''}`,
  };
  if (slide.text) shown.text = slide.text;
  return shown;
}

/**
 * What the slide shows, in words: the presenter's alt text, else the page's first line (its title,
 * as a rule), else the start of its text. Never a file name: "slide-03" tells a listener nothing,
 * so a slide without any of these is just "Slide N of M".
 */
function altLabel(slide: StoredSlide): string {
  if (slide.alt) return slide.alt;
  if (slide.heading) return slide.heading;
  return slide.text ? capped(slide.text, MAX_HEADING_CHARS) : '';
}
