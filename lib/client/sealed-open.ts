/**
 * Opens a sealed slide file (server/slides/seal.ts: `nonce (12 bytes) || AES-256-GCM ciphertext ||
 * tag (16 bytes)`) with the key from the state that shows the slide. WebCrypto where the page is a
 * secure context; on a plain-http origin (a LAN address), where browsers leave `crypto.subtle`
 * out, @noble/ciphers' audited AES-GCM, imported only then so no other page pays for it.
 * Undefined for anything that does not open: a wrong or missing key, altered bytes, a short file.
 */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;

export function isSealKey(value: unknown): value is string {
  return typeof value === 'string' && KEY_TEXT.test(value);
}

export async function openSealed(sealed: ArrayBuffer, key: unknown): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (!isSealKey(key) || sealed.byteLength < NONCE_BYTES + TAG_BYTES) return undefined;
  const bytes = new Uint8Array(sealed);
  const nonce = bytes.slice(0, NONCE_BYTES);
  const body = bytes.slice(NONCE_BYTES);
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

/** The pure-JavaScript AES-GCM; start loading it early (while prefetching) where it will be needed. */
export function loadPureAes(): Promise<typeof import('@noble/ciphers/aes.js')> {
  return import('@noble/ciphers/aes.js');
}

/** Whether opening needs the pure-JavaScript AES (no WebCrypto: not a secure context). */
export function needsPureAes(): boolean {
  return !globalThis.crypto?.subtle;
}

function base64urlBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
