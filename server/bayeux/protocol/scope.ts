/** What one request (one HTTP body or one WebSocket frame) carries through the protocol handlers. */
import type { Message } from '../../../lib/bayeux/index';
import { BayeuxError } from '../../../lib/bayeux/index';
import type { BayeuxCore } from '../core';
import type { RequestInfo } from '../request';
import type { PendingConnect, ServerSession } from '../session';

export interface Scope {
  readonly core: BayeuxCore;
  readonly info: RequestInfo;
  /** Listeners to notify once the replies are handed to the transport (see events.ts). */
  readonly after: Array<() => void>;
  /**
   * Fan-outs of this batch's publishes, run once the replies are handed to the transport (so a
   * publisher hears back before ten thousand phones are written to), or earlier when a later
   * message of the batch would otherwise see them out of order (a subscribe after a publish).
   */
  readonly fanouts: Array<() => void>;
  /** Set by the connect handler; the transport answers or holds it. */
  connect: PendingConnect | undefined;
}

/** What a handler returns: the reply to send, and the session it concerns (for outgoing extensions). */
export interface Handled {
  readonly reply: Message;
  readonly session: ServerSession | undefined;
}

export type Handler = (message: Message, session: ServerSession | undefined, scope: Scope) => Promise<Handled> | Handled;

/** The skeleton of every reply: same channel, same id (spec: replies to meta messages MUST carry the request id). */
export function replyTo(message: Message, fields: Partial<Message>): Message {
  const reply: Message = { channel: message.channel, ...fields };
  if (message.id !== undefined) reply.id = message.id;
  return reply;
}

export function failure(message: Message, error: string, extra: Partial<Message> = {}): Message {
  return replyTo(message, { successful: false, error, ...extra });
}

/**
 * Unknown or expired session: re-handshake, after a pause (never a tight loop). A session the
 * server removed on purpose is told to stop instead (CometD's server-side disconnect), even when
 * its client had no connect held at that moment.
 */
export function unknownClient(message: Message, scope: Scope): Handled {
  const removed = typeof message.clientId === 'string' && scope.core.wasRemovedByServer(message.clientId);
  const reply = failure(message, BayeuxError.unknownClient(), {
    advice: removed ? { reconnect: 'none' } : { reconnect: 'handshake', interval: scope.core.options.failureInterval },
  });
  return { reply, session: undefined };
}
