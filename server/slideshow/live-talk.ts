/**
 * The live talk: which deck is shown, the current slide, every slide revealed so far, blackout.
 * Commands are applied one at a time and written to the data folder atomically before they are
 * announced, so a restart mid-talk resumes exactly where it was. `seq` keeps growing across
 * restarts, so clients can ignore anything older than what they have.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { IdleState, LiveState, PresenterCommand, ShownSlide, SlideshowState } from '../../lib/slideshow/index';

/** What the live talk needs of a deck: its slides as the audience will see them, with their tokens. */
export interface LiveDeck {
  readonly id: string;
  readonly title: string;
  readonly slides: ReadonlyArray<{ readonly token: string; readonly shown: ShownSlide }>;
}

export interface DeckLookup {
  load(id: string): Promise<LiveDeck | undefined>;
}

interface TalkRecord {
  seq: number;
  deck?: string;
  slide?: number;
  revealed?: number[];
  blackout?: boolean;
  startedAt?: number;
}

export type CommandResult = { ok: true; state: SlideshowState } | { ok: false; status: 400 | 404 | 409; error: string };

export class LiveTalk {
  #record: TalkRecord;
  #deck: LiveDeck | undefined;
  #revealedTokens = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly file: string, readonly decks: DeckLookup, record: TalkRecord, deck: LiveDeck | undefined, private readonly now: () => number) {
    this.#record = record;
    this.#deck = deck;
    this.#indexReveals();
  }

  /** Restore the talk from `file`; a talk whose deck is gone comes back idle. */
  static async open(file: string, decks: DeckLookup, now: () => number = Date.now): Promise<LiveTalk> {
    const record = await readRecord(file);
    const deck = record.deck ? await decks.load(record.deck) : undefined;
    const valid = deck && record.slide !== undefined && record.slide >= 1 && record.slide <= deck.slides.length;
    return new LiveTalk(file, decks, valid ? record : { seq: record.seq }, valid ? deck : undefined, now);
  }

  get liveDeckId(): string | undefined {
    return this.#deck?.id;
  }

  /** The current state, as broadcast (no history). */
  state(): SlideshowState {
    const record = this.#record;
    const deck = this.#deck;
    if (!deck || record.slide === undefined) return { live: false, seq: record.seq, at: this.now() } satisfies IdleState;
    const shown = deck.slides[record.slide - 1]!.shown;
    return {
      ...shown, live: true, seq: record.seq, at: this.now(), deck: deck.id, title: deck.title,
      count: deck.slides.length, blackout: record.blackout ?? false,
      ...(record.startedAt !== undefined ? { startedAt: record.startedAt } : {}),
    } satisfies LiveState;
  }

  /** The state plus every slide shown so far: what a client gets right after it subscribes. */
  stateWithHistory(): SlideshowState {
    const state = this.state();
    if (!state.live || !this.#deck) return state;
    const slides = this.#deck.slides;
    return { ...state, history: [...(this.#record.revealed ?? [])].sort((a, b) => a - b).map((n) => slides[n - 1]!.shown) };
  }

  /** May the audience load this slide image? Only once its slide has been shown in this talk. */
  isRevealed(deckId: string, token: string): boolean {
    return this.#deck?.id === deckId && this.#revealedTokens.has(token);
  }

  /** Apply a presenter command (serialised with every other), persist it, return the new state. */
  apply(command: PresenterCommand): Promise<CommandResult> {
    const run = this.#queue.then(() => this.#apply(command));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** A deck was renamed: if it is live, everyone gets the new title (a new state). */
  deckRenamed(deckId: string): Promise<SlideshowState | undefined> {
    const run = this.#queue.then(async () => {
      if (this.#deck?.id !== deckId) return undefined;
      const deck = await this.decks.load(deckId);
      if (!deck || deck.slides.length !== this.#deck.slides.length) return undefined;
      const record = { ...this.#record, seq: this.#record.seq + 1 };
      await writeRecord(this.file, record);
      this.#record = record;
      this.#deck = deck;
      return this.state();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** A deck was deleted: if it was live, the talk ends. */
  async deckRemoved(deckId: string): Promise<SlideshowState | undefined> {
    if (this.#deck?.id !== deckId) return undefined;
    const result = await this.apply({ live: false });
    return result.ok ? result.state : undefined;
  }

  async #apply(command: PresenterCommand): Promise<CommandResult> {
    const next = await this.#plan(command);
    if (!next.ok) return next;
    await writeRecord(this.file, next.record);
    this.#record = next.record;
    this.#deck = next.deck;
    this.#indexReveals();
    return { ok: true, state: this.state() };
  }

  async #plan(command: PresenterCommand): Promise<{ ok: true; record: TalkRecord; deck: LiveDeck | undefined } | Extract<CommandResult, { ok: false }>> {
    const seq = this.#record.seq + 1;
    if (command.live === false) return { ok: true, record: { seq }, deck: undefined };
    let deck = this.#deck;
    let record: TalkRecord = { ...this.#record, seq };
    if (command.deck !== undefined && command.deck !== deck?.id) {
      deck = await this.decks.load(command.deck);
      if (!deck) return { ok: false, status: 404, error: `no deck "${command.deck}"` };
      record = { seq, deck: deck.id, slide: 1, revealed: [], blackout: false, startedAt: this.now() };
    }
    if (!deck || record.slide === undefined) return { ok: false, status: 409, error: 'no talk is live: send a deck first' };
    let slide = record.slide;
    if (command.slide !== undefined) slide = command.slide;
    if (command.step !== undefined) slide = Math.min(Math.max(slide + command.step, 1), deck.slides.length);
    if (slide > deck.slides.length) return { ok: false, status: 400, error: `slide ${slide} is past the end (the deck has ${deck.slides.length})` };
    const revealed = new Set(record.revealed ?? []);
    revealed.add(slide);
    // Moving on lifts a blackout, as in Keynote and PowerPoint; B alone toggles it.
    const moved = slide !== this.#record.slide || record.deck !== this.#record.deck;
    const blackout = command.blackout ?? (moved ? false : record.blackout ?? false);
    return { ok: true, deck, record: { ...record, slide, revealed: [...revealed], blackout } };
  }

  #indexReveals(): void {
    const slides = this.#deck?.slides ?? [];
    this.#revealedTokens = new Set((this.#record.revealed ?? []).map((n) => slides[n - 1]?.token).filter((t): t is string => !!t));
  }
}

async function readRecord(file: string): Promise<TalkRecord> {
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as TalkRecord;
    return typeof record.seq === 'number' ? record : { seq: 0 };
  } catch {
    return { seq: 0 };
  }
}

/** Write to a temporary file and rename it over the old one: readers see the old or the new, never half. */
async function writeRecord(file: string, record: TalkRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, JSON.stringify(record), { mode: 0o600 });
  await rename(temporary, file);
}
