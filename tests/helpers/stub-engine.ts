/**
 * A stub Engine for protocol unit tests: its own session index and its own (local) broker, so
 * tests read sessions and calls in one place. It behaves like an engine (stores sessions, keeps
 * each session's `subscriptions` in step, fans events out exactly once per session, by a naive
 * linear scan rather than LocalSessionIndex's index) and records every mutating call so tests can
 * assert what the protocol asked of it, and what it never asked.
 */
import { subscriptionMatches } from '../../lib/bayeux/index';
import type { Broker, Engine, SessionIndex } from '../../server/bayeux/engine/engine';
import type { Outgoing } from '../../server/bayeux/outgoing';
import type { ServerSession } from '../../server/bayeux/session';

export type EngineCall =
  | { readonly method: 'addSession'; readonly id: string }
  | { readonly method: 'removeSession'; readonly id: string; readonly result: boolean }
  | { readonly method: 'subscribe'; readonly id: string; readonly subscription: string; readonly result: boolean }
  | { readonly method: 'unsubscribe'; readonly id: string; readonly subscription: string; readonly result: boolean }
  | { readonly method: 'publish'; readonly channel: string; readonly recipients: readonly string[] }
  | { readonly method: 'close' };

export type EngineMethod = EngineCall['method'];

export class StubEngine implements Engine, SessionIndex, Broker {
  readonly calls: EngineCall[] = [];
  /** Every event handed to `publish`, in order. */
  readonly published: Outgoing[] = [];
  closed = false;
  readonly #sessions = new Map<string, ServerSession>();

  get sessions(): SessionIndex {
    return this;
  }

  get broker(): Broker {
    return this;
  }

  addSession(session: ServerSession): void {
    this.calls.push({ method: 'addSession', id: session.id });
    this.#sessions.set(session.id, session);
  }

  getSession(id: string): ServerSession | undefined {
    return this.#sessions.get(id);
  }

  removeSession(id: string): boolean {
    const session = this.#sessions.get(id);
    this.calls.push({ method: 'removeSession', id, result: session !== undefined });
    if (!session) return false;
    session.subscriptions.clear();
    this.#sessions.delete(id);
    return true;
  }

  all(): IterableIterator<ServerSession> {
    return this.#sessions.values();
  }

  /** Delivers every event before `publish` returns: nothing is ever left to go out. */
  readonly fanOutBacklog = 0;

  get sessionCount(): number {
    return this.#sessions.size;
  }

  subscribe(session: ServerSession, subscription: string): boolean {
    const result = !session.subscriptions.has(subscription);
    if (result) session.subscriptions.add(subscription);
    this.calls.push({ method: 'subscribe', id: session.id, subscription, result });
    return result;
  }

  unsubscribe(session: ServerSession, subscription: string): boolean {
    const result = session.subscriptions.delete(subscription);
    this.calls.push({ method: 'unsubscribe', id: session.id, subscription, result });
    return result;
  }

  subscriberCount(channel: string): number {
    return this.#recipients(channel).length;
  }

  /** Delivered before it returns, as by a broker with no other node (the protocol's broadcasts, the server's publishes). */
  publish(event: Outgoing): number {
    return this.deliver(event);
  }

  deliver(event: Outgoing): number {
    const recipients = this.#recipients(event.message.channel);
    this.calls.push({ method: 'publish', channel: event.message.channel, recipients: recipients.map((s) => s.id) });
    this.published.push(event);
    for (const session of recipients) session.deliver(event);
    return recipients.length;
  }

  async close(): Promise<void> {
    this.calls.push({ method: 'close' });
    this.closed = true;
  }

  clear(): void {
    this.#sessions.clear();
  }

  /** The recorded calls of one method. */
  callsOf<M extends EngineMethod>(method: M): Array<Extract<EngineCall, { method: M }>> {
    return this.calls.filter((call): call is Extract<EngineCall, { method: M }> => call.method === method);
  }

  #recipients(channel: string): ServerSession[] {
    return [...this.#sessions.values()].filter((session) =>
      [...session.subscriptions].some((pattern) => subscriptionMatches(pattern, channel)),
    );
  }
}
