/**
 * Who may open a session. Without limits one client could lock every other out: a single
 * WebSocket once made 100,000 sessions in 25 s and filled the server. So besides the server's own
 * cap (`maxSessions`) each WebSocket may hold `maxSessionsPerSocket` sessions, each client address
 * `maxSessionsPerAddress`, and each address may handshake at `handshakesPerSecondPerAddress`
 * (a token bucket holding `handshakeBurstPerAddress`). A refusal is a `429` value with advice to
 * handshake again after a pause, so a well-behaved client backs off and recovers by itself.
 *
 * Sessions are counted against the address and socket they handshook on, until they are removed
 * (disconnect, expiry or the server), whatever transport they move to later.
 */
import { BayeuxError } from '../../lib/bayeux/index';
import type { BayeuxOptions } from './options';
import type { RequestInfo } from './request';
import type { ServerSession } from './session';
import { TokenBucket } from './token-bucket';

/** Where a session was admitted from: released when it is removed. */
export interface SessionOrigin {
  readonly address: string | undefined;
  readonly socket: object | undefined;
}

export type AdmissionLimits = Pick<BayeuxOptions,
  'maxSessions' | 'maxSessionsPerSocket' | 'maxSessionsPerAddress' | 'handshakesPerSecondPerAddress' | 'handshakeBurstPerAddress'>;

export class Admission {
  readonly #limits: AdmissionLimits;
  readonly #perAddress = new Map<string, number>();
  /** Keyed by the transport's socket object; a WeakMap, so a socket gone is forgotten with it. */
  readonly #perSocket = new WeakMap<object, number>();
  /** Handshake budgets, oldest first (re-inserted on use), bounded like everything else. */
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #origins = new WeakMap<ServerSession, SessionOrigin>();

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  /**
   * The error that refuses a handshake from `info`, or undefined when it may go ahead. Takes one
   * handshake token from the address's budget when it is allowed (refused ones cost nothing more).
   */
  refusal(info: RequestInfo, sessionCount: number, now: number): string | undefined {
    const { maxSessions, maxSessionsPerSocket, maxSessionsPerAddress } = this.#limits;
    if (sessionCount >= maxSessions) return BayeuxError.tooManySessions('server', maxSessions);
    if (info.socket && (this.#perSocket.get(info.socket) ?? 0) >= maxSessionsPerSocket) return BayeuxError.tooManySessions('socket', maxSessionsPerSocket);
    const address = info.remoteAddress;
    if (address === undefined) return undefined;
    if ((this.#perAddress.get(address) ?? 0) >= maxSessionsPerAddress) return BayeuxError.tooManySessions('address', maxSessionsPerAddress);
    if (!this.#takeToken(address, now)) return BayeuxError.tooManyHandshakes(this.#limits.handshakesPerSecondPerAddress);
    return undefined;
  }

  /** Count `session` against where it came from (call before any await, right after `refusal`). */
  admit(session: ServerSession, info: RequestInfo): void {
    const origin: SessionOrigin = { address: info.remoteAddress, socket: info.socket };
    this.#origins.set(session, origin);
    if (origin.address !== undefined) this.#perAddress.set(origin.address, (this.#perAddress.get(origin.address) ?? 0) + 1);
    if (origin.socket) this.#perSocket.set(origin.socket, (this.#perSocket.get(origin.socket) ?? 0) + 1);
  }

  /** The session is gone (or was never added): give its place back. Safe to call twice. */
  release(session: ServerSession): void {
    const origin = this.#origins.get(session);
    if (!origin) return;
    this.#origins.delete(session);
    if (origin.address !== undefined) decrement(this.#perAddress, origin.address);
    if (origin.socket) {
      const count = (this.#perSocket.get(origin.socket) ?? 1) - 1;
      if (count <= 0) this.#perSocket.delete(origin.socket);
      else this.#perSocket.set(origin.socket, count);
    }
  }

  originOf(session: ServerSession): SessionOrigin | undefined {
    return this.#origins.get(session);
  }

  /** Sessions admitted from `address` and not yet removed. */
  sessionsFrom(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }

  /** Forget budgets that have filled up again (the sweeper calls this): they say nothing any more. */
  forgetFullBuckets(now: number): void {
    for (const [address, bucket] of this.#buckets) {
      if (!bucket.isFull(now)) break; // least recently used first
      this.#buckets.delete(address);
    }
  }

  #takeToken(address: string, now: number): boolean {
    const { handshakesPerSecondPerAddress: rate, handshakeBurstPerAddress: burst, maxSessions } = this.#limits;
    const bucket = this.#buckets.get(address) ?? new TokenBucket(rate, burst, now);
    this.#buckets.delete(address);
    this.#buckets.set(address, bucket); // most recently used last
    if (this.#buckets.size > maxSessions) this.#buckets.delete(this.#buckets.keys().next().value!);
    return bucket.take(now);
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const count = (map.get(key) ?? 1) - 1;
  if (count <= 0) map.delete(key);
  else map.set(key, count);
}
