/**
 * The engine keeps the sessions and subscriptions and fans events out to them. The in-memory
 * engine is the default; a multi-node engine (Redis) shares the fan-out across processes while
 * sessions stay on the node that created them. Every engine passes tests/contract/engine-contract.ts.
 */
import type { ServerSession } from '../session';
import type { Outgoing } from '../outgoing';

export interface Engine {
  addSession(session: ServerSession): void;
  getSession(id: string): ServerSession | undefined;
  /** Forget the session and all its subscriptions. Returns false if it was unknown. */
  removeSession(id: string): boolean;
  /** Sessions on this node. */
  sessions(): IterableIterator<ServerSession>;
  readonly sessionCount: number;
  /** Record a subscription (a channel or a `/*`, `/**` pattern). Returns false if it already existed. */
  subscribe(session: ServerSession, subscription: string): boolean;
  /** Returns false if the session was not subscribed. */
  unsubscribe(session: ServerSession, subscription: string): boolean;
  /** Number of sessions whose subscriptions match `channel` (on this node). */
  subscriberCount(channel: string): number;
  /**
   * Deliver an event to every session subscribed to its channel, through any matching
   * subscription, exactly once each. Returns the number of local sessions it reached.
   */
  publish(event: Outgoing): number;
  /**
   * Deliver an event to this node's subscribers only, as `publish` does locally: for state every
   * node derives and broadcasts by itself (each node's copy of a shared record), where sending it
   * to the other nodes too would deliver it twice, or before they have the state it describes.
   */
  publishLocally(event: Outgoing): number;
  /** Fan-outs on this node still going out in time slices (fanout.ts); 0 once every event reached every recipient. */
  readonly fanOutBacklog: number;
  close(): Promise<void>;
}
