/**
 * The session index every engine uses: this process's sessions and subscriptions. Subscriptions
 * are indexed by the exact subscription string, so a publish looks up only the few patterns that
 * can match its channel (`matchingSubscriptions`) instead of testing every subscription.
 */
import { matchingSubscriptions } from '../../../lib/bayeux/index';
import type { ServerSession } from '../session';
import type { Outgoing } from '../outgoing';
import { FanOut, FAN_OUT_SLICE_MS } from '../fanout';
import type { SessionIndex } from './engine';

export interface SessionIndexOptions {
  /** Longest a fan-out runs before the event loop may serve other work (ms; see fanout.ts). */
  fanOutSliceMs?: number;
}

export class LocalSessionIndex implements SessionIndex {
  readonly #sessions = new Map<string, ServerSession>();
  readonly #subscribers = new Map<string, Set<ServerSession>>();
  readonly #fanOut: FanOut;

  constructor(options: SessionIndexOptions = {}) {
    this.#fanOut = new FanOut(options.fanOutSliceMs ?? FAN_OUT_SLICE_MS);
  }

  addSession(session: ServerSession): void {
    this.#sessions.set(session.id, session);
  }

  getSession(id: string): ServerSession | undefined {
    return this.#sessions.get(id);
  }

  removeSession(id: string): boolean {
    const session = this.#sessions.get(id);
    if (!session) return false;
    for (const subscription of session.subscriptions) this.#unindex(session, subscription);
    session.subscriptions.clear();
    this.#sessions.delete(id);
    return true;
  }

  all(): IterableIterator<ServerSession> {
    return this.#sessions.values();
  }

  get fanOutBacklog(): number {
    return this.#fanOut.backlog;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  subscribe(session: ServerSession, subscription: string): boolean {
    if (session.subscriptions.has(subscription)) return false;
    session.subscriptions.add(subscription);
    let set = this.#subscribers.get(subscription);
    if (!set) this.#subscribers.set(subscription, (set = new Set()));
    set.add(session);
    return true;
  }

  unsubscribe(session: ServerSession, subscription: string): boolean {
    if (!session.subscriptions.delete(subscription)) return false;
    this.#unindex(session, subscription);
    return true;
  }

  subscriberCount(channel: string): number {
    return this.#recipients(channel).size;
  }

  deliver(event: Outgoing): number {
    const recipients = this.#recipients(event.message.channel);
    this.#fanOut.push(event, recipients);
    return recipients.size;
  }

  clear(): void {
    this.#sessions.clear();
    this.#subscribers.clear();
  }

  /**
   * Sessions reached by `channel`, each once. The common case (one matching subscription set)
   * returns that set itself; only overlapping patterns pay for a merged set.
   */
  #recipients(channel: string): ReadonlySet<ServerSession> {
    let only: Set<ServerSession> | undefined;
    let merged: Set<ServerSession> | undefined;
    for (const pattern of matchingSubscriptions(channel)) {
      const set = this.#subscribers.get(pattern);
      if (!set || set.size === 0) continue;
      if (!only) only = set;
      else {
        merged ??= new Set(only);
        for (const session of set) merged.add(session);
      }
    }
    return merged ?? only ?? EMPTY;
  }

  #unindex(session: ServerSession, subscription: string): void {
    const set = this.#subscribers.get(subscription);
    if (!set) return;
    set.delete(session);
    if (set.size === 0) this.#subscribers.delete(subscription);
  }
}

const EMPTY: ReadonlySet<ServerSession> = new Set();
