/**
 * The live talk shared by every node through Redis: one key holds the record as JSON. A change is
 * a compare-and-swap in one Lua script that also publishes a notice carrying the new record, so
 * every node refreshes its copy (for the image route's "no peeking" and the replay to late
 * joiners) before it sees the broadcast that follows: both leave the writer's one connection in
 * that order and reach each node on its one subscriber connection in that order.
 *
 * Redis unreachable: the node keeps the talk going for its own clients (changes are kept in
 * memory). When Redis is back, the newer record wins (by `seq`): a node ahead writes its record,
 * a node behind takes Redis's; equal `seq` with different content (two presenters kept going on
 * two nodes) keeps Redis's, one `seq` further, so every client accepts it as new. A Redis that lost
 * the key gets ours. Whatever a resynchronisation changed reaches LiveTalk like any other change.
 */
import type { RedisLink } from '../bayeux/index';
import { checkRecord, parseRecord, type TalkChangeListener, type TalkRecord, type TalkSnapshot, type TalkStore } from './talk-store';
import { logger } from '../log';

const slideshowLog = logger('slideshow');

/** Names of this installation's keys and channels in Redis, unless REDIS_PREFIX says otherwise. */
export const DEFAULT_REDIS_PREFIX = 'cometdeck:';

/** KEYS[1] the record; ARGV: expected JSON ('' for none), new JSON, notice channel, notice. */
const SWAP = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

const RESYNC_ATTEMPTS = 5;

export interface RedisTalkStoreOptions {
  /** Key prefix shared by the nodes of one installation (default `cometdeck:`). */
  prefix?: string;
  /** This node, to recognise its own notices. */
  instance: string;
  /** How long `open` waits for Redis before starting from an idle talk (ms, default 3000). */
  startWaitMs?: number;
  log?: (line: string) => void;
}

export class RedisTalkStore implements TalkStore {
  #current: TalkRecord = { seq: 0 };
  readonly #listeners: TalkChangeListener[] = [];
  readonly #key: string;
  readonly #channel: string;
  readonly #instance: string;
  readonly #log: (line: string) => void;
  #resyncing: Promise<void> | undefined;
  #resyncAgain = false;
  #refreshing: Promise<void> | undefined;
  #refreshNext: Promise<void> | undefined;
  #closed = false;
  readonly #onUp = () => void this.resync();

  private constructor(readonly link: RedisLink, options: RedisTalkStoreOptions) {
    const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#key = `${prefix}talk`;
    this.#channel = `${prefix}talk:changed`;
    this.#instance = options.instance;
    this.#log = options.log ?? ((line) => slideshowLog.warn(line));
  }

  /** Listen for other nodes' changes, and load the talk from Redis if it answers within `startWaitMs`. */
  static async open(link: RedisLink, options: RedisTalkStoreOptions): Promise<RedisTalkStore> {
    const store = new RedisTalkStore(link, options);
    await link.listen(store.#channel, (payload) => store.#notice(payload));
    link.on('up', store.#onUp);
    if (await link.whenUp(options.startWaitMs ?? 3_000)) await store.resync();
    else store.#log('Redis is not reachable yet: starting with no live talk; it will be loaded when Redis answers');
    return store;
  }

  get current(): TalkRecord {
    return this.#current;
  }

  async read(): Promise<TalkSnapshot> {
    if (!this.link.isUp) return { record: this.#current, version: undefined };
    try {
      const raw = await this.link.publisher.get(this.#key);
      const stored = raw === null ? undefined : parseRecord(raw);
      // Missing, unreadable or older than ours (Redis lost data): plan on ours and replace it.
      const record = stored && stored.seq >= this.#current.seq ? stored : this.#current;
      return { record, version: raw ?? '' };
    } catch {
      return { record: this.#current, version: undefined };
    }
  }

  async write(base: TalkSnapshot, next: TalkRecord): Promise<boolean> {
    if (base.version !== undefined) {
      try {
        if (!(await this.#swap(base.version, next))) return false;
        this.#current = next;
        return true;
      } catch {
        // Redis went away mid-change: keep the change here, as when it was away from the start.
      }
    }
    this.#current = next;
    // Kept here only: the resynchronisation writes it to Redis when the link is (back) up.
    if (this.link.isUp) void this.resync();
    return true;
  }

  onChange(listener: TalkChangeListener): void {
    this.#listeners.push(listener);
  }

  /** Take Redis's record if it is newer (one GET at a time; callers arriving meanwhile share the next one). */
  refresh(): Promise<void> {
    if (!this.#refreshing) {
      this.#refreshing = this.#fetchNewer().finally(() => (this.#refreshing = undefined));
      return this.#refreshing;
    }
    this.#refreshNext ??= this.#refreshing.then(() => {
      this.#refreshNext = undefined;
      return this.refresh();
    });
    return this.#refreshNext;
  }

  /** Reconcile this node's record with Redis's (after every reconnect; see the file comment). */
  resync(): Promise<void> {
    if (this.#resyncing) {
      this.#resyncAgain = true;
      return this.#resyncing;
    }
    this.#resyncing = (async () => {
      do {
        this.#resyncAgain = false;
        await this.#reconcile().catch((error: unknown) => this.#log(`could not resynchronise the live talk with Redis: ${String(error)}`));
      } while (this.#resyncAgain && !this.#closed);
    })().finally(() => (this.#resyncing = undefined));
    return this.#resyncing;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.link.off('up', this.#onUp);
    this.link.unlisten(this.#channel);
  }

  async #reconcile(): Promise<void> {
    for (let attempt = 0; attempt < RESYNC_ATTEMPTS && !this.#closed && this.link.isUp; attempt++) {
      const raw = await this.link.publisher.get(this.#key);
      const check = raw === null ? undefined : checkRecord(raw);
      if (check && !check.ok) this.#log(`the live talk in Redis (${this.#key}) is damaged (${check.problem}): replaced by this node's record (seq ${this.#current.seq})`);
      const stored = check?.ok ? check.record : undefined;
      const ours = this.#current;
      if (stored && sameRecord(stored, ours)) return;
      // The newer record wins, with every slide either side showed of the same talk: phones on
      // both nodes saw them, so they stay loadable and reach every phone's history.
      const winner = stored && stored.seq >= ours.seq ? stored : ours;
      const merged = withRevealsOf(winner, winner === stored ? ours : stored);
      if (stored && winner === stored && merged === stored && stored.seq > ours.seq) return this.#adopt(stored);
      const next = merged === ours ? ours : { ...merged, seq: Math.max(stored?.seq ?? 0, ours.seq) + 1 };
      if (await this.#swap(raw ?? '', next)) {
        if (next !== ours) this.#current = next;
        if (stored) this.#log(`live talk resynchronised with Redis (seq ${stored.seq} there, ${ours.seq} here, now ${next.seq})`);
        return this.#emit(next);
      }
    }
  }

  #swap(expected: string, next: TalkRecord): Promise<boolean> {
    const json = JSON.stringify(next);
    return this.link.publisher.eval(SWAP, 1, this.#key, expected, json, this.#channel, `${this.#instance}|${json}`).then((result) => result === 1);
  }

  #notice(payload: string): void {
    const bar = payload.indexOf('|');
    if (bar < 0 || payload.slice(0, bar) === this.#instance) return;
    const record = parseRecord(payload.slice(bar + 1));
    if (!record || record.seq <= this.#current.seq) return;
    // This node showed slides of this talk that the newer record lacks (it went on alone while
    // Redis was away): merge them in through a resynchronisation rather than drop them.
    if (withRevealsOf(record, this.#current) !== record) void this.resync();
    else this.#adopt(record);
  }

  async #fetchNewer(): Promise<void> {
    if (!this.link.isUp) return;
    const raw = await this.link.publisher.get(this.#key).catch(() => null);
    const stored = raw === null ? undefined : parseRecord(raw);
    if (stored && stored.seq > this.#current.seq) this.#adopt(stored);
  }

  #adopt(record: TalkRecord): void {
    this.#current = record;
    this.#emit(record);
  }

  #emit(record: TalkRecord): void {
    for (const listener of this.#listeners) listener(record);
  }
}

/**
 * `winner` with the slides `other` revealed in the same talk (same deck, same start) added, or
 * `winner` itself when there are none.
 */
export function withRevealsOf(winner: TalkRecord, other: TalkRecord | undefined): TalkRecord {
  if (!other || winner.deck === undefined || other.deck !== winner.deck || other.startedAt !== winner.startedAt) return winner;
  const have = new Set(winner.revealed ?? []);
  const extra = (other.revealed ?? []).filter((slide) => !have.has(slide));
  return extra.length === 0 ? winner : { ...winner, revealed: [...(winner.revealed ?? []), ...extra] };
}

function sameRecord(a: TalkRecord, b: TalkRecord): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(record: TalkRecord): unknown[] {
  return [record.seq, record.deck, record.slide, [...(record.revealed ?? [])].sort((x, y) => x - y), record.blackout ?? false, record.startedAt, record.upcoming, record.deckTitle, record.qr ?? false, record.targetMs, record.pausedAt, record.pausedMs, record.ended ?? false, record.past ?? null, record.handout ?? false, record.deckRevision];
}
