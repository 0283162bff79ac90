/**
 * The session ledger (session-ledger.ts) shared by every node through Redis: the generation in one
 * key, each signed-out cookie in a key of its own that expires with the cookie. Every node also
 * keeps what it has learnt and done, so a Redis outage never brings a signed-out cookie back on
 * this node; what it did meanwhile is written to Redis when the link is up again.
 */
import type { RedisLink } from '../bayeux/index';
import { DEFAULT_REDIS_PREFIX } from './redis-talk-store';
import { RevokedCookies, type SessionLedger } from './session-ledger';

/** KEYS[1] the generation; ARGV[1] a generation this node knows: Redis keeps the higher. */
const RAISE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local ours = tonumber(ARGV[1])
if ours > current then redis.call('SET', KEYS[1], ARGV[1]) return ours end
return current`;

export class RedisSessionLedger implements SessionLedger {
  #generation = 0;
  readonly #revoked: RevokedCookies;
  readonly #generationKey: string;
  readonly #revokedPrefix: string;
  readonly #onUp = () => void this.#push();

  constructor(private readonly link: RedisLink, prefix = DEFAULT_REDIS_PREFIX, private readonly now: () => number = Date.now) {
    this.#revoked = new RevokedCookies(now);
    this.#generationKey = `${prefix}sessions:generation`;
    this.#revokedPrefix = `${prefix}sessions:revoked:`;
    link.on('up', this.#onUp);
  }

  async generation(): Promise<number> {
    if (this.link.isUp) {
      const stored = await this.link.publisher.get(this.#generationKey).catch(() => null);
      if (stored !== null && Number(stored) > this.#generation) this.#generation = Number(stored);
    }
    return this.#generation;
  }

  async isRevoked(id: string): Promise<boolean> {
    if (this.#revoked.has(id)) return true;
    if (!this.link.isUp) return false;
    return (await this.link.publisher.exists(`${this.#revokedPrefix}${id}`).catch(() => 0)) === 1;
  }

  async revoke(id: string, expiresAt: number): Promise<void> {
    if (!this.#revoked.add(id, expiresAt)) return void (await this.revokeAll());
    await this.#writeRevoked(id, expiresAt).catch(() => undefined);
  }

  async revokeAll(): Promise<number> {
    this.#generation = (await this.generation()) + 1;
    await this.#raise().catch(() => undefined);
    return this.#generation;
  }

  async close(): Promise<void> {
    this.link.off('up', this.#onUp);
  }

  async #writeRevoked(id: string, expiresAt: number): Promise<void> {
    const ttl = expiresAt - this.now();
    if (ttl > 0 && this.link.isUp) await this.link.publisher.set(`${this.#revokedPrefix}${id}`, '1', 'PX', ttl);
  }

  async #raise(): Promise<void> {
    if (!this.link.isUp) return;
    const agreed = Number(await this.link.publisher.eval(RAISE, 1, this.#generationKey, String(this.#generation)));
    if (agreed > this.#generation) this.#generation = agreed;
  }

  /** Back from an outage: what this node did meanwhile reaches the others. */
  async #push(): Promise<void> {
    this.#revoked.prune();
    await this.#raise().catch(() => undefined);
    for (const [id, until] of this.#revoked.entries()) await this.#writeRevoked(id, until).catch(() => undefined);
  }
}
