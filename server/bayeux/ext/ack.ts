/**
 * The acknowledge extension (CometD `AcknowledgedMessagesExtension`, client `AckExtension`): at-least-once
 * delivery from server to client. The handshake asks with `ext.ack: true`; from then on events go
 * out only in `/meta/connect` replies, each reply numbered with `ext.ack = <batch>`, and the client
 * echoes the last batch it received in its next connect. Batches not acknowledged are sent again.
 * Lost when the session expires, as in CometD.
 */
import type { Message } from '../../../lib/bayeux/index';
import { isPlainObject, META } from '../../../lib/bayeux/index';
import type { Extension } from '../extensions';
import type { Outgoing } from '../outgoing';

interface SentBatch {
  readonly batch: number;
  readonly events: Outgoing[];
}

export class AckState {
  #lastBatch = 0;
  #unacknowledged: SentBatch[] = [];
  readonly #maxUnacknowledged: number;

  constructor(maxUnacknowledged: number) {
    this.#maxUnacknowledged = maxUnacknowledged;
  }

  get hasUnacknowledged(): boolean {
    return this.#unacknowledged.length > 0;
  }

  /** The client received every batch up to `batch`. */
  acknowledge(batch: number): void {
    this.#unacknowledged = this.#unacknowledged.filter((sent) => sent.batch > batch);
  }

  /**
   * Number a connect reply: returns what it must carry (unacknowledged batches again, then the
   * new events) and stamps `ext.ack`. Bounded: beyond the limit the oldest unacknowledged go.
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

/** The extension half: switch a session to acknowledged delivery and read the client's acks. */
export function ackExtension(maxUnacknowledged: number): Extension {
  return {
    name: 'ack',
    incoming(message, context) {
      const session = context.session;
      if (message.channel === META.connect && session?.ack && typeof message.ext?.ack === 'number') {
        session.ack.acknowledge(message.ext.ack);
      }
      return message;
    },
    outgoing(message, context) {
      const request = context.request;
      if (message.channel === META.handshake && message.successful && isPlainObject(request?.ext) && request.ext.ack === true) {
        const session = context.session;
        if (session) session.ack = new AckState(maxUnacknowledged);
        message.ext = { ...message.ext, ack: true };
      }
      return message;
    },
  };
}
