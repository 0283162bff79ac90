/**
 * Where the live talk's record is kept. One node keeps it in the data folder (`live.json`,
 * written atomically); several nodes keep it in Redis (redis-talk-store.ts), where every change is
 * a compare-and-swap so two presenters on two nodes never lose a change. LiveTalk plans a change
 * on what `read` returns and hands the result to `write`, retrying when another node got there first.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** The talk as stored: enough to rebuild every state the audience has been sent. */
export interface TalkRecord {
  seq: number;
  deck?: string;
  slide?: number;
  revealed?: number[];
  blackout?: boolean;
  startedAt?: number;
  /** While idle: the title of the talk about to start, shown on the phones' waiting screen. */
  upcoming?: string;
}

/** A record read to base a change on; `version` is the store's own token for the compare-and-swap. */
export interface TalkSnapshot {
  readonly record: TalkRecord;
  readonly version: string | undefined;
}

/**
 * A change that reached this node from elsewhere (another node, or a resynchronisation with Redis).
 * `announce`: this node's clients may not have been sent it, so the slideshow broadcasts it.
 */
export type TalkChangeListener = (record: TalkRecord, announce: boolean) => void;

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

/** One node: the record lives in the data folder, and this process is its only writer. */
export class FileTalkStore implements TalkStore {
  #current: TalkRecord;

  private constructor(readonly file: string, record: TalkRecord) {
    this.#current = record;
  }

  static async open(file: string): Promise<FileTalkStore> {
    await mkdir(path.dirname(file), { recursive: true });
    return new FileTalkStore(file, await readRecord(file));
  }

  get current(): TalkRecord {
    return this.#current;
  }

  async read(): Promise<TalkSnapshot> {
    return { record: this.#current, version: undefined };
  }

  async write(_base: TalkSnapshot, next: TalkRecord): Promise<boolean> {
    writeRecord(this.file, next);
    this.#current = next;
    return true;
  }

  onChange(): void {}

  async refresh(): Promise<void> {}

  async close(): Promise<void> {}
}

/** A stored record, or undefined for anything that is not one. */
export function parseRecord(text: string): TalkRecord | undefined {
  try {
    const record = JSON.parse(text) as TalkRecord;
    return typeof record === 'object' && record !== null && Number.isSafeInteger(record.seq) ? record : undefined;
  } catch {
    return undefined;
  }
}

async function readRecord(file: string): Promise<TalkRecord> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return parseRecord(text) ?? { seq: 0 };
}

/**
 * Write to a temporary file and rename it over the old one: readers see the old or the new, never
 * half. Synchronous on purpose: the record is a few hundred bytes (well under a millisecond), while
 * an async write's completion would queue behind the I/O of thousands of phones, and every slide
 * change waits for this write before it goes out.
 */
function writeRecord(file: string, record: TalkRecord): void {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, JSON.stringify(record), { mode: 0o600 });
  renameSync(temporary, file);
}
