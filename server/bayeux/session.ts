/**
 * A server session: one handshaken client. Holds its subscriptions, its bounded delivery queue and,
 * while a `/meta/connect` waits, the held connect. The session decides *how* an event reaches the
 * client: pushed at once on a WebSocket, or queued for the next connect reply (long-polling,
 * callback-polling, a slow WebSocket, or a session whose queue hooks ask for connect-only delivery).
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionType, Message } from '../../lib/bayeux/index';
import type { Outgoing } from './outgoing';
import type { RequestInfo } from './request';
import { TokenBucket } from './token-bucket';

/** The minimal socket a session pushes to (tests drive it with a plain object). */
export interface PushSink {
  isOpen(): boolean;
  /** False when the socket's buffer is full: the caller keeps the event queued. */
  canWrite(): boolean;
  /** Write a complete WebSocket frame (Outgoing.frame). */
  write(frame: Buffer): void;
  /** Call `flush` once the socket can take more. */
  onWritable(flush: () => void): void;
}

/** A connect the protocol accepted; the transport answers it now or holds it (BayeuxCore.holdConnect). */
export interface PendingConnect {
  readonly session: ServerSession;
  readonly request: Message;
  readonly reply: Message;
  /** How long it may be held (0 = answer now). */
  readonly holdMs: number;
  readonly transport: RequestInfo | undefined;
}

/** Whoever answers a held connect: a polling response, a WebSocket. An object, not a closure: one is kept per held connect (see polling.ts). */
export interface ConnectResponder {
  respond(events: Outgoing[], reply: Message): void;
}

/** A held `/meta/connect`: answered with the queued events when any arrive, or empty at its deadline. */
export interface HeldConnect {
  readonly pending: PendingConnect;
  /** When it is answered empty (performance.now() ms): BayeuxCore keeps the one timer for all. */
  readonly deadline: number;
  /** Held on a long-polling request of this browser (counted for `multiple-clients`). */
  readonly browserId: string | undefined;
  readonly responder: ConnectResponder;
}

/**
 * What an extension installs on one session to take part in its delivery (the queue listeners of
 * CometD's `ServerSession`): the session keeps the queue, the hooks decide where its events may go
 * and what a connect reply carries. Each hook is optional; several sets compose in the order added.
 */
export interface QueueHooks {
  /**
   * Events travel only in `/meta/connect` replies: never pushed to a socket, never on the reply to
   * another request. Keep it fixed while installed: events it kept back are sent when it is removed.
   */
  readonly connectOnly?: boolean;
  /** Events never ride on the reply to a request other than `/meta/connect` (they may still be pushed). */
  readonly noPiggyback?: boolean;
  /** An event was just written to `sink`, the session's socket (not connect-only sessions: those never push). */
  pushed?(event: Outgoing, sink: PushSink): void;
  /** Something to send beyond the queue (events to send again, say): a connect is answered at once. */
  hasPending?(session: ServerSession): boolean;
  /**
   * Make the connect reply: given the events drained for it, return the events it carries (e.g.
   * earlier ones again first) and edit `reply` (e.g. number it in `ext`). It goes out on
   * `session.sink` when the session has one. Runs before the outgoing extensions.
   */
  connectReply?(events: Outgoing[], reply: Message, session: ServerSession): Outgoing[];
}

const NO_HOOKS: readonly QueueHooks[] = [];

export type SessionState = 'handshaken' | 'connected' | 'removed';

export interface SessionHost {
  /** Wake this session's held connect on the next tick (batches several publishes into one reply). */
  scheduleFlush(session: ServerSession): void;
  now(): number;
  /** Does a newer message on `channel` replace an older one still queued (BayeuxServer.setLatestWins)? */
  isLatestWins(channel: string): boolean;
  /** What a session sends instead of `older` and `newer` on a latest-wins channel (the channel's fold, or `newer`). */
  supersede(older: Outgoing, newer: Outgoing): Outgoing;
}

function hookIsConnectOnly(hooks: QueueHooks): boolean {
  return hooks.connectOnly === true;
}

function hookForbidsPiggyback(hooks: QueueHooks): boolean {
  return hooks.connectOnly === true || hooks.noPiggyback === true;
}

export function newClientId(): string {
  // 160 random bits, like Faye; the spec asks for at least 128.
  return randomBytes(20).toString('hex');
}

export class ServerSession {
  readonly id: string;
  readonly createdAt: number;
  readonly subscriptions = new Set<string>();
  state: SessionState = 'handshaken';
  connectionType: ConnectionType;
  browserId: string | undefined;
  /** Time of the last connect reply (or of the handshake): the start of the `maxInterval` count. */
  lastSeen: number;
  held: HeldConnect | undefined;
  sink: PushSink | undefined;
  /** Messages dropped since the client was last told. */
  dropped = 0;
  /** Made at the first subscribe: most sessions subscribe once or twice. */
  #subscribeBudget: TokenBucket | undefined;
  /** Free-form attributes for applications and policies (e.g. a role set at handshake); made on first set. */
  #attributes: Map<string, unknown> | undefined;
  readonly #queue: Outgoing[] = [];
  /** Made when an extension adds some: most sessions have none and pay one field for them. */
  #hooks: QueueHooks[] | undefined;
  readonly #host: SessionHost;
  readonly #maxQueue: number;

  constructor(host: SessionHost, maxQueue: number, connectionType: ConnectionType, id = newClientId()) {
    this.id = id;
    this.#host = host;
    this.#maxQueue = maxQueue;
    this.connectionType = connectionType;
    this.createdAt = host.now();
    this.lastSeen = this.createdAt;
  }

  /** May this session subscribe now (`subscribesPerSecondPerSession` after a burst)? Takes one from its budget if so. */
  takeSubscribeToken(now: number, perSecond: number, burst: number): boolean {
    this.#subscribeBudget ??= new TokenBucket(perSecond, burst, now);
    return this.#subscribeBudget.take(now);
  }

  getAttribute(name: string): unknown {
    return this.#attributes?.get(name);
  }

  setAttribute(name: string, value: unknown): void {
    (this.#attributes ??= new Map()).set(name, value);
  }

  get queueLength(): number {
    return this.#queue.length;
  }

  /** The queue hooks extensions added, oldest first. */
  get queueHooks(): readonly QueueHooks[] {
    return this.#hooks ?? NO_HOOKS;
  }

  /** Add queue hooks; returns their removal. Removing connect-only hooks lets waiting events go to the socket. */
  addQueueHooks(hooks: QueueHooks): () => void {
    (this.#hooks ??= []).push(hooks);
    return () => this.removeQueueHooks(hooks);
  }

  removeQueueHooks(hooks: QueueHooks): void {
    const index = this.#hooks?.indexOf(hooks) ?? -1;
    if (index < 0) return;
    this.#hooks!.splice(index, 1);
    // What waited for a connect reply may now go out as any event does.
    if (!this.connectOnly) this.flushToSink();
    if (this.held && this.hasPending) this.#host.scheduleFlush(this);
  }

  /** Events go out only in connect replies (a queue hook asked for it). */
  get connectOnly(): boolean {
    return this.#hooks !== undefined && this.#hooks.some(hookIsConnectOnly);
  }

  /** Queued events may ride on the reply to another request (polling transports' piggyback). */
  get mayPiggyback(): boolean {
    return this.#hooks === undefined || !this.#hooks.some(hookForbidsPiggyback);
  }

  /** Has something to send at once: queued events, a drop to report, or what a queue hook holds. */
  get hasPending(): boolean {
    return this.#queue.length > 0 || this.dropped > 0 || (this.#hooks !== undefined && this.#hooks.some((hooks) => hooks.hasPending?.(this) ?? false));
  }

  /** Deliver one event: push it on an open socket, or queue it and wake the held connect. */
  deliver(event: Outgoing): void {
    if (this.state === 'removed') return;
    const sink = this.sink;
    const connectOnly = this.connectOnly;
    if (sink && !connectOnly && this.#queue.length === 0 && sink.isOpen()) {
      if (sink.canWrite()) return this.#push(sink, event);
      sink.onWritable(() => this.flushToSink());
    }
    this.#enqueue(event);
    // A pushing WebSocket drains through flushToSink; everything else rides on a connect reply.
    if (this.held && (connectOnly || !sink)) this.#host.scheduleFlush(this);
  }

  /** Take every queued event (for a connect reply or any reply to this session). */
  drain(): Outgoing[] {
    return this.#queue.splice(0, this.#queue.length);
  }

  /** Take what a connect reply carries: the queue, as the queue hooks make it; they may edit `reply`. */
  drainForConnect(reply: Message): Outgoing[] {
    let events = this.drain();
    for (const hooks of this.#hooks ?? NO_HOOKS) if (hooks.connectReply) events = hooks.connectReply(events, reply, this);
    return events;
  }

  /** Write what waited in the queue to the socket, as far as its buffer allows. */
  flushToSink(): void {
    const sink = this.sink;
    if (!sink || this.connectOnly || !sink.isOpen()) return;
    while (this.#queue.length > 0 && sink.canWrite()) this.#push(sink, this.#queue.shift()!);
    if (this.#queue.length > 0) sink.onWritable(() => this.flushToSink());
  }

  hold(held: HeldConnect): void {
    this.held = held;
  }

  /** Take the held connect (BayeuxCore answers it, or forgets it when its transport went away). */
  unhold(): HeldConnect | undefined {
    const held = this.held;
    this.held = undefined;
    return held;
  }

  #push(sink: PushSink, event: Outgoing): void {
    sink.write(event.frame);
    if (this.#hooks !== undefined) for (const hooks of this.#hooks) hooks.pushed?.(event, sink);
  }

  touch(): void {
    this.lastSeen = this.#host.now();
  }

  #enqueue(incoming: Outgoing): void {
    // Only a session that is behind has a queue: an empty one costs the fan-out nothing here.
    const event = this.#queue.length > 0 && this.#host.isLatestWins(incoming.message.channel) ? this.#supersede(incoming) : incoming;
    if (this.#queue.length >= this.#maxQueue) {
      this.#queue.shift();
      this.dropped++;
    }
    this.#queue.push(event);
  }

  /**
   * Latest wins: the message on this channel still waiting is superseded by the newer one (each
   * carries the whole state, so a slow client goes straight to the latest), folded into it if the
   * channel says how. At most one waits, as each message on the channel replaced the one before.
   * Not a loss: the client is not told of a drop.
   */
  #supersede(newer: Outgoing): Outgoing {
    const channel = newer.message.channel;
    const index = this.#queue.findIndex((queued) => queued.message.channel === channel);
    if (index < 0) return newer;
    const older = this.#queue.splice(index, 1)[0]!;
    return this.#host.supersede(older, newer);
  }
}
