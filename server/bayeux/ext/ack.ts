/**
 * The acknowledge extension (CometD `AcknowledgedMessagesExtension`, client `AckExtension`): at-least-once
 * delivery from server to client. The handshake asks with `ext.ack: true`; from then on events go
 * out only in `/meta/connect` replies, each reply numbered with `ext.ack = <batch>`, and the client
 * echoes the last batch it received in its next connect. Batches not acknowledged are sent again.
 * Lost when the session expires, as in CometD.
 *
 * All of it lives here: the extension installs an AckState on the session as its queue hooks (as
 * cometd-nodejs-server's `ack-extension.js` adds queue listeners), and takes them back when it is
 * removed from the server. The session and the transports only see generic hooks.
 */
import type { Message } from '../../../lib/bayeux/index';
import { isPlainObject, META } from '../../../lib/bayeux/index';
import type { Extension, ExtensionHost } from '../extensions';
import type { Outgoing } from '../outgoing';
import type { QueueHooks, ServerSession } from '../session';

interface SentBatch {
  readonly batch: number;
  readonly events: Outgoing[];
}

/** One session's batches: its queue hooks while the ack extension that installed it is on the server. */
export class AckState implements QueueHooks {
  /** Numbered batches are only meaningful in connect replies: nothing is pushed or piggybacked. */
  readonly connectOnly = true;
  /** The extension that installed it (several ack extensions on one server each take back their own). */
  readonly owner: Extension | undefined;
  #lastBatch = 0;
  #unacknowledged: SentBatch[] = [];
  readonly #maxUnacknowledged: number;

  constructor(maxUnacknowledged: number, owner?: Extension) {
    this.#maxUnacknowledged = maxUnacknowledged;
    this.owner = owner;
  }

  get hasUnacknowledged(): boolean {
    return this.#unacknowledged.length > 0;
  }

  /** Unacknowledged batches are sent again at once: a connect is not held while there are any. */
  hasPending(): boolean {
    return this.hasUnacknowledged;
  }

  connectReply(events: Outgoing[], reply: Message): Outgoing[] {
    return this.stamp(events, reply);
  }

  /** The client received every batch up to `batch`. */
  acknowledge(batch: number): void {
    this.#unacknowledged = this.#unacknowledged.filter((sent) => sent.batch > batch);
  }

  /**
   * Number a connect reply: returns what it must carry (unacknowledged batches again, then the
   * new events) and stamps `ext.ack`. Bounded: beyond the limit the oldest unacknowledged go.
   * The events are the shared Outgoings, so the reply is still written from their shared bytes.
   */
  stamp(fresh: Outgoing[], reply: Message): Outgoing[] {
    const batch = ++this.#lastBatch;
    if (fresh.length > 0) this.#unacknowledged.push({ batch, events: fresh });
    this.#trim();
    reply.ext = { ...reply.ext, ack: batch };
    return this.#unacknowledged.flatMap((sent) => sent.events);
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
