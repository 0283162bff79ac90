/**
 * The state one Bayeux server shares between its protocol handlers and its transports: options,
 * sessions, broker, policy, extensions, events, and the mechanics of the `/meta/connect` hold-and-flush cycle.
 * Transports call `answerConnect`/`holdConnect`; handlers call `broadcast`, `createSession`, `removeSession`.
 */
import type { ConnectionType, Message } from '../../lib/bayeux/index';
import { BayeuxError } from '../../lib/bayeux/index';
import type { BayeuxOptions } from './options';
import type { Broker, Engine, SessionIndex } from './engine/engine';
import { ExtensionPipeline } from './extensions';
import { PublishHooks } from './publish-hooks';
import type { SecurityPolicy } from './policy';
import { ALLOW_ALL } from './policy';
import { BayeuxEvents, type RemovalReason } from './events';
import { Outgoing, type Fold } from './outgoing';
import { ServerSession, type ConnectResponder, type HeldConnect, type PendingConnect, type SessionHost } from './session';
import { Admission } from './admission';
import { peerAddress, type ClientAddress } from './client-address';

/** Held connects due within this much of each other are released by the same timer. */
const HOLD_SWEEP_COALESCE_MS = 20;
/** Longest woken connects wait for fan-outs still going out, so their replies carry those events too. */
const FLUSH_WAITS_FOR_FANOUT_MS = 50;

export class BayeuxCore implements SessionHost {
  readonly options: BayeuxOptions;
  /** This node's sessions and subscriptions (always local). */
  readonly sessions: SessionIndex;
  /** Carries broadcasts to every node's subscribers, this node's included. */
  readonly broker: Broker;
  readonly extensions: ExtensionPipeline;
  readonly publishHooks = new PublishHooks();
  readonly events = new BayeuxEvents();
  policy: SecurityPolicy = ALLOW_ALL;
  /** The address per-address limits count a request against (createBayeuxServer's `clientAddress`). */
  clientAddress: ClientAddress = peerAddress;
  readonly admission: Admission;
  closing = false;
  readonly #flushQueue = new Set<ServerSession>();
  #flushScheduled = false;
  /** When the pending flush was scheduled (performance.now() ms). */
  #flushScheduledAt = 0;
  readonly #heldPerBrowser = new Map<string, number>();
  /**
   * Held connects by hold duration, each set in the order they were held, which is the order they
   * fall due. One timer for all of them instead of one per held connect: with thousands of phones
   * long-polling, a timer and its closure per connect are thousands of objects that live through
   * garbage collections.
   */
  readonly #holdsByDuration = new Map<number, Set<ServerSession>>();
  #holdTimer: NodeJS.Timeout | undefined;
  #holdTimerAt = Number.POSITIVE_INFINITY;
  /** Channels whose newer message replaces an older one still queued for a session, and how (setLatestWins). */
  readonly #latestWins = new Map<string, Fold | undefined>();
  /** Sessions the server removed on purpose, and when: their clients are told to stop, not to re-handshake. */
  readonly #removedByServer = new Map<string, number>();

  constructor(options: BayeuxOptions, engine: Engine) {
    this.options = options;
    this.sessions = engine.sessions;
    this.broker = engine.broker;
    this.admission = new Admission(options);
    this.extensions = new ExtensionPipeline({ sessions: () => engine.sessions.all() });
    // An 'error' event without a listener would throw; the default is to report it to the logger.
    this.events.on('error', (error) => {
      if (this.events.listenerCount('error') === 1) this.options.logger.error('unexpected error', error);
    });
    // A peer's bad frame is one line, not a stack trace: it says nothing about our code.
    this.events.on('rejected', ({ transport, address, code, reason }) => {
      if (this.events.listenerCount('rejected') === 1) this.options.logger.warn(`${transport} frame from ${address ?? 'unknown'} rejected: ${code} ${reason}`);
    });
  }

  now(): number {
    return Date.now();
  }

  /**
   * Make `channel` latest-wins: each message on it carries the whole state (a slide change), so a
   * session that has not yet been sent one gets only the newest (a slow phone, a long poll on its
   * way back, a WebSocket with a full buffer). Messages already written are not taken back.
   */
  setLatestWins(channel: string, fold?: Fold): void {
    this.#latestWins.set(channel, fold);
  }

  isLatestWins(channel: string): boolean {
    return this.#latestWins.has(channel);
  }

  supersede(older: Outgoing, newer: Outgoing): Outgoing {
    const fold = this.#latestWins.get(newer.message.channel);
    if (!fold) return newer;
    try {
      return newer.foldedOver(older, fold);
    } catch (error) {
      this.reportError(error);
      return newer;
    }
  }

  /** Report a failure of our own (a throwing extension, policy or handler) as an `error` event. Bound: transports pass it on as is. */
  readonly reportError = (error: unknown): void => {
    this.events.emit('error', error instanceof Error ? error : new Error(String(error)));
  };

  createSession(connectionType: ConnectionType): ServerSession {
    return new ServerSession(this, this.options.maxQueue, connectionType);
  }

  /** Remove a session everywhere, answer its held connect, and tell listeners (now, or via `defer`). */
  removeSession(session: ServerSession, reason: RemovalReason, defer?: Array<() => void>): void {
    if (session.state === 'removed') return;
    if (reason === 'server') this.#rememberRemoval(session.id);
    this.releaseHeld(session, { reconnect: reason === 'expired' ? 'handshake' : 'none' });
    session.state = 'removed';
    this.sessions.removeSession(session.id);
    this.admission.release(session);
    this.#flushQueue.delete(session);
    const notify = () => this.events.emit('disconnect', session, reason);
    if (defer) defer.push(notify);
    else notify();
  }

  /**
   * Was this clientId removed by the server (not expired)? Remembered for `maxInterval` plus the
   * longest hold, long enough for the client's next connect, and bounded like everything else.
   */
  wasRemovedByServer(clientId: string): boolean {
    const at = this.#removedByServer.get(clientId);
    return at !== undefined && this.now() - at < this.#removalMemoryMs();
  }

  /** Forget old removals (called by the sweeper). */
  forgetOldRemovals(): void {
    const cutoff = this.now() - this.#removalMemoryMs();
    for (const [id, at] of this.#removedByServer) {
      if (at >= cutoff) break; // insertion order is time order
      this.#removedByServer.delete(id);
    }
  }

  #rememberRemoval(clientId: string): void {
    this.#removedByServer.set(clientId, this.now());
    if (this.#removedByServer.size > this.options.maxSessions) this.#removedByServer.delete(this.#removedByServer.keys().next().value!);
  }

  #removalMemoryMs(): number {
    return this.options.maxInterval + this.options.timeout + this.options.interval;
  }

  /** Serialise an event once, run outgoing extensions once, and fan it out. Returns recipients. */
  broadcast(message: Message): number {
    const event = this.prepareEvent(message);
    return event ? this.broker.publish(event) : 0;
  }

  prepareEvent(message: Message, session?: ServerSession): Outgoing | undefined {
    const final = this.extensions.outgoing(message, { session, request: undefined, transport: undefined });
    return final ? new Outgoing(final) : undefined;
  }

  /** Build the final connect reply: drain the queue (through the session's queue hooks), report drops, run extensions. */
  answerConnect(pending: PendingConnect): { events: Outgoing[]; reply: Message } {
    const { session } = pending;
    let reply = pending.reply;
    const events = session.drainForConnect(reply);
    if (session.dropped > 0) {
      reply.error = BayeuxError.queueOverflow(session.dropped);
      session.dropped = 0;
    }
    reply = this.extensions.outgoing(reply, { session, request: pending.request, transport: pending.transport }) ?? reply;
    session.touch();
    return { events, reply };
  }

  /**
   * Answer a connect at once when there is something to send or it may not wait; otherwise hold it
   * until an event is queued, its time runs out, a newer connect or a disconnect arrives.
   * `browserId` is given for long polls, which count against the browser's connection limit.
   */
  holdConnect(pending: PendingConnect, responder: ConnectResponder, browserId?: string): void {
    const { session } = pending;
    if (session.held) this.releaseHeld(session, undefined, BayeuxError.connectionReplaced());
    // A session removed meanwhile (a disconnect later in the same batch) has nothing left to wake its connect.
    if (pending.holdMs <= 0 || session.hasPending || this.closing || session.state === 'removed') return this.#respondNow(pending, responder);
    if (browserId !== undefined && (this.#heldPerBrowser.get(browserId) ?? 0) >= this.options.maxSessionsPerBrowser) {
      pending.reply.advice = { ...pending.reply.advice, 'multiple-clients': true, reconnect: 'retry', interval: this.options.multiSessionInterval };
      return this.#respondNow(pending, responder);
    }
    if (browserId !== undefined) this.#heldPerBrowser.set(browserId, (this.#heldPerBrowser.get(browserId) ?? 0) + 1);
    const deadline = performance.now() + pending.holdMs;
    session.hold({ pending, deadline, browserId, responder });
    let held = this.#holdsByDuration.get(pending.holdMs);
    if (!held) this.#holdsByDuration.set(pending.holdMs, (held = new Set()));
    held.add(session);
    this.#armHoldTimer(deadline);
  }

  /**
   * Answer the held connect of `session`, if any. `advice` is merged into its reply (e.g. reconnect
   * none on disconnect); `error` turns it into a failure (a newer connect replaced it).
   */
  releaseHeld(session: ServerSession, advice?: Message['advice'], error?: string): void {
    const held = this.#unhold(session);
    if (!held) return;
    const pending = held.pending;
    if (error) {
      const reply: Message = { ...pending.reply, successful: false, error, advice: { reconnect: 'retry', interval: this.options.failureInterval } };
      return held.responder.respond([], reply);
    }
    if (advice) pending.reply.advice = { ...pending.reply.advice, ...advice };
    const answer = this.answerConnect(pending);
    held.responder.respond(answer.events, answer.reply);
  }

  /** The transport of a held connect went away: forget it without answering. */
  dropHeld(session: ServerSession, responder?: ConnectResponder): void {
    if (responder !== undefined && session.held?.responder !== responder) return;
    if (!this.#unhold(session)) return;
    session.touch();
  }

  #unhold(session: ServerSession): HeldConnect | undefined {
    const held = session.unhold();
    if (!held) return undefined;
    this.#uncountBrowser(held.browserId);
    const sessions = this.#holdsByDuration.get(held.pending.holdMs);
    sessions?.delete(session);
    if (sessions?.size === 0) this.#holdsByDuration.delete(held.pending.holdMs);
    if (this.#holdsByDuration.size === 0 && this.#holdTimer !== undefined) {
      // Nothing held (the server is closing, say): no timer left to keep the process waiting.
      clearTimeout(this.#holdTimer);
      this.#holdTimer = undefined;
      this.#holdTimerAt = Number.POSITIVE_INFINITY;
    }
    return held;
  }

  #armHoldTimer(deadline: number): void {
    const at = deadline + HOLD_SWEEP_COALESCE_MS;
    if (this.#holdTimer !== undefined && this.#holdTimerAt <= at) return;
    clearTimeout(this.#holdTimer);
    this.#holdTimerAt = at;
    this.#holdTimer = setTimeout(() => this.#releaseDueHolds(), Math.max(0, at - performance.now()));
  }

  /** Answer every held connect whose time ran out, then wait for the next one to. */
  #releaseDueHolds(): void {
    this.#holdTimer = undefined;
    this.#holdTimerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const sessions of this.#holdsByDuration.values()) {
      for (const session of sessions) {
        const deadline = session.held?.deadline ?? 0;
        if (deadline > now) {
          next = Math.min(next, deadline);
          break;
        }
        // Removes it from `sessions`, and an emptied set from the map: both safe while iterating.
        this.releaseHeld(session);
      }
    }
    if (next !== Number.POSITIVE_INFINITY) this.#armHoldTimer(next);
  }

  /** Wake held connects on the next tick, so several publishes in one tick share one reply. */
  scheduleFlush(session: ServerSession): void {
    this.#flushQueue.add(session);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#flushScheduledAt = performance.now();
    setImmediate(() => this.#flush());
  }

  /**
   * Answer every woken connect in one go. Not in time slices like the fan-out (fanout.ts): between
   * slices Node would first read the thousands of new connects the answered phones send at once,
   * and the phones not yet answered would wait behind all of them.
   *
   * But not while a fan-out is still going out (a presenter clicking through slides, ten thousand
   * phones): it is about to reach these sessions with newer events. Answered now, each phone would
   * get one event per reply and come back for each; a moment later, one reply carries them all (or,
   * on a latest-wins channel, the newest). The wait is bounded, so a stream of publishes cannot hold
   * the answers back.
   */
  #flush(): void {
    if (this.sessions.fanOutBacklog > 0 && performance.now() - this.#flushScheduledAt < FLUSH_WAITS_FOR_FANOUT_MS) {
      setImmediate(() => this.#flush());
      return;
    }
    this.#flushScheduled = false;
    const sessions = [...this.#flushQueue];
    this.#flushQueue.clear();
    for (const session of sessions) if (session.held) this.releaseHeld(session);
  }

  #respondNow(pending: PendingConnect, responder: ConnectResponder): void {
    const answer = this.answerConnect(pending);
    responder.respond(answer.events, answer.reply);
  }

  #uncountBrowser(browserId: string | undefined): void {
    if (browserId === undefined) return;
    const count = (this.#heldPerBrowser.get(browserId) ?? 1) - 1;
    if (count <= 0) this.#heldPerBrowser.delete(browserId);
    else this.#heldPerBrowser.set(browserId, count);
  }
}
