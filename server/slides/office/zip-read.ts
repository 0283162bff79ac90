/**
 * Reading a few small text entries (XML parts) of a ZIP into memory with yauzl: the entry names
 * of an Office package, and the parts that hold its slide order and speaker notes. Every entry read
 * is capped (`maxEntryBytes`) and so is the number of entries looked at, so a hostile package cannot
 * make us buffer more than the caller allows.
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

export interface ZipTexts {
  /** Every entry name in the archive, in central-directory order. */
  names: string[];
  /** The wanted entries' contents, decoded as UTF-8. */
  texts: Map<string, string>;
}

const OPTIONS = { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: false };

/** Names of all entries, and the text of those `wanted` accepts; rejects on a damaged archive. */
export async function readZipTexts(file: string, wanted: (name: string) => boolean, maxEntries: number, maxEntryBytes: number): Promise<ZipTexts> {
  const zipfile = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(file, OPTIONS, (e, z) => (e ? reject(e) : resolve(z))));
  try {
    if (zipfile.entryCount > maxEntries) throw new Error(`too many entries (${zipfile.entryCount})`);
    const result: ZipTexts = { names: [], texts: new Map() };
    for (let entry = await nextEntry(zipfile); entry; entry = await nextEntry(zipfile)) {
      result.names.push(entry.fileName);
      if (!wanted(entry.fileName) || entry.fileName.endsWith('/')) continue;
      if (entry.uncompressedSize > maxEntryBytes) throw new Error(`${entry.fileName} is too large`);
      result.texts.set(entry.fileName, await readEntry(zipfile, entry, maxEntryBytes));
    }
    return result;
  } finally {
    zipfile.close();
  }
}

async function readEntry(zipfile: yauzl.ZipFile, entry: yauzl.Entry, maxBytes: number): Promise<string> {
  const stream = await new Promise<Readable>((resolve, reject) => zipfile.openReadStream(entry, (e, s) => (e ? reject(e) : resolve(s))));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      stream.destroy();
      throw new Error(`${entry.fileName} is too large`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function nextEntry(zipfile: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => void zipfile.off('entry', onEntry).off('end', onEnd).off('error', onError);
    const onEntry = (entry: yauzl.Entry): void => (cleanup(), resolve(entry));
    const onEnd = (): void => (cleanup(), resolve(null));
    const onError = (error: Error): void => (cleanup(), reject(error));
    zipfile.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zipfile.readEntry();
  });
}
