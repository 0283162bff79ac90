/**
 * What a file really is, from its first bytes. Upload names and declared MIME types are the
 * client's word and are never trusted; only these signatures decide how a file is handled.
 */
import { open } from 'node:fs/promises';

/** `ole`: an OLE compound file (PowerPoint 97-2003, or a password-protected OOXML package). */
export type SniffedKind = 'png' | 'jpeg' | 'gif' | 'webp' | 'pdf' | 'zip' | 'ole';
export type ImageKind = Extract<SniffedKind, 'png' | 'jpeg' | 'gif' | 'webp'>;

/** PDF readers accept a header anywhere in the first 1024 bytes (PDF 1.7 Annex H.3, note 13). */
const HEAD_BYTES = 1024;

export async function sniffFile(file: string): Promise<SniffedKind | undefined> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    return sniffBytes(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

export function sniffBytes(head: Buffer): SniffedKind | undefined {
  const starts = (bytes: number[] | string, at = 0): boolean => {
    const expected = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
    return head.length >= at + expected.length && head.subarray(at, at + expected.length).equals(expected);
  };
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts('GIF87a') || starts('GIF89a')) return 'gif';
  if (starts('RIFF') && starts('WEBP', 8)) return 'webp';
  // A local file header, or the end record of an empty archive.
  if (starts('PK\x03\x04') || starts('PK\x05\x06')) return 'zip';
  if (starts([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (head.indexOf('%PDF-', 0, 'latin1') !== -1) return 'pdf';
  return undefined;
}

export function isImageKind(kind: SniffedKind | undefined): kind is ImageKind {
  return kind === 'png' || kind === 'jpeg' || kind === 'gif' || kind === 'webp';
}
