/**
 * How many phones follow the talk, across every node. One node counts its own audience; several
 * nodes each keep their count in a Redis hash (`cometdeck:audience`, node -> `count:expiresAt`)
 * and the total is the sum of the entries still fresh. Each node refreshes its entry on a
 * heartbeat, so a node that died drops out of the total within `ttlMs`; the heartbeat also catches
 * totals that changed on other nodes, so every node converges on the same number.
 */
import type { RedisLink } from '../bayeux/index';
import { DEFAULT_REDIS_PREFIX } from './redis-talk-store';

/**
 * The phones following on this node. A phone is a session, except that sessions sharing one
 * WebSocket are one phone: a page runs one client per socket, and a socket opening many sessions
 * must not inflate the count (one once raised it from 2 to 302).
 */
export class AudienceMembers {
  /** Follower (a socket, or a session id for polling sessions) -> its sessions. */
  readonly #followers = new Map<object | string, Set<string>>();
  /** Session id -> its follower key. */
  readonly #keys = new Map<string, object | string>();

  get size(): number {
    return this.#followers.size;
  }

  /** Add a session (keyed by its socket when it has one); true if the count changed. */
  add(sessionId: string, socket: object | undefined): boolean {
    if (this.#keys.has(sessionId)) return false;
    const key = socket ?? sessionId;
    this.#keys.set(sessionId, key);
    const sessions = this.#followers.get(key);
    if (!sessions) {
      this.#followers.set(key, new Set([sessionId]));
      return true;
    }
    sessions.add(sessionId);
    return false;
  }

  /** Remove a session; true if the count changed. */
  delete(sessionId: string): boolean {
    const key = this.#keys.get(sessionId);
    if (key === undefined) return false;
    this.#keys.delete(sessionId);
    const sessions = this.#followers.get(key)!;
    sessions.delete(sessionId);
    if (sessions.size > 0) return false;
    this.#followers.delete(key);
    return true;
  }
}

export interface AudienceTally {
  /** This node's audience is now `local`: record it and resolve the total across nodes. */
  update(local: number): Promise<number>;
  /** The total given this node's current `local` count, from what is known now (no round trip). */
  totalWith(local: number): number;
  /** A heartbeat or a reconnect found a new total (another node's audience changed, or a node died). */
  onTotal(listener: (total: number) => void): void;
  close(): Promise<void>;
}

/** One node: the total is the local count. */
export class LocalTally implements AudienceTally {
  async update(local: number): Promise<number> {
    return local;
  }

  totalWith(local: number): number {
    return local;
  }

  onTotal(): void {}

  async close(): Promise<void> {}
}

/**
 * KEYS[1] the hash; ARGV: node, count, ttl (ms). Sets this node's entry, drops stale ones (Redis's
 * clock judges, so the nodes' clocks need not agree) and returns the sum of the fresh ones.
 */
const TALLY = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. (now + ttl))
local sum = 0
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local count, expires = string.match(entries[i + 1], '^(%d+):(%d+)$')
  if count and tonumber(expires) >= now then sum = sum + tonumber(count) else redis.call('HDEL', KEYS[1], entries[i]) end
end
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return sum`;

export interface RedisTallyOptions {
  prefix?: string;
  /** This node's field in the hash. */
  instance: string;
  /** How often the entry is refreshed and the total re-read (ms, default 5000). */
  heartbeatMs?: number;
  /** An entry not refreshed for this long no longer counts (ms, default three heartbeats). */
  ttlMs?: number;
}

export class RedisTally implements AudienceTally {
  readonly #key: string;
  readonly #instance: string;
  readonly #ttlMs: number;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #listeners: Array<(total: number) => void> = [];
  #local = 0;
  /** The other nodes' audience, as last read. Kept while Redis is away. */
  #others = 0;
  #lastTotal = 0;
  #closed = false;
  readonly #onUp = () => void this.#sync().then((total) => this.#report(total));

  constructor(readonly link: RedisLink, options: RedisTallyOptions) {
    this.#key = `${options.prefix ?? DEFAULT_REDIS_PREFIX}audience`;
    this.#instance = options.instance;
    const heartbeatMs = options.heartbeatMs ?? 5_000;
    this.#ttlMs = options.ttlMs ?? heartbeatMs * 3;
    this.#heartbeat = setInterval(this.#onUp, heartbeatMs).unref();
    link.on('up', this.#onUp);
  }

  async update(local: number): Promise<number> {
    this.#local = local;
    const total = await this.#sync();
    this.#lastTotal = total;
    return total;
  }

  totalWith(local: number): number {
    return local + this.#others;
  }

  onTotal(listener: (total: number) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.link.off('up', this.#onUp);
    if (this.link.isUp) await this.link.publisher.hdel(this.#key, this.#instance).catch(() => undefined);
  }

  /** Store our count and read the sum; while Redis is away, our count plus the others' last known. */
  async #sync(): Promise<number> {
    const local = this.#local;
    if (this.#closed || !this.link.isUp) return local + this.#others;
    try {
      const sum = Number(await this.link.publisher.eval(TALLY, 1, this.#key, this.#instance, String(local), String(this.#ttlMs)));
      if (Number.isSafeInteger(sum)) this.#others = Math.max(0, sum - local);
    } catch {
      // Unreachable just now: the last known total stands; the next heartbeat tries again.
    }
    return local + this.#others;
  }

  #report(total: number): void {
    if (this.#closed || total === this.#lastTotal) return;
    this.#lastTotal = total;
    for (const listener of this.#listeners) listener(total);
  }
}
