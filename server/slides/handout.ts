/**
 * The audience's handout: one PDF page per slide, made of the slides' own JPEG variants (pdf-lib
 * embeds JPEG bytes as they are: nothing is decoded or re-encoded). Only the slides asked for go
 * in, in deck order; the caller asks for exactly the slides its talk has shown.
 */
import { readFile } from 'node:fs/promises';
import { PDFDocument } from 'pdf-lib';
import { variantFileName } from './ids';
import type { DeckStore } from './store';
import type { StoredSlide } from './deck-file';

/** The JPEG variant taken for a page: sharp on paper and a screen, a fraction of the largest's bytes. */
export const HANDOUT_IMAGE_WIDTH = 1280;
/** Image bytes a handout may hold (about 300 slides at 1280 px). */
export const MAX_HANDOUT_BYTES = 64 * 1024 * 1024;
/** 1 px = 0.75 pt: a 1280 px slide is a 960 pt (13.3 in) page, as a 96 dpi screen shows it. */
const POINTS_PER_PIXEL = 0.75;

export type HandoutResult =
  | { ok: true; pdf: Uint8Array; pages: number; title: string }
  | { ok: false; status: 404 | 503; code: 'no_handout' | 'handout_too_large'; error: string };

export async function buildHandout(store: DeckStore, deckId: string, tokens: readonly string[], maxBytes = MAX_HANDOUT_BYTES): Promise<HandoutResult> {
  const deck = await store.get(deckId);
  const wanted = new Set(tokens);
  const slides = deck?.slides.filter((slide) => wanted.has(slide.token)) ?? [];
  if (!deck || slides.length === 0) return { ok: false, status: 404, code: 'no_handout', error: 'no handout is offered' };
  const pdf = await PDFDocument.create();
  pdf.setTitle(deck.title);
  pdf.setCreator('Comet Deck');
  pdf.setProducer('Comet Deck');
  let bytes = 0;
  for (const slide of slides) {
    const file = await store.imageFile(deck.id, variantFileName(slide.token, handoutWidth(slide), 'jpeg'));
    const jpeg = file ? await readFile(file).catch(() => undefined) : undefined;
    if (!jpeg) return { ok: false, status: 404, code: 'no_handout', error: 'no handout is offered' }; // the deck changed under us
    bytes += jpeg.length;
    if (bytes > maxBytes) return { ok: false, status: 503, code: 'handout_too_large', error: `the handout would be larger than ${Math.round(maxBytes / 1024 / 1024)} MB` };
    const image = await pdf.embedJpg(jpeg);
    const page = pdf.addPage([image.width * POINTS_PER_PIXEL, image.height * POINTS_PER_PIXEL]);
    page.drawImage(image, { x: 0, y: 0, width: page.getWidth(), height: page.getHeight() });
  }
  return { ok: true, pdf: await pdf.save(), pages: slides.length, title: deck.title };
}

/** The widest variant up to HANDOUT_IMAGE_WIDTH (or the narrowest there is). */
function handoutWidth(slide: StoredSlide): number {
  const fitting = slide.widths.filter((width) => width <= HANDOUT_IMAGE_WIDTH);
  return fitting.length > 0 ? fitting[fitting.length - 1]! : slide.widths[0]!;
}
