/**
 * Identifiers and file names of decks on disk. Everything that reaches a path is checked against
 * one of these strict patterns first, so no request can name a file outside a deck folder.
 */
import { randomBytes } from 'node:crypto';

/** 16 base32 characters: 80 random bits, URL- and file-system-safe, case-insensitive-FS-safe. */
const DECK_ID = /^[a-z2-7]{16}$/;
/** 128 random bits per slide, in hex: the image URLs are unguessable. */
const TOKEN = /^[0-9a-f]{32}$/;
/** `<token>-<width>.webp`, `<token>-<width>.jpg` or `<token>-thumb.webp`. */
const IMAGE_FILE = /^([0-9a-f]{32})-(?:(thumb)\.webp|([1-9][0-9]{0,4})\.(webp|jpg))$/;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function newDeckId(): string {
  // 10 bytes = 80 bits = exactly 16 base32 digits.
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let id = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      id += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return id;
}

export function newToken(): string {
  return randomBytes(16).toString('hex');
}

export function isDeckId(value: unknown): value is string {
  return typeof value === 'string' && DECK_ID.test(value);
}

export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

export type ImageVariant = { token: string; kind: 'thumb' } | { token: string; kind: 'webp' | 'jpeg'; width: number };

/** Parses an image file name; undefined for anything that is not exactly one of our names. */
export function parseImageFileName(fileName: string): ImageVariant | undefined {
  const match = IMAGE_FILE.exec(fileName);
  if (!match) return undefined;
  const [, token, thumb, width, ext] = match;
  if (thumb) return { token: token!, kind: 'thumb' };
  return { token: token!, kind: ext === 'jpg' ? 'jpeg' : 'webp', width: Number(width) };
}

export function variantFileName(token: string, width: number, format: 'webp' | 'jpeg'): string {
  return `${token}-${width}.${format === 'jpeg' ? 'jpg' : 'webp'}`;
}

export function thumbFileName(token: string): string {
  return `${token}-thumb.webp`;
}
