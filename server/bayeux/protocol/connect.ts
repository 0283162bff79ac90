/**
 * /meta/connect (spec #_bayeux_meta_connect). Accepts the connect and leaves it pending in the scope;
 * the transport answers it at once or holds it (BayeuxCore.holdConnect). The first connect of a
 * session is never held, as in CometD ("support old clients"); a client's `advice.timeout` can
 * only shorten the hold (the spec's SHOULD honour timeout advice, bounded by ours).
 */
import type { Message } from '../../../lib/bayeux/index';
import { BayeuxError, isConnectionType } from '../../../lib/bayeux/index';
import type { ServerSession } from '../session';
import type { Handled, Scope } from './scope';
import { failure, replyTo } from './scope';

export function connect(message: Message, session: ServerSession, scope: Scope): Handled {
  const { options } = scope.core;
  const type = message.connectionType;
  if (scope.connect) return { reply: failure(message, BayeuxError.invalidMessage('only one /meta/connect per request')), session };
  if (type === undefined) return { reply: failure(message, BayeuxError.missingParameter('connectionType')), session };
  if (!isConnectionType(type) || !options.transports.includes(type)) {
    return { reply: failure(message, BayeuxError.connectionTypeMismatch([typeof type === 'string' ? type.slice(0, 64) : '']), { advice: { reconnect: 'handshake', interval: options.failureInterval } }), session };
  }
  // Only on a change: the parsed string would otherwise replace the shared literal on every connect (kept per session).
  if (session.connectionType !== type) session.connectionType = type;
  const first = session.state === 'handshaken';
  session.state = 'connected';
  const reply = replyTo(message, { successful: true });
  if (first || message.advice !== undefined) {
    reply.advice = { reconnect: 'retry', interval: options.interval, timeout: options.timeout };
  }
  const holdMs = first ? 0 : Math.min(options.timeout, clientTimeout(message) ?? options.timeout);
  scope.connect = { session, request: message, reply, holdMs, transport: scope.info };
  return { reply, session };
}

function clientTimeout(message: Message): number | undefined {
  const timeout = message.advice?.timeout;
  return typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0 ? timeout : undefined;
}
