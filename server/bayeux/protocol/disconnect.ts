/**
 * /meta/disconnect (spec #_bayeux_meta_disconnect). Removes the session with its subscriptions and
 * queue, and answers its held connect at once with `reconnect: none`.
 */
import type { Message } from '../../../lib/bayeux/index';
import type { ServerSession } from '../session';
import type { Handled, Scope } from './scope';
import { replyTo } from './scope';

export function disconnect(message: Message, session: ServerSession, scope: Scope): Handled {
  scope.core.removeSession(session, 'disconnect', scope.after);
  return { reply: replyTo(message, { successful: true }), session };
}
