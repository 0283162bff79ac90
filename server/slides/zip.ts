/**
 * Extracting the images of an uploaded ZIP with yauzl. Entry names are only ever labels: each
 * entry is written to a temp name of ours. yauzl (`decodeStrings`) already refuses absolute and
 * `..` names and (`validateEntrySizes`) entries whose data is longer than their declared size; we
 * check names again, and cap entry count, each entry's declared and real size, the total, and
 * how far an entry may expand (images barely compress, so an entry that shrinks a hundredfold is
 * no slide), all before anything is written: a small archive cannot expand into gigabytes (a zip
 * bomb) or fill the disk. yauzl checks no CRC-32, so each entry's is computed as it is written
 * and compared at its end: a damaged entry is refused.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { type UploadFailure, type UploadLimits, fail, formatBytes } from './limits';
import type { ProgressListener, ReceivedFile } from './types';

/** Entries may expand this many times their compressed size (images barely compress at all)... */
export const MAX_EXPANSION_RATIO = 100;
/** ...once they are larger than this (a small text file may compress better). */
const RATIO_FREE_BYTES = 1024 * 1024;

/** Left by macOS Finder, Windows Explorer and friends; never slides. */
const JUNK_NAMES = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db']);

export async function extractZip(
  zip: ReceivedFile,
  outDir: string,
  limits: UploadLimits,
  onProgress?: ProgressListener,
): Promise<{ ok: true; entries: ReceivedFile[] } | UploadFailure> {
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await openZip(zip.path);
  } catch (error) {
    return zipError(error, zip.name);
  }
  try {
    if (zipfile.entryCount > limits.maxZipEntries) {
      return fail(413, `The ZIP has too many entries: at most ${limits.maxZipEntries}.`, zip.name);
    }
    return await extractEntries(zipfile, zip.name, outDir, limits, onProgress);
  } catch (error) {
    return zipError(error, zip.name);
  } finally {
    zipfile.close();
  }
}

async function extractEntries(
  zipfile: yauzl.ZipFile,
  zipName: string,
  outDir: string,
  limits: UploadLimits,
  onProgress?: ProgressListener,
): Promise<{ ok: true; entries: ReceivedFile[] } | UploadFailure> {
  const entries: ReceivedFile[] = [];
  let totalBytes = 0;
  let seen = 0;
  for (let entry = await nextEntry(zipfile); entry; entry = await nextEntry(zipfile)) {
    onProgress?.({ type: 'progress', stage: 'extracting', done: seen++, total: zipfile.entryCount, file: entry.fileName });
    const label = `${zipName}/${entry.fileName}`;
    if (!isSafeName(entry.fileName)) return fail(422, 'Unsafe file name in the ZIP.', label);
    if (entry.fileName.endsWith('/') || isJunk(entry.fileName)) continue;
    const refusal = checkEntry(entry, label, entries.length, totalBytes, limits);
    if (refusal) return refusal;
    const file = path.join(outDir, `entry-${entries.length}`);
    const size = await writeEntry(zipfile, entry, file, limits.maxFileBytes);
    totalBytes += size;
    if (totalBytes > limits.maxZipBytes) return fail(413, `The ZIP expands to more than ${formatBytes(limits.maxZipBytes)}.`, zipName);
    entries.push({ name: entry.fileName, path: file, size });
  }
  onProgress?.({ type: 'progress', stage: 'extracting', done: zipfile.entryCount, total: zipfile.entryCount });
  if (entries.length === 0) return fail(422, 'The ZIP contains no images.', zipName);
  return { ok: true, entries };
}

/** Refuses an entry before any of it is read, from what the central directory declares. */
function checkEntry(entry: yauzl.Entry, label: string, kept: number, totalBytes: number, limits: UploadLimits): UploadFailure | undefined {
  if (entry.isEncrypted()) return fail(422, 'Encrypted ZIP entries are not supported.', label);
  if (kept >= limits.maxSlides) return fail(413, `Too many images in the ZIP: at most ${limits.maxSlides}.`, label);
  if (entry.uncompressedSize > limits.maxFileBytes) {
    return fail(413, `The file is too large: at most ${formatBytes(limits.maxFileBytes)} per file.`, label);
  }
  if (totalBytes + entry.uncompressedSize > limits.maxZipBytes) {
    return fail(413, `The ZIP expands to more than ${formatBytes(limits.maxZipBytes)}.`, label);
  }
  if (entry.uncompressedSize > RATIO_FREE_BYTES && entry.uncompressedSize > entry.compressedSize * MAX_EXPANSION_RATIO) {
    return fail(422, `A ZIP entry expands more than ${MAX_EXPANSION_RATIO} times: no image does (a zip bomb?).`, label);
  }
  return undefined;
}

/** Copies one entry to `file`, never past `maxBytes`, whatever the entry claims. */
async function writeEntry(zipfile: yauzl.ZipFile, entry: yauzl.Entry, file: string, maxBytes: number): Promise<number> {
  const stream = await new Promise<Readable>((resolve, reject) =>
    zipfile.openReadStream(entry, (error, s) => (error ? reject(error) : resolve(s))),
  );
  let size = 0;
  let crc = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      crc = crc32(chunk, crc);
      if (size > maxBytes || size > entry.uncompressedSize) callback(new Error('too many bytes in the stream'));
      else callback(null, chunk);
    },
    flush(callback) {
      callback(crc >>> 0 === entry.crc32 >>> 0 ? null : new Error('crc mismatch'));
    },
  });
  try {
    await pipeline(stream, cap, createWriteStream(file, { flags: 'wx' }));
  } catch (error) {
    (error as Error & { entry?: string }).entry = entry.fileName;
    throw error;
  }
  return size;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  const options = { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: false };
  return new Promise((resolve, reject) => yauzl.open(file, options, (error, zipfile) => (error ? reject(error) : resolve(zipfile))));
}

/** The next entry, or null at the end; errors (bad names, bad sizes, bad data) reject. */
function nextEntry(zipfile: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zipfile.off('entry', onEntry).off('end', onEnd).off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => (cleanup(), resolve(entry));
    const onEnd = (): void => (cleanup(), resolve(null));
    const onError = (error: Error): void => (cleanup(), reject(error));
    zipfile.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zipfile.readEntry();
  });
}

function isJunk(name: string): boolean {
  const segments = name.split('/').filter(Boolean);
  if (segments[0] === '__MACOSX') return true;
  if (segments.some((segment) => segment.startsWith('.'))) return true;
  return JUNK_NAMES.has((segments[segments.length - 1] ?? '').toLowerCase());
}

function isSafeName(name: string): boolean {
  if (name.includes('\0') || name.includes('\\') || name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return false;
  return !name.split('/').includes('..');
}

/** yauzl reports problems as plain errors; these are the ones a person can act on. */
function zipError(error: unknown, zipName: string): UploadFailure {
  const message = error instanceof Error ? error.message : String(error);
  const entry = (error as { entry?: string }).entry;
  const label = entry ? `${zipName}/${entry}` : zipName;
  if (/^(absolute path|invalid relative path|invalid characters in fileName)/.test(message)) {
    return fail(422, 'Unsafe file name in the ZIP.', `${zipName}/${message.replace(/^[^:]*: /, '')}`);
  }
  if (/too many bytes|too few bytes|size mismatch/.test(message)) {
    return fail(422, 'A ZIP entry is larger or smaller than it declares (a damaged archive or a zip bomb).', label);
  }
  if (/crc mismatch/.test(message)) return fail(422, 'A ZIP entry is damaged: its checksum (CRC-32) does not match its contents.', label);
  if (/unsupported compression method|encrypted/.test(message)) return fail(422, `Unsupported ZIP entry: ${message}.`, label);
  return fail(422, 'The ZIP is damaged or cannot be read.', label);
}
