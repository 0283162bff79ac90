/**
 * Sealed copies of a slide's phone-facing variants, for prefetching the next slide without
 * letting anyone see it early. Each slide has its own random 256-bit AES-GCM key (kept in
 * deck.json, presenter-side only); each WebP and JPEG variant is written encrypted with a fresh
 * 96-bit nonce as `nonce || ciphertext || tag` (the layout WebCrypto's and @noble/ciphers'
 * AES-GCM decrypt take, once the nonce is split off), under a random name that has nothing to do
 * with the plain file's. A sealed file may be cached and served by anyone: without the key,
 * which is sent only with the state that shows the slide, it is noise.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { newToken, variantFileName } from './ids';
import type { DeckStore } from './store';

export const SEAL_KEY_BYTES = 32;
export const SEAL_NONCE_BYTES = 12;
export const SEAL_TAG_BYTES = 16;
/** A 256-bit key in base64url, unpadded. */
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;
/** `<128 random bits in hex>.bin`. */
const SEALED_FILE = /^([0-9a-f]{32})\.bin$/;

/** One width's sealed files: the tokens naming `<token>.bin` in the deck folder. */
export interface SealedVariant {
  width: number;
  webp: string;
  jpeg: string;
}

/** What deck.json keeps of a slide's seal. */
export interface SlideSeal {
  /** base64url AES-256-GCM key: presenter-side only until the slide is shown. */
  key: string;
  /** Ascending by width, one per variant made. */
  sealed: SealedVariant[];
}

export function newSealKey(): string {
  return randomBytes(SEAL_KEY_BYTES).toString('base64url');
}

export function isSealKey(value: unknown): value is string {
  return typeof value === 'string' && KEY_TEXT.test(value);
}

export function sealedFileName(token: string): string {
  return `${token}.bin`;
}

/** The token of a sealed file name, or undefined for anything that is not exactly one. */
export function parseSealedFileName(fileName: string): string | undefined {
  return SEALED_FILE.exec(fileName)?.[1];
}

/** `nonce || ciphertext || tag` of `plain` under `key` (base64url), with a fresh nonce. */
export function seal(plain: Uint8Array, key: string): Buffer {
  const nonce = randomBytes(SEAL_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64url'), nonce);
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** The plain bytes of a sealed file, or undefined if `key` is not the one it was sealed with (or it was altered). */
export function unseal(sealed: Uint8Array, key: string): Buffer | undefined {
  if (sealed.length < SEAL_NONCE_BYTES + SEAL_TAG_BYTES) return undefined;
  const keyBytes = Buffer.from(key, 'base64url');
  if (keyBytes.length !== SEAL_KEY_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyBytes, sealed.subarray(0, SEAL_NONCE_BYTES));
    decipher.setAuthTag(sealed.subarray(sealed.length - SEAL_TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(SEAL_NONCE_BYTES, sealed.length - SEAL_TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * Seals every WebP and JPEG variant of slide `token` already written in `dir` (render-image.ts
 * names them), writing each as `<new token>.bin` beside it; returns the slide's key and names.
 */
export async function sealVariants(dir: string, token: string, widths: readonly number[]): Promise<SlideSeal> {
  const key = newSealKey();
  const sealed: SealedVariant[] = [];
  for (const width of widths) {
    const [webp, jpeg] = await Promise.all((['webp', 'jpeg'] as const).map((format) => sealFile(dir, variantFileName(token, width, format), key)));
    sealed.push({ width, webp: webp!, jpeg: jpeg! });
  }
  return { key, sealed };
}

async function sealFile(dir: string, plainName: string, key: string): Promise<string> {
  const sealedToken = newToken();
  await writeFile(path.join(dir, sealedFileName(sealedToken)), seal(await readFile(path.join(dir, plainName)), key), { flag: 'wx' });
  return sealedToken;
}

/**
 * Absolute path of one of the deck's sealed files, or undefined unless `fileName` is exactly the
 * name of a sealed file this deck made (pattern and membership both checked: no traversal).
 */
export async function sealedFile(store: DeckStore, deckId: string, fileName: string): Promise<string | undefined> {
  const token = parseSealedFileName(fileName);
  if (token === undefined) return undefined;
  const deck = await store.get(deckId);
  const made = deck?.slides.some((slide) => slide.sealed?.some((variant) => variant.webp === token || variant.jpeg === token));
  return made ? path.join(store.dir, deckId, fileName) : undefined;
}
