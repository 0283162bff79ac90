/**
 * The acknowledge extension (CometD `AcknowledgedMessagesExtension`, client `AckExtension`): at-least-once
 * delivery from server to client. The handshake asks with `ext.ack: true`; from then on every
 * `/meta/connect` reply is numbered with `ext.ack = <batch>`, and the client echoes the last batch
 * it received in its next connect. A batch is what the session was sent since the reply before:
 * batches not acknowledged are sent again. Lost when the session expires, as in CometD.
 *
 * Unlike CometD, events on a WebSocket are not held back for connect replies: they are pushed at
 * once, as without ack, and belong to the batch of the next connect reply on that socket. Frames
 * on one socket arrive in order, so a client that acknowledges that reply had every event pushed
 * before it; a client whose socket died before then does not acknowledge it, and comes back on a
 * new socket, where whatever was pushed on the old one is sent again. So acknowledged phones cost
 * what unacknowledged ones do (one shared frame per event, no connect per event), and keep the
 * guarantee. Polling transports carry events in connect replies only (never piggybacked).
 *
 * All of it lives here: the extension installs an AckState on the session as its queue hooks (as
 * cometd-nodejs-server's `ack-extension.js` adds queue listeners), and takes them back when it is
 * removed from the server. The session and the transports only see generic hooks.
 */
import type { Message } from '../../../lib/bayeux/index';
import { isPlainObject, META } from '../../../lib/bayeux/index';
import type { Extension, ExtensionHost } from '../extensions';
import type { Outgoing } from '../outgoing';
import type { PushSink, QueueHooks, ServerSession } from '../session';

interface SentBatch {
  readonly batch: number;
  readonly events: Outgoing[];
}

interface PushedEvent {
  readonly event: Outgoing;
  readonly sink: PushSink;
}

const NONE_SENT: SentBatch[] = [];
const NONE_PUSHED: PushedEvent[] = [];

/** One session's batches: its queue hooks while the ack extension that installed it is on the server. */
export class AckState implements QueueHooks {
  /** An event piggybacked on another reply would be in no batch: it could not be sent again. */
  readonly noPiggyback = true;
  /** The extension that installed it (several ack extensions on one server each take back their own). */
  readonly owner: Extension | undefined;
  #lastBatch = 0;
  // Both empty for most of a session's life: shared empty arrays until something is kept, since
  // every long poll of every phone passes through stamp() and acknowledge().
  #unacknowledged: SentBatch[] = NONE_SENT;
  /** Pushed since the last connect reply: they join its batch. */
  #pushed: PushedEvent[] = NONE_PUSHED;
  readonly #maxUnacknowledged: number;

  constructor(maxUnacknowledged: number, owner?: Extension) {
    this.#maxUnacknowledged = maxUnacknowledged;
    this.owner = owner;
  }

  get hasUnacknowledged(): boolean {
    return this.#unacknowledged.length > 0;
  }

  pushed(event: Outgoing, sink: PushSink): void {
    if (this.#pushed === NONE_PUSHED) this.#pushed = [];
    this.#pushed.push({ event, sink });
    if (this.#pushed.length > this.#maxUnacknowledged) this.#pushed.shift();
  }

  /** Unacknowledged batches, or pushes to a socket that is gone, are sent again at once: the connect is not held. */
  hasPending(session: ServerSession): boolean {
    return this.hasUnacknowledged || (this.#pushed.length > 0 && this.#pushed.some((pushed) => pushed.sink !== session.sink));
  }

  connectReply(events: Outgoing[], reply: Message, session: ServerSession): Outgoing[] {
    return this.stamp(events, reply, session.sink);
  }

  /** The client received every batch up to `batch`. */
  acknowledge(batch: number): void {
    if (this.#unacknowledged.length === 0) return;
    const kept = this.#unacknowledged.filter((sent) => sent.batch > batch);
    this.#unacknowledged = kept.length === 0 ? NONE_SENT : kept;
  }

  /**
   * Number a connect reply that goes out on `sink` (none for polling): returns what it must carry
   * (unacknowledged batches again, what was pushed to another socket, then the new events) and
   * stamps `ext.ack`. What was pushed to `sink` itself arrived before this reply and is not sent
   * again, but joins the batch. Bounded: beyond the limit the oldest unacknowledged go. The events
   * are the shared Outgoings, so the reply is still written from their shared bytes.
   */
  stamp(fresh: Outgoing[], reply: Message, sink?: PushSink): Outgoing[] {
    const batch = ++this.#lastBatch;
    reply.ext = { ...reply.ext, ack: batch };
    const pushed = this.#pushed;
    // The usual long poll: nothing kept, nothing pushed; the fresh events are the batch.
    if (pushed.length === 0 && this.#unacknowledged.length === 0) {
      if (fresh.length > 0) this.#unacknowledged = [{ batch, events: fresh }];
      return fresh;
    }
    this.#pushed = NONE_PUSHED;
    const events = pushed.length === 0 ? fresh : [...pushed.map((entry) => entry.event), ...fresh];
    if (events.length > 0) this.#unacknowledged = [...this.#unacknowledged, { batch, events }];
    this.#trim();
    const again = this.#unacknowledged.filter((sent) => sent.batch !== batch).flatMap((sent) => sent.events);
    const lost = pushed.filter((entry) => entry.sink !== sink).map((entry) => entry.event);
    return again.length === 0 && lost.length === 0 ? fresh : [...again, ...lost, ...fresh];
  }

  #trim(): void {
    let total = this.#unacknowledged.reduce((sum, sent) => sum + sent.events.length, 0);
    while (total > this.#maxUnacknowledged && this.#unacknowledged.length > 1) {
      total -= this.#unacknowledged.shift()!.events.length;
    }
  }
}

/** The session's acknowledged delivery, if an ack extension switched it on. */
export function ackStateOf(session: ServerSession | undefined): AckState | undefined {
  if (session === undefined) return undefined;
  for (const hooks of session.queueHooks) if (hooks instanceof AckState) return hooks;
  return undefined;
}

/** The extension half: switch a session to acknowledged delivery at handshake and read the client's acks. */
export function ackExtension(maxUnacknowledged: number): Extension {
  const extension: Extension = {
    name: 'ack',
    incoming(message, context) {
      if (message.channel !== META.connect || typeof message.ext?.ack !== 'number') return message;
      ackStateOf(context.session)?.acknowledge(message.ext.ack);
      return message;
    },
    outgoing(message, context) {
      const request = context.request;
      if (message.channel === META.handshake && message.successful && isPlainObject(request?.ext) && request.ext.ack === true) {
        context.session?.addQueueHooks(new AckState(maxUnacknowledged, extension));
        message.ext = { ...message.ext, ack: true };
      }
      return message;
    },
    removed(host) {
      takeBack(host, extension);
    },
  };
  return extension;
}

/**
 * The extension leaves the server: its sessions go back to ordinary delivery. Unacknowledged
 * batches are not sent again (nothing would read the client's acks any more); events still queued
 * go out as any event does.
 */
function takeBack(host: ExtensionHost, owner: Extension): void {
  for (const session of host.sessions()) {
    for (const hooks of session.queueHooks) {
      if (hooks instanceof AckState && hooks.owner === owner) {
        session.removeQueueHooks(hooks);
        break;
      }
    }
  }
}
