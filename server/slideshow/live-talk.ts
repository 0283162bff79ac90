/**
 * The live talk: which deck is shown, the current slide, every slide revealed so far, blackout,
 * and whether the join QR code is up on the room display.
 * Commands are applied one at a time and stored (TalkStore: the data folder, or Redis when several
 * nodes share the talk) before they are announced, so a restart mid-talk resumes exactly where it
 * was. `seq` keeps growing across restarts, so clients can ignore anything older than what they have.
 *
 * With a shared store a change is planned on the newest stored record and written with a
 * compare-and-swap: when another node changed the talk first, the command is planned again on
 * that change. Changes made on other nodes arrive through the store and replace this node's copy.
 *
 * Every change this node takes, whoever made it (a command here, another node, a resynchronisation
 * with Redis), leaves through one emitter, `onChange`, at the moment it is taken: the slideshow's
 * Bayeux side broadcasts exactly that stream to this node's phones, so what a joiner is sent
 * (`replay`) is always consistent with what it is sent next. A node never relays another node's
 * broadcast: it announces the change once it has the change itself (its deck loaded, its images
 * allowed), so no phone on it can be shown a state the node does not know yet.
 */
import type { IdleState, LiveState, PresenterCommand, ShownSlide, SlideshowState } from '../../lib/slideshow/index';
import { FileTalkStore, fitsDeck, type TalkRecord, type TalkStore } from './talk-store';
import { applyPacing, validPacing } from './pacing';
import { DEFAULT_KEEP_PAST_MS, endedRecord, pastOnNewDeck, pastServes } from './past';
import { type LiveSeal, sealedFields } from './sealed-state';

/** What the live talk needs of a deck: its slides as the audience will see them, with their tokens. */
export interface LiveDeck {
  readonly id: string;
  readonly title: string;
  readonly slides: ReadonlyArray<{ readonly token: string; readonly shown: ShownSlide; readonly seal?: LiveSeal }>;
  /** Changes whenever what the audience is sent of the deck does (its alt text): another node reloads it. */
  readonly revision?: string;
}

export interface DeckLookup {
  load(id: string): Promise<LiveDeck | undefined>;
}

/** A refusal names its status and a stable `ApiErrorCode` (docs/api.md); `error` is for people. */
export type CommandResult =
  | { ok: true; state: SlideshowState }
  | { ok: false; status: 400 | 404 | 409; code: 'no_such_deck' | 'slide_out_of_range' | 'not_live' | 'nothing_to_hand_out' | 'talk_contended'; error: string };

type Refusal = Extract<CommandResult, { ok: false }>;

/**
 * One change of the talk as this node took it: `state` is what is broadcast, `replay` what a client
 * is sent right after it subscribes (the state plus every slide shown so far, so it can swipe back).
 */
export interface TalkChange {
  readonly state: SlideshowState;
  readonly replay: SlideshowState;
  /**
   * What this node's phones are sent when it differs from `state`: a change taken from elsewhere
   * that revealed slides they were never sent (another node went on while Redis was away) carries
   * those slides as `history`, so every phone can swipe back to every slide shown.
   */
  readonly broadcast?: SlideshowState;
}
/** A record with its deck loaded (an idle talk, or a live one whose deck is gone, has none). */
interface Talk {
  readonly record: TalkRecord;
  readonly deck: LiveDeck | undefined;
}
type Plan = ({ ok: true } & Talk) | Refusal;

export interface LiveTalkOptions {
  /** How long the previous talk's shown slides stay served once another deck is live (ms; 0: not at all). */
  keepPastMs?: number;
}

/** Compare-and-swap attempts before a command gives up (only when other nodes keep changing the talk). */
const MAX_ATTEMPTS = 8;

export class LiveTalk {
  #record: TalkRecord;
  #deck: LiveDeck | undefined;
  #revealedTokens = new Set<string>();
  /** The current record as broadcast and as replayed, made once when it was taken. */
  #change: TalkChange;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #listeners: Array<(change: TalkChange) => void> = [];

  private constructor(readonly store: TalkStore, readonly decks: DeckLookup, talk: Talk, private readonly now: () => number, private readonly keepPastMs: number) {
    this.#record = talk.record;
    this.#deck = talk.deck;
    this.#indexReveals();
    this.#change = this.#describe();
  }

  /** Restore the talk from `live.json` at `source`, or from a store; a talk whose deck is gone comes back idle. */
  static async open(source: string | TalkStore, decks: DeckLookup, now: () => number = Date.now, options: LiveTalkOptions = {}): Promise<LiveTalk> {
    const store = typeof source === 'string' ? await FileTalkStore.open(source) : source;
    const talk = new LiveTalk(store, decks, await resolve(store.current, decks), now, options.keepPastMs ?? DEFAULT_KEEP_PAST_MS);
    store.onChange((record) => talk.#changedElsewhere(record));
    return talk;
  }

  get liveDeckId(): string | undefined {
    return this.#deck?.id;
  }

  /** The current state, as broadcast (no history). */
  state(): SlideshowState {
    return this.#change.state;
  }

  /** The current change: its state, and what a client gets right after it subscribes. */
  get change(): TalkChange {
    return this.#change;
  }

  /** May the audience load this slide image? Only once its slide has been shown in this talk (or the last, past.ts). */
  isRevealed(deckId: string, token: string): boolean {
    return (this.#deck?.id === deckId && this.#revealedTokens.has(token)) || pastServes(this.#record.past, deckId, token, this.now());
  }

  /**
   * The slides a handout may hold, by image token (in the order shown), or undefined when the
   * presenter offers none: while live, the slides revealed so far; after the end, the ended talk's.
   */
  handout(): { deck: string; tokens: string[] } | undefined {
    const record = this.#record;
    if (!record.handout) return undefined;
    if (this.#deck && record.slide !== undefined) return { deck: this.#deck.id, tokens: [...this.#revealedTokens] };
    if (!record.ended || !record.past) return undefined;
    return pastServes(record.past, record.past.deck, record.past.tokens[0] ?? '', this.now()) ? { deck: record.past.deck, tokens: [...record.past.tokens] } : undefined;
  }

  /**
   * Catch up with the store now (a shared store asks Redis) and with every change queued here.
   * The image route calls it before refusing an image: the phone may have heard of its slide,
   * through another node, before this node did.
   */
  async refresh(): Promise<void> {
    await this.store.refresh();
    await this.#queue;
  }

  /** Every change this node takes, in the order taken. */
  onChange(listener: (change: TalkChange) => void): void {
    this.#listeners.push(listener);
  }

  /** Apply a presenter command (serialised with every other), persist it, return the new state. */
  apply(command: PresenterCommand): Promise<CommandResult> {
    return this.#serially(async () => (await this.#commit((talk) => this.#plan(command, talk)))!);
  }

  /** A deck was renamed or its alt text changed: if it is live, everyone gets the new state. */
  deckRenamed(deckId: string): Promise<void> {
    return this.#serially(async () => {
      if (this.#deck?.id !== deckId) return;
      const deck = await this.decks.load(deckId);
      if (!deck || deck.slides.length !== this.#deck.slides.length) return;
      await this.#commit(async (talk) => (talk.deck?.id === deckId ? { ok: true, record: { ...talk.record, seq: talk.record.seq + 1, ...deckStamp(deck) }, deck } : undefined));
    });
  }

  /** A deck was deleted: if it was live, the talk ends. */
  async deckRemoved(deckId: string): Promise<void> {
    if (this.#deck?.id === deckId) await this.apply({ live: false });
  }

  close(): Promise<void> {
    return this.store.close();
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Plan on the newest stored talk and store the result; plan again if another node changed it first. */
  async #commit(plan: (talk: Talk) => Promise<Plan | undefined>): Promise<CommandResult | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const base = await this.store.read();
      const next = await plan(await this.#resolve(base.record));
      if (!next || !next.ok) return next;
      if (await this.store.write(base, next.record)) {
        // Planned on the newest stored talk, which may hold slides this node has not announced yet.
        this.#adopt(next, missedSlides(this.#record, next.record));
        return { ok: true, state: this.state() };
      }
    }
    return { ok: false, status: 409, code: 'talk_contended', error: 'the talk kept changing on other nodes: try again' };
  }

  async #plan(command: PresenterCommand, current: Talk): Promise<Plan> {
    const seq = current.record.seq + 1;
    if (command.live === false) return { ok: true, record: endedRecord(current.record, current.deck, seq, command.title, command.handout ?? current.record.handout), deck: undefined };
    if (!current.deck && command.handout !== undefined && Object.keys(command).length === 1) {
      // After the end: the handout of the talk that ended.
      if (!current.record.past) return { ok: false, status: 409, code: 'nothing_to_hand_out', error: 'no talk has shown a slide yet: there is nothing to hand out' };
      return { ok: true, record: withHandout({ ...current.record, seq }, command.handout), deck: undefined };
    }
    let deck = current.deck;
    let record: TalkRecord = { ...current.record, seq };
    if (command.deck !== undefined && command.deck !== deck?.id) {
      deck = await this.decks.load(command.deck);
      if (!deck) return { ok: false, status: 404, code: 'no_such_deck', error: `no deck "${command.deck}"` };
      const past = pastOnNewDeck(current.record, current.deck, this.now(), this.keepPastMs);
      record = { seq, deck: deck.id, slide: 1, revealed: [], blackout: false, startedAt: this.now(), ...deckStamp(deck), ...past };
    }
    if (!deck || record.slide === undefined) return { ok: false, status: 409, code: 'not_live', error: 'no talk is live: send a deck first' };
    let slide = record.slide;
    if (command.slide !== undefined) slide = command.slide;
    if (command.step !== undefined) slide = Math.min(Math.max(slide + command.step, 1), deck.slides.length);
    if (slide > deck.slides.length) return { ok: false, status: 400, code: 'slide_out_of_range', error: `slide ${slide} is past the end (the deck has ${deck.slides.length})` };
    const revealed = new Set(record.revealed ?? []);
    revealed.add(slide);
    // Moving on lifts a blackout, as in Keynote and PowerPoint; B alone toggles it.
    const moved = slide !== current.record.slide || record.deck !== current.record.deck;
    const blackout = command.blackout ?? (moved ? false : record.blackout ?? false);
    // Moving on takes the join QR down too: the room sees the slide the presenter moved to.
    const qr = command.qr ?? (moved ? false : record.qr ?? false);
    const pacing = applyPacing(validPacing(record), command, this.now());
    const { targetMs: _t, pausedAt: _a, pausedMs: _m, ...rest } = record;
    const next = { ...rest, slide, revealed: [...revealed], blackout, qr, ...pacing };
    return { ok: true, deck, record: command.handout === undefined ? next : withHandout(next, command.handout) };
  }

  /** Another node changed the talk (or a resynchronisation did): take it if it is newer. */
  #changedElsewhere(record: TalkRecord): void {
    void this.#serially(async () => {
      if (record.seq <= this.#record.seq) return;
      // The deck in memory serves when the record names it with the title and revision it has here;
      // a record without a title, or with another (a rename, an alt text edit), has the deck read again.
      const current = this.#deck;
      const same = current && record.deck === current.id && record.deckTitle === current.title && record.deckRevision === current.revision;
      const loaded = same ? current : undefined;
      const talk = await resolve(record, this.decks, loaded);
      if (record.seq > this.#record.seq) this.#adopt(talk, missedSlides(this.#record, talk.record));
    });
  }

  /** The deck of `record`, reusing the one in memory when it is the same. */
  #resolve(record: TalkRecord): Promise<Talk> {
    return resolve(record, this.decks, this.#deck);
  }

  /** Take a change and announce it, in one step: nothing can read the talk between the two. */
  #adopt(talk: Talk, missed: readonly number[] = []): void {
    this.#record = talk.record;
    this.#deck = talk.deck;
    this.#indexReveals();
    this.#change = this.#describe(missed);
    for (const listener of this.#listeners) listener(this.#change);
  }

  /** The talk as it is now, stamped with the time this node took it (the same for every reader). */
  #describe(missed: readonly number[] = []): TalkChange {
    const record = this.#record;
    const deck = this.#deck;
    const at = this.now();
    if (!deck || record.slide === undefined) {
      const handout = record.ended && record.handout && record.past ? { handout: true as const } : {};
      const idle = { live: false, seq: record.seq, at, ...(record.upcoming ? { title: record.upcoming } : {}), ...(record.ended ? { ended: true } : {}), ...handout } satisfies IdleState;
      return { state: idle, replay: idle };
    }
    const state = {
      ...deck.slides[record.slide - 1]!.shown, live: true, seq: record.seq, at, deck: deck.id, title: deck.title,
      count: deck.slides.length, blackout: record.blackout ?? false, ...(record.qr ? { qr: true } : {}), ...(record.handout ? { handout: true } : {}),
      ...(record.startedAt !== undefined ? { startedAt: record.startedAt } : {}),
      ...validPacing(record), ...sealedFields(deck.slides, record.slide),
    } satisfies LiveState;
    const history = [...(record.revealed ?? [])].sort((a, b) => a - b).map((n) => deck.slides[n - 1]!.shown);
    const broadcast = missed.length > 0 ? { ...state, history: missed.map((n) => deck.slides[n - 1]!.shown) } : undefined;
    return { state, replay: { ...state, history }, ...(broadcast ? { broadcast } : {}) };
  }

  #indexReveals(): void {
    const slides = this.#deck?.slides ?? [];
    this.#revealedTokens = new Set((this.#record.revealed ?? []).map((n) => slides[n - 1]?.token).filter((t): t is string => !!t));
  }
}

/** Slides `next` revealed that this node's phones were not sent with `previous` (nor are as the current slide). */
function missedSlides(previous: TalkRecord, next: TalkRecord): number[] {
  if (next.deck === undefined || next.slide === undefined) return [];
  const sameTalk = previous.deck === next.deck && previous.startedAt === next.startedAt;
  const sent = new Set([...(sameTalk ? previous.revealed ?? [] : []), next.slide]);
  return [...(next.revealed ?? [])].filter((n) => !sent.has(n)).sort((a, b) => a - b);
}

/** Load the deck of `record`; a talk whose deck is gone or too short for its slide is idle (its `seq` kept). */
async function resolve(record: TalkRecord, decks: DeckLookup, loaded?: LiveDeck): Promise<Talk> {
  if (record.deck === undefined) return { record, deck: undefined };
  const deck = loaded?.id === record.deck ? loaded : await decks.load(record.deck);
  const valid = deck && record.slide !== undefined && record.slide >= 1 && fitsDeck(record, deck.slides.length);
  if (valid) return { record, deck };
  const { seq, upcoming, ended, past, handout } = record;
  return { record: { seq, ...(upcoming ? { upcoming } : {}), ...(ended ? { ended } : {}), ...(past ? { past } : {}), ...(handout && past ? { handout } : {}) }, deck: undefined };
}

/** What a record says of the deck it shows, for other nodes to tell whether theirs is current. */
function deckStamp(deck: LiveDeck): Pick<TalkRecord, 'deckTitle' | 'deckRevision'> {
  return { deckTitle: deck.title, ...(deck.revision ? { deckRevision: deck.revision } : {}) };
}

function withHandout(record: TalkRecord, on: boolean): TalkRecord {
  const { handout: _old, ...rest } = record;
  return on ? { ...rest, handout: true } : rest;
}
