/**
 * The `deck.json` record of one deck, and its validation. The file is ours, but it is read back
 * from disk where anything may have happened to it (a crash, a hand edit, a newer version), so a
 * record is trusted only after every field that later becomes a path or a URL has been checked.
 */
import { isDeckId, isToken } from './ids';
import { type SealedVariant, isSealKey } from './seal';
import { hasVisibleText } from '../../lib/slideshow/visible-text';

export type DeckSource = 'images' | 'zip' | 'pdf' | 'office';

export interface StoredSlide {
  /** 128-bit random hex; names this slide's image files. */
  token: string;
  /** Original file name, the ZIP entry's path, or `page N`. */
  name: string;
  /** Size of the largest variant made. */
  width: number;
  height: number;
  /** Widths of the variants actually made, ascending. */
  widths: number[];
  /** Tiny blurred WebP as a data URL. */
  placeholder: string;
  /** Text of a PDF page, whitespace-collapsed and capped. */
  text?: string;
  /** Speaker notes (presenter-only: never in anything the audience is sent), line breaks kept, capped. */
  notes?: string;
  /** The first line of a PDF page's text (its title, as a rule): the default alt text. */
  heading?: string;
  /** Alt text the presenter wrote (one line, capped); replaces the default. */
  alt?: string;
  /**
   * The slide's AES-256-GCM key (base64url), presenter-side only: sent to the audience only with
   * the state that shows this slide. Absent on decks rendered before sealed prefetch (seal.ts).
   */
  key?: string;
  /** With `key`: the sealed copy of each variant, ascending by width like `widths`. */
  sealed?: SealedVariant[];
}

export interface StoredDeck {
  id: string;
  title: string;
  /** ISO 8601. */
  createdAt: string;
  source: DeckSource;
  slides: StoredSlide[];
}

export const MAX_TITLE_CHARS = 200;
export const MAX_TEXT_CHARS = 2000;
export const MAX_NAME_CHARS = 255;
export const MAX_NOTES_CHARS = 20_000;
export const MAX_ALT_CHARS = 500;
/** A default alt text (a heading, the start of a page's text) is cut to this many characters. */
export const MAX_HEADING_CHARS = 120;

/**
 * Trimmed, control characters and runs of whitespace collapsed; undefined unless 1-200 chars with
 * at least one that shows (a title of zero-width characters alone looks empty).
 */
export function normalizeTitle(raw: unknown): string | undefined {
  const title = collapseTitle(raw);
  return title !== undefined && hasVisibleText(title) ? title : undefined;
}

/** The collapsing alone: what deck.json files written before the visibility rule hold. */
function collapseTitle(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const title = raw.replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' ').trim();
  return title.length >= 1 && [...title].length <= MAX_TITLE_CHARS ? title : undefined;
}

/** One line: control characters and runs of whitespace collapsed, trimmed; undefined when nothing is left. */
export function normalizeLine(raw: string): string | undefined {
  const line = raw.replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' ').trim();
  return line || undefined;
}

/** The first line of a page's text that has a word in it, cut to `MAX_HEADING_CHARS`. */
export function headingOf(raw: string): string | undefined {
  for (const line of raw.split(/\r\n?|\n/)) {
    const clean = normalizeLine(line);
    if (clean && /[\p{L}\p{N}]/u.test(clean)) return capped(clean, MAX_HEADING_CHARS);
  }
  return undefined;
}

/** Cut to `max` characters with an ellipsis, at a word boundary where there is one close by. */
export function capped(text: string, max: number): string {
  if ([...text].length <= max) return text;
  const cut = [...text].slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd() + '…';
}

/** Whitespace-collapsed and capped at `MAX_TEXT_CHARS`; undefined when nothing is left. */
export function normalizeText(raw: string): string | undefined {
  const text = raw.replace(/\s+/gu, ' ').trim();
  if (!text) return undefined;
  return text.length <= MAX_TEXT_CHARS ? text : text.slice(0, MAX_TEXT_CHARS - 1).trimEnd() + '…';
}

/**
 * Speaker notes as kept: line endings made `\n`, control characters (but line breaks and tabs)
 * removed, trailing spaces of each line and blank lines at both ends dropped, capped at
 * `MAX_NOTES_CHARS`; undefined when nothing is left.
 */
export function normalizeNotes(raw: string): string | undefined {
  const lines = raw.replace(/\r\n?/g, '\n').replace(/[^\P{Cc}\n\t]/gu, '').split('\n').map((line) => line.trimEnd());
  const notes = lines.join('\n').replace(/^\n+|\n+$/g, '');
  if (!notes.trim()) return undefined;
  return notes.length <= MAX_NOTES_CHARS ? notes : notes.slice(0, MAX_NOTES_CHARS - 1).trimEnd() + '…';
}

/** The deck in `json` if it is well-formed and its id is `expectedId`; otherwise undefined. */
export function parseDeckFile(json: string, expectedId: string): StoredDeck | undefined {
  const check = checkDeckFile(json, expectedId);
  return check.ok ? check.deck : undefined;
}

/** As `parseDeckFile`, naming what is wrong (for the log line). */
export function checkDeckFile(json: string, expectedId: string): { ok: true; deck: StoredDeck } | { ok: false; problem: string } {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return { ok: false, problem: json.trim() === '' ? 'empty' : 'not JSON' };
  }
  const problem = !isRecord(data) ? 'not a JSON object'
    : data.id !== expectedId || !isDeckId(data.id) ? `its id is not the folder's name "${expectedId}"`
    : collapseTitle(data.title) !== data.title ? 'bad title'
    : typeof data.createdAt !== 'string' ? 'bad createdAt'
    : data.source !== 'images' && data.source !== 'zip' && data.source !== 'pdf' && data.source !== 'office' ? 'bad source'
    : !Array.isArray(data.slides) || data.slides.length === 0 ? 'no slides'
    : data.slides.findIndex((slide) => !isSlide(slide)) >= 0 ? `slide ${data.slides.findIndex((slide) => !isSlide(slide)) + 1} is malformed`
    : undefined;
  return problem === undefined ? { ok: true, deck: data as unknown as StoredDeck } : { ok: false, problem };
}

function isSlide(value: unknown): value is StoredSlide {
  if (!isRecord(value) || !isToken(value.token) || typeof value.name !== 'string') return false;
  if (!isDimension(value.width) || !isDimension(value.height)) return false;
  if (typeof value.placeholder !== 'string' || !value.placeholder.startsWith('data:image/')) return false;
  if (value.text !== undefined && typeof value.text !== 'string') return false;
  if (value.notes !== undefined && (typeof value.notes !== 'string' || value.notes.length > MAX_NOTES_CHARS)) return false;
  if (value.heading !== undefined && typeof value.heading !== 'string') return false;
  if (value.alt !== undefined && (typeof value.alt !== 'string' || normalizeLine(value.alt) !== value.alt || [...value.alt].length > MAX_ALT_CHARS)) return false;
  const widths = value.widths;
  if (!Array.isArray(widths) || widths.length === 0 || !widths.every((w, i) => isDimension(w) && (i === 0 || w > widths[i - 1]))) return false;
  return isSeal(value.key, value.sealed, widths as number[]);
}

/** No seal at all (an older deck), or a key with one sealed pair per width made: sealed names become paths. */
function isSeal(key: unknown, sealed: unknown, widths: readonly number[]): boolean {
  if (key === undefined && sealed === undefined) return true;
  if (!isSealKey(key) || !Array.isArray(sealed) || sealed.length !== widths.length) return false;
  return sealed.every((variant, i) => isRecord(variant) && variant.width === widths[i] && isToken(variant.webp) && isToken(variant.jpeg));
}

function isDimension(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0 && (value as number) <= 99_999;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
