/**
 * An engine is two parts, as in Faye's engines/proxy.js: a session index, always in this process
 * (sessions, their subscriptions, and the fan-out to them), and a broker that carries events to
 * the other nodes and hands theirs to the index. One process alone uses the local broker, which
 * carries nothing; several processes behind one address use the Redis broker. Sessions never leave
 * the node that created them: a client that lands on another node gets `402` and re-handshakes.
 * Every engine passes tests/contract/engine-contract.ts.
 */
import type { ServerSession } from '../session';
import type { Outgoing } from '../outgoing';

/** This node's sessions and subscriptions, and the fan-out of events to them. */
export interface SessionIndex {
  addSession(session: ServerSession): void;
  getSession(id: string): ServerSession | undefined;
  /** Forget the session and all its subscriptions. Returns false if it was unknown. */
  removeSession(id: string): boolean;
  all(): IterableIterator<ServerSession>;
  readonly sessionCount: number;
  /** Record a subscription (a channel or a `/*`, `/**` pattern). Returns false if it already existed. */
  subscribe(session: ServerSession, subscription: string): boolean;
  /** Returns false if the session was not subscribed. */
  unsubscribe(session: ServerSession, subscription: string): boolean;
  /** Number of sessions whose subscriptions match `channel`. */
  subscriberCount(channel: string): number;
  /**
   * Deliver an event to every session subscribed to its channel, through any matching
   * subscription, exactly once each. Returns the number of sessions it reached.
   */
  deliver(event: Outgoing): number;
  /** Fan-outs still going out in time slices (fanout.ts); 0 once every event reached every recipient. */
  readonly fanOutBacklog: number;
  /** Forget every session (the server is closing). */
  clear(): void;
}

/** What a broker needs of the index: where to deliver, and how many an event would reach. */
export type LocalDelivery = Pick<SessionIndex, 'deliver' | 'subscriberCount'>;

/** Carries events between the nodes of one cluster. */
export interface Broker {
  /**
   * Deliver an event to the subscribers of every node. This node's get it through the index: at
   * once, or when the broker has fixed its place in the cluster's one order (the Redis echo).
   * Returns the number of this node's sessions it reaches.
   */
  publish(event: Outgoing): number;
  close(): Promise<void>;
}

export interface Engine {
  /** Always local. Publishing to this node only (`publishLocally`) is `sessions.deliver`. */
  readonly sessions: SessionIndex;
  readonly broker: Broker;
}

/** Stop the broker first (nothing more arrives from other nodes), then forget the sessions. */
export async function closeEngine(engine: Engine): Promise<void> {
  await engine.broker.close();
  engine.sessions.clear();
}
