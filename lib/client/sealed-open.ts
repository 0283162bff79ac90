/**
 * Opens a sealed slide file (server/slides/seal.ts: `nonce (12 bytes) || AES-256-GCM ciphertext ||
 * tag (16 bytes)`) with the key from the state that shows the slide. WebCrypto where the page is a
 * secure context; on a plain-http origin (a LAN address), where browsers leave `crypto.subtle`
 * out, @noble/ciphers' audited AES-GCM, imported only then so no other page pays for it.
 * Undefined for anything that does not open: a wrong or missing key, altered bytes, a short file.
 */
import { whenIdle } from './idle';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;

export function isSealKey(value: unknown): value is string {
  return typeof value === 'string' && KEY_TEXT.test(value);
}

export async function openSealed(sealed: ArrayBuffer, key: unknown): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (!isSealKey(key) || sealed.byteLength < NONCE_BYTES + TAG_BYTES) return undefined;
  const bytes = new Uint8Array(sealed);
  // Views, not copies (the body starts 4-byte aligned, which the pure-JavaScript AES needs to read it in place).
  const nonce = bytes.subarray(0, NONCE_BYTES);
  const body = bytes.subarray(NONCE_BYTES);
  const raw = base64urlBytes(key);
  try {
    const subtle = globalThis.crypto?.subtle;
    if (subtle) {
      const cryptoKey = await subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']);
      return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: nonce, tagLength: TAG_BYTES * 8 }, cryptoKey, body));
    }
    const { gcm } = await loadPureAes();
    return new Uint8Array(gcm(raw, nonce).decrypt(body));
  } catch {
    return undefined;
  }
}

type PureAes = typeof import('@noble/ciphers/aes.js');
let pureAes: Promise<PureAes> | undefined;

/**
 * The pure-JavaScript AES-GCM; start loading it early (while prefetching) where it will be needed.
 * Once loaded, it is warmed up at idle moments (warmUpPureAes), so the first slides open as fast
 * as the later ones.
 */
export function loadPureAes(): Promise<PureAes> {
  pureAes ??= import('@noble/ciphers/aes.js').then(
    (aes) => (void warmUpPureAes(aes.gcm), aes),
    (error: unknown) => {
      pureAes = undefined;
      throw error;
    },
  );
  return pureAes;
}

/**
 * The sizes of the warm-up's rounds, one per idle moment: small ones first (each is short while
 * the code is still cold), then one past 64 KiB, where the GHASH takes its larger table as for a
 * photograph.
 */
export const WARM_UP_ROUNDS = [4_096, 4_096, 4_096, 4_096, 4_096, 4_096, 66_000] as const;

/**
 * Seals and opens zeros with an all-zero key and nonce, a round per idle moment, so the JIT has
 * compiled the cipher's hot paths before the first real slide opens (its first runs are several
 * times slower). Nothing real goes in: the key, nonce and bytes are the warm-up's own constants.
 */
export async function warmUpPureAes(gcm: PureAes['gcm'], schedule: (run: () => void) => void = warmUpMoment): Promise<void> {
  const key = new Uint8Array(32);
  const nonce = new Uint8Array(NONCE_BYTES);
  for (const size of WARM_UP_ROUNDS) {
    await new Promise<void>((resolve) => schedule(resolve));
    gcm(key, nonce).decrypt(gcm(key, nonce).encrypt(new Uint8Array(size)));
  }
}

/** A warm-up round waits at most this long for an idle moment. */
const WARM_UP_IDLE_MS = 1_000;

const warmUpMoment = (run: () => void) => whenIdle(run, WARM_UP_IDLE_MS);

/** Whether opening needs the pure-JavaScript AES (no WebCrypto: not a secure context). */
export function needsPureAes(): boolean {
  return !globalThis.crypto?.subtle;
}

function base64urlBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
