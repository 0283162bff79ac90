/**
 * Where the live talk's record is kept. One node keeps it in the data folder (`live.json`,
 * rewritten in place by one write call); several nodes keep it in Redis (redis-talk-store.ts), where every change is
 * a compare-and-swap so two presenters on two nodes never lose a change. LiveTalk plans a change
 * on what `read` returns and hands the result to `write`, retrying when another node got there first.
 */
import { mkdir } from 'node:fs/promises';
import { closeSync, constants, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { validPacing, type Pacing } from './pacing';

/** The talk as stored: enough to rebuild every state the audience has been sent. */
export interface TalkRecord extends Pacing {
  seq: number;
  deck?: string;
  slide?: number;
  revealed?: number[];
  blackout?: boolean;
  /** The join QR code is up on the room display. */
  qr?: boolean;
  startedAt?: number;
  /** While idle: the title of the talk about to start, shown on the phones' waiting screen. */
  upcoming?: string;
  /** The live deck's title when this record was made: another node that has this deck loaded with this title need not read it again. */
  deckTitle?: string;
  /** The live deck's revision (LiveDeck.revision) when this record was made: the same test, for alt text edits. */
  deckRevision?: string;
  /** While idle: a talk has ended (the phones say so, rather than "will start soon"). */
  ended?: boolean;
  /** The last talk's shown slides, still served to the audience (past.ts). */
  past?: PastTalk;
  /** The presenter offers the audience a handout of the slides shown (kept after the end). */
  handout?: boolean;
}

/**
 * The slides an ended (or replaced) talk showed, by image token: phones still reviewing that talk
 * may load them. Kept while idle; once another deck goes live, only until `until` (server time, ms).
 */
export interface PastTalk {
  deck: string;
  tokens: string[];
  until?: number;
}

/** A record read to base a change on; `version` is the store's own token for the compare-and-swap. */
export interface TalkSnapshot {
  readonly record: TalkRecord;
  readonly version: string | undefined;
}

/** A record that reached this node from elsewhere (another node, or a resynchronisation with Redis). */
export type TalkChangeListener = (record: TalkRecord) => void;

export interface TalkStore {
  /** The record as this node last knew it (after `open`: as stored). */
  readonly current: TalkRecord;
  /** The newest record to plan a change on (a shared store asks Redis; unreachable, it answers `current`). */
  read(): Promise<TalkSnapshot>;
  /** Store `next` unless the talk changed since `base` was read; false means read again and retry. */
  write(base: TalkSnapshot, next: TalkRecord): Promise<boolean>;
  onChange(listener: TalkChangeListener): void;
  /** Bring `current` up to date now (a shared store asks Redis; others have nothing to do). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One node: the record lives in the data folder, and this process is its only writer.
 *
 * Every slide change waits for this write before it goes out, so it is one `pwrite` of the JSON
 * at the start of a file kept open, padded with spaces to the file's length (JSON allows trailing
 * whitespace): no open, truncate, rename or close per change. Writing a new file and renaming it
 * over the old took 0.2 ms on an idle machine and 0.8 ms in a server serving 1,000 phones (most of
 * the time between a presenter's click and the first phone's delivery); this takes ~10 µs. A
 * process that dies mid-change cannot leave half a record: a write of a few hundred bytes to one
 * file reaches the page cache whole. The file keeps the length of the longest record written.
 */
export class FileTalkStore implements TalkStore {
  #current: TalkRecord;
  #fd: number | undefined;

  private constructor(readonly file: string, fd: number, record: TalkRecord) {
    this.#current = record;
    this.#fd = fd;
  }

  static async open(file: string): Promise<FileTalkStore> {
    await mkdir(path.dirname(file), { recursive: true });
    const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
    try {
      const record = parseRecord(readFileSync(fd, 'utf8')) ?? { seq: 0 };
      return new FileTalkStore(file, fd, record);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  get current(): TalkRecord {
    return this.#current;
  }

  async read(): Promise<TalkSnapshot> {
    return { record: this.#current, version: undefined };
  }

  async write(_base: TalkSnapshot, next: TalkRecord): Promise<boolean> {
    if (this.#fd === undefined) throw new Error('the talk store is closed');
    const json = Buffer.from(JSON.stringify(next), 'utf8');
    // Padded to the file's size as it is now (one fstat, ~1 µs): another process writing the same
    // folder by mistake may have made it longer, and no end of a longer record may be left behind.
    const length = Math.max(json.length, fstatSync(this.#fd).size);
    const bytes = Buffer.alloc(length, 0x20);
    json.copy(bytes);
    writeSync(this.#fd, bytes, 0, length, 0);
    this.#current = next;
    return true;
  }

  onChange(): void {}

  async refresh(): Promise<void> {}

  async close(): Promise<void> {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** A stored record, or undefined for anything that is not one. */
export function parseRecord(text: string): TalkRecord | undefined {
  try {
    const record = JSON.parse(text) as TalkRecord;
    if (typeof record !== 'object' || record === null || !Number.isSafeInteger(record.seq)) return undefined;
    // A QR flag that is not a boolean (a hand-edited file) means the QR is not up.
    if (record.qr !== undefined && typeof record.qr !== 'boolean') delete record.qr;
    if (record.ended !== undefined && record.ended !== true) delete record.ended;
    if (record.handout !== undefined && typeof record.handout !== 'boolean') delete record.handout;
    // A past talk that is not well formed serves nothing (never more than it should).
    if (record.past !== undefined && !isPastTalk(record.past)) delete record.past;
    // A malformed pacing field is dropped rather than the record: the talk goes on, its clock reset.
    const { targetMs: _t, pausedAt: _a, pausedMs: _m, ...rest } = record;
    return { ...rest, ...validPacing(record) };
  } catch {
    return undefined;
  }
}

function isPastTalk(value: unknown): value is PastTalk {
  if (typeof value !== 'object' || value === null) return false;
  const { deck, tokens, until } = value as Record<string, unknown>;
  return typeof deck === 'string' && Array.isArray(tokens) && tokens.every((t) => typeof t === 'string')
    && (until === undefined || Number.isFinite(until));
}
