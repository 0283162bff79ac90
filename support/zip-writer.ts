/**
 * A minimal ZIP writer for tests (APPNOTE 6.3.x, sections 4.3.7, 4.3.12, 4.3.16). Written by hand
 * rather than with a library because the tests need archives a careful library refuses to make:
 * `../` names, absolute names, and entries that lie about their size (zip bombs).
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntrySpec {
  name: string;
  data?: Buffer;
  /** Deflate (method 8) instead of storing (method 0). */
  deflate?: boolean;
  /** Declared uncompressed size, when the test wants the archive to lie. */
  declaredSize?: number;
  /** Declared CRC-32, when the test wants a damaged entry. */
  declaredCrc?: number;
}

export function makeZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = entry.data ?? Buffer.alloc(0);
    const body = entry.deflate ? deflateRawSync(data) : data;
    const name = Buffer.from(entry.name, 'utf8');
    const fields: EntryFields = {
      method: entry.deflate ? 8 : 0,
      crc: entry.declaredCrc ?? crc32(data),
      compressed: body.length,
      uncompressed: entry.declaredSize ?? data.length,
      name,
    };
    const local = Buffer.concat([localHeader(fields), name, body]);
    centrals.push(Buffer.concat([centralHeader(fields, offset), name]));
    locals.push(local);
    offset += local.length;
  }
  const central = Buffer.concat(centrals);
  return Buffer.concat([...locals, central, endRecord(entries.length, central.length, offset)]);
}

interface EntryFields {
  method: number;
  crc: number;
  compressed: number;
  uncompressed: number;
  name: Buffer;
}

const UTF8_FLAG = 0x0800;
const DOS_DATE = ((2025 - 1980) << 9) | (1 << 5) | 1;

/** The fields both headers share, in the same order: flags, method, time, date, CRC, sizes, name length. */
function writeEntryFields(b: Buffer, at: number, f: EntryFields): void {
  b.writeUInt16LE(UTF8_FLAG, at);
  b.writeUInt16LE(f.method, at + 2);
  b.writeUInt16LE(0, at + 4);
  b.writeUInt16LE(DOS_DATE, at + 6);
  b.writeUInt32LE(f.crc, at + 8);
  b.writeUInt32LE(f.compressed, at + 12);
  b.writeUInt32LE(f.uncompressed, at + 16);
  b.writeUInt16LE(f.name.length, at + 20);
}

function localHeader(f: EntryFields): Buffer {
  const b = Buffer.alloc(30);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(20, 4);
  writeEntryFields(b, 6, f);
  b.writeUInt16LE(0, 28);
  return b;
}

function centralHeader(f: EntryFields, offset: number): Buffer {
  const b = Buffer.alloc(46);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(20, 6);
  writeEntryFields(b, 8, f);
  b.writeUInt32LE(offset, 42);
  return b;
}

function endRecord(count: number, size: number, offset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(size, 12);
  b.writeUInt32LE(offset, 16);
  return b;
}
