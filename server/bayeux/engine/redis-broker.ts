/**
 * The Redis broker: several server processes behind one address share their fan-out through
 * Redis pub/sub, as Faye's faye-redis engine and socket.io's Redis adapter do. Only events cross
 * Redis: sessions and subscriptions stay in each node's session index (engine.ts).
 *
 * Every event crosses one Redis channel as `<instance>|<seq>|<json>`: the JSON serialised once by
 * the publishing node. Each node parses it once and fans it out to its own subscribers through one
 * `Outgoing` that reuses that JSON (and so one WebSocket frame for all its sockets).
 *
 * Order. One Redis channel carries every Bayeux channel, and Redis hands each subscriber its
 * messages in the order it executed the PUBLISHes, so every node delivers in one and the same
 * order. The publishing node delivers its own event when Redis echoes it back rather than at
 * once: its subscribers then see concurrent publishes from several nodes in the order everyone
 * else sees them, at the cost of one Redis round trip. An event not echoed within
 * `echoTimeoutMs`, or in flight when the link drops, is delivered locally then (and its late echo
 * ignored), so every local subscriber gets it exactly once.
 *
 * Redis down. The node keeps serving its own clients: publishes are delivered locally at once,
 * those that could not reach other nodes are counted (`stats.dropped`, logged when Redis is back),
 * and nothing is queued for later, so memory stays bounded. The link reconnects with backoff.
 */
import type { Message } from '../../../lib/bayeux/index';
import { Outgoing } from '../outgoing';
import { nodeIdentity, type NodeIdentity } from '../node-identity';
import type { Broker, Engine, LocalDelivery, SessionIndex } from './engine';
import { LocalSessionIndex } from './session-index';
import { RedisLink } from './redis-link';

export interface RedisBrokerOptions {
  /** This node (default: one made from `nodeId`). Give the one the node's other Redis users share. */
  identity?: NodeIdentity;
  /** A label for this node in logs, when no `identity` is given (default `<hostname>-<pid>`). */
  nodeId?: string;
  /** The Redis channel every node of one cluster shares (default `bayeux`). */
  channel?: string;
  /** Deliver an own event locally if Redis has not echoed it within this time (ms, default 2000). */
  echoTimeoutMs?: number;
  /** Own events awaiting their echo at most; beyond, the oldest are delivered at once (default 10,000). */
  maxInFlight?: number;
  /** Where the broker reports (default: console.warn with `[redis] <name>: `; an application's logger names the node itself). */
  log?: (line: string) => void;
}

export interface RedisBrokerStats {
  /** Events this node sent to Redis. */
  sent: number;
  /** Events from other nodes fanned out here. */
  received: number;
  /** Own events that could not reach other nodes (Redis unreachable). */
  dropped: number;
  /** Own events delivered locally without their echo (timeout, link lost, overflow). */
  unechoed: number;
  /** Messages on the channel that were not ours to read. */
  malformed: number;
}

interface InFlight {
  readonly seq: number;
  readonly event: Outgoing;
  readonly at: number;
}

export class RedisBroker implements Broker {
  readonly identity: NodeIdentity;
  readonly link: RedisLink;
  readonly channel: string;
  readonly stats: RedisBrokerStats = { sent: 0, received: 0, dropped: 0, unechoed: 0, malformed: 0 };
  readonly #instance: string;
  readonly #ownsLink: boolean;
  readonly #local: LocalDelivery;
  readonly #echoTimeoutMs: number;
  readonly #maxInFlight: number;
  readonly #log: (line: string) => void;
  /** Own events awaiting their echo, oldest first (`#head` is the first live index). */
  #inFlight: InFlight[] = [];
  #head = 0;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #droppedReported = 0;
  #waiters: Array<() => void> = [];
  #closed = false;
  #listening = false;
  readonly #onDown = () => this.#deliverUnechoed(Infinity);
  readonly #onUp = () => this.#reportDropped();

  /**
   * `link`: a RedisLink shared with other users (closed by its owner), or a Redis URL (the broker
   * opens and closes its own). `local`: the session index this node's events are delivered to.
   */
  constructor(link: RedisLink | string, local: LocalDelivery, options: RedisBrokerOptions = {}) {
    this.identity = options.identity ?? nodeIdentity(options.nodeId);
    this.#instance = this.identity.instance;
    this.#local = local;
    this.#ownsLink = typeof link === 'string';
    this.link = typeof link === 'string' ? new RedisLink(link, { name: this.identity.name, log: options.log }) : link;
    this.channel = options.channel ?? 'bayeux';
    this.#echoTimeoutMs = options.echoTimeoutMs ?? 2_000;
    this.#maxInFlight = options.maxInFlight ?? 10_000;
    this.#log = options.log ?? ((line) => console.warn(`[redis] ${this.identity.name}: ${line}`));
    this.link.on('down', this.#onDown);
    this.link.on('up', this.#onUp);
    // Until the channel is subscribed (or will be, with the others, when the link comes up), no echo can come.
    void this.link.listen(this.channel, (payload) => this.#receive(payload)).then(() => (this.#listening = true));
  }

  /** Send the event to every node; this node's subscribers get it on the echo (or at once while Redis is down). Returns the local recipients. */
  publish(event: Outgoing): number {
    if (this.#closed) return 0;
    const seq = ++this.#seq;
    if (!this.link.isUp || !this.#listening) {
      const recipients = this.#local.deliver(event);
      this.#send(seq, event, false);
      return recipients;
    }
    const recipients = this.#local.subscriberCount(event.message.channel);
    this.#inFlight.push({ seq, event, at: Date.now() });
    if (this.#inFlight.length - this.#head > this.#maxInFlight) this.#deliverUnechoed(this.#inFlight[this.#head]!.seq);
    this.#armTimer();
    this.#send(seq, event, true);
    return recipients;
  }

  /** Resolves when every own event has been delivered locally (echoed, or given up on after `echoTimeoutMs`). */
  settled(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.link.off('down', this.#onDown);
    this.link.off('up', this.#onUp);
    this.link.unlisten(this.channel);
    this.#inFlight = [];
    this.#head = 0;
    this.#wake();
    if (this.#ownsLink) await this.link.close();
  }

  get #pending(): number {
    return this.#inFlight.length - this.#head;
  }

  #send(seq: number, event: Outgoing, awaitingEcho: boolean): void {
    if (this.link.publisher.status !== 'ready') {
      this.stats.dropped++;
      if (awaitingEcho) this.#deliverUnechoed(seq);
      return;
    }
    this.stats.sent++;
    this.link.publisher.publish(this.channel, `${this.#instance}|${seq}|${event.json}`).catch(() => {
      this.stats.sent--;
      this.stats.dropped++;
      if (awaitingEcho) this.#deliverUnechoed(seq);
    });
  }

  #receive(payload: string): void {
    if (this.#closed) return;
    const first = payload.indexOf('|');
    const second = first < 0 ? -1 : payload.indexOf('|', first + 1);
    if (second < 0) return void this.stats.malformed++;
    if (payload.startsWith(this.#instance) && first === this.#instance.length) return this.#echoed(Number(payload.slice(first + 1, second)));
    const json = payload.slice(second + 1);
    let message: Message;
    try {
      message = JSON.parse(json) as Message;
    } catch {
      return void this.stats.malformed++;
    }
    if (typeof message !== 'object' || message === null || typeof message.channel !== 'string') return void this.stats.malformed++;
    this.stats.received++;
    this.#local.deliver(new Outgoing(message, json));
  }

  /** Redis echoed our event `seq`: deliver it, and any older one whose echo cannot come any more. */
  #echoed(seq: number): void {
    while (this.#pending > 0 && this.#inFlight[this.#head]!.seq <= seq) {
      const entry = this.#inFlight[this.#head++]!;
      if (entry.seq < seq) this.stats.unechoed++;
      this.#local.deliver(entry.event);
    }
    this.#compact();
  }

  /** Deliver locally, without waiting any longer, every own event up to `seq`. */
  #deliverUnechoed(seq: number): void {
    while (this.#pending > 0 && this.#inFlight[this.#head]!.seq <= seq) {
      this.stats.unechoed++;
      this.#local.deliver(this.#inFlight[this.#head++]!.event);
    }
    this.#compact();
  }

  #armTimer(): void {
    if (this.#timer || this.#pending === 0) return;
    const wait = Math.max(0, this.#inFlight[this.#head]!.at + this.#echoTimeoutMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const cutoff = Date.now() - this.#echoTimeoutMs;
      let last = -1;
      for (let i = this.#head; i < this.#inFlight.length && this.#inFlight[i]!.at <= cutoff; i++) last = this.#inFlight[i]!.seq;
      if (last >= 0) this.#deliverUnechoed(last);
      this.#armTimer();
    }, wait);
    this.#timer.unref();
  }

  #compact(): void {
    if (this.#pending === 0) {
      this.#inFlight = [];
      this.#head = 0;
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#wake();
    } else if (this.#head > 1024 && this.#head * 2 > this.#inFlight.length) {
      this.#inFlight = this.#inFlight.slice(this.#head);
      this.#head = 0;
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  #reportDropped(): void {
    const dropped = this.stats.dropped - this.#droppedReported;
    this.#droppedReported = this.stats.dropped;
    if (dropped > 0) this.#log(`${dropped} event(s) published during the outage were delivered on this node only`);
  }
}

export type RedisEngineOptions = RedisBrokerOptions;
export type RedisEngineStats = RedisBrokerStats;

/** The multi-node engine: a session index and a Redis broker delivering to it. */
export class RedisEngine implements Engine {
  readonly sessions: SessionIndex;
  readonly broker: RedisBroker;

  constructor(link: RedisLink | string, options: RedisEngineOptions = {}) {
    this.sessions = new LocalSessionIndex();
    this.broker = new RedisBroker(link, this.sessions, options);
  }
}
