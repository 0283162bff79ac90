/**
 * One process alone: the local broker has no other node to tell, so a publish is delivered to this
 * node's subscribers at once. The default engine.
 */
import type { Outgoing } from '../outgoing';
import type { Broker, Engine, LocalDelivery, SessionIndex } from './engine';
import { LocalSessionIndex, type SessionIndexOptions } from './session-index';

export class LocalBroker implements Broker {
  readonly #local: LocalDelivery;

  constructor(local: LocalDelivery) {
    this.#local = local;
  }

  publish(event: Outgoing): number {
    return this.#local.deliver(event);
  }

  async close(): Promise<void> {}
}

export type MemoryEngineOptions = SessionIndexOptions;

/** The in-memory engine: a session index and the local broker. */
export class MemoryEngine implements Engine {
  readonly sessions: SessionIndex;
  readonly broker: Broker;

  constructor(options: MemoryEngineOptions = {}) {
    this.sessions = new LocalSessionIndex(options);
    this.broker = new LocalBroker(this.sessions);
  }
}
