/**
 * Where the live talk's record is kept. One node keeps it in the data folder (`live.json`,
 * rewritten in place by one write call); several nodes keep it in Redis (redis-talk-store.ts), where every change is
 * a compare-and-swap so two presenters on two nodes never lose a change. LiveTalk plans a change
 * on what `read` returns and hands the result to `write`, retrying when another node got there first.
 */
import { mkdir } from 'node:fs/promises';
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { validPacing, type Pacing } from './pacing';
import { logger } from '../log';

const slideshowLog = logger('slideshow');

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

  /**
   * A new file starts with `{"seq":0}` written, so an empty or unreadable one later is damage: it
   * is moved aside (`live.json.corrupt-<time>`, never overwritten), the problem is logged, and
   * the talk starts idle with a `seq` taken from the clock, above any a phone may have seen.
   */
  static async open(file: string, options: { log?: (line: string) => void; now?: () => number } = {}): Promise<FileTalkStore> {
    const log = options.log ?? ((line: string) => slideshowLog.warn(line));
    const now = options.now ?? Date.now;
    await mkdir(path.dirname(file), { recursive: true });
    if (!existsSync(file)) return FileTalkStore.#create(file, { seq: 0 });
    const fd = openSync(file, constants.O_RDWR, 0o600);
    let check: RecordCheck;
    try {
      check = checkRecord(readFileSync(fd, 'utf8'));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    if (check.ok) return new FileTalkStore(file, fd, check.record);
    closeSync(fd);
    const aside = `${file}.corrupt-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, aside);
    log(`${file} is damaged (${check.problem}): kept as ${path.basename(aside)}; starting with no live talk`);
    return FileTalkStore.#create(file, { seq: now() });
  }

  static #create(file: string, record: TalkRecord): FileTalkStore {
    const fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
    const store = new FileTalkStore(file, fd, record);
    writeSync(fd, JSON.stringify(record), 0);
    return store;
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
  const check = checkRecord(text);
  return check.ok ? check.record : undefined;
}

export type RecordCheck = { ok: true; record: TalkRecord } | { ok: false; problem: string };

const isSlideNumber = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 1;
const isOptional = (value: unknown, check: (v: unknown) => boolean): boolean => value === undefined || check(value);
const isShortString = (value: unknown): boolean => typeof value === 'string' && value.length <= 1_000;
/** More reveals than the largest deck has slides is damage, not a talk. */
const MAX_REVEALED = 5_000;

/**
 * The fields a live talk is rebuilt from must be exactly what LiveTalk writes: a wrong type there
 * (`slide: 1.5`, `slide: "2"`, `revealed: "x"`) is damage, reported with the field's name. Fields
 * that only decorate the talk (QR, ended, past, pacing) are dropped when malformed, the talk kept.
 */
export function checkRecord(text: string): RecordCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: text.trim() === '' ? 'empty' : 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'not a JSON object' };
  const { seq, deck, slide, revealed, blackout, startedAt, upcoming, deckTitle } = value as Record<string, unknown>;
  const problem = !(Number.isSafeInteger(seq) && (seq as number) >= 0) ? 'seq is not a whole number'
    : !isOptional(deck, (d) => typeof d === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(d)) ? 'deck is not a deck id'
    : !isOptional(slide, isSlideNumber) ? 'slide is not a whole number from 1'
    : (deck === undefined) !== (slide === undefined) ? 'deck and slide go together'
    : !isOptional(revealed, (r) => Array.isArray(r) && r.length <= MAX_REVEALED && r.every(isSlideNumber)) ? 'revealed is not a list of slide numbers'
    : !isOptional(blackout, (b) => typeof b === 'boolean') ? 'blackout is not true or false'
    : !isOptional(startedAt, Number.isFinite) ? 'startedAt is not a time'
    : !isOptional(upcoming, isShortString) || !isOptional(deckTitle, isShortString) ? 'a title is not a short text'
    : undefined;
  if (problem) return { ok: false, problem };
  return { ok: true, record: tidyRecord(value as TalkRecord) };
}

/**
 * A record that names slides its deck does not have (`revealed: [99]` of 6) cannot be shown;
 * undefined then, and the talk comes back idle. Known only once the deck is loaded.
 */
export function fitsDeck(record: TalkRecord, slideCount: number, log = (line: string) => slideshowLog.warn(line)): boolean {
  const beyond = [record.slide ?? 1, ...(record.revealed ?? [])].find((n) => n > slideCount);
  if (beyond === undefined) return true;
  log(`the live talk names slide ${beyond} of deck "${record.deck}", which has ${slideCount}: starting with no live talk`);
  return false;
}

function tidyRecord(record: TalkRecord): TalkRecord {
  // A QR flag that is not a boolean (a hand-edited file) means the QR is not up.
  if (record.qr !== undefined && typeof record.qr !== 'boolean') delete record.qr;
  if (record.ended !== undefined && record.ended !== true) delete record.ended;
  if (record.handout !== undefined && typeof record.handout !== 'boolean') delete record.handout;
  // A past talk that is not well formed serves nothing (never more than it should).
  if (record.past !== undefined && !isPastTalk(record.past)) delete record.past;
  // A malformed pacing field is dropped rather than the record: the talk goes on, its clock reset.
  const { targetMs: _t, pausedAt: _a, pausedMs: _m, ...rest } = record;
  return { ...rest, ...validPacing(record) };
}

function isPastTalk(value: unknown): value is PastTalk {
  if (typeof value !== 'object' || value === null) return false;
  const { deck, tokens, until } = value as Record<string, unknown>;
  return typeof deck === 'string' && Array.isArray(tokens) && tokens.every((t) => typeof t === 'string')
    && (until === undefined || Number.isFinite(until));
}
