/**
 * /meta/subscribe and /meta/unsubscribe (spec #_bayeux_meta_subscribe). A subscription is a channel
 * or a trailing-wildcard pattern, or an array of them, and the reply echoes it as sent. All or
 * nothing: one refused name refuses the message. Meta channels cannot be subscribed to; service
 * channels are accepted but not recorded (the spec's SHOULD NOT record). The policy is asked per name.
 * A session subscribes at `subscribesPerSecondPerSession` at most (after a burst): an application
 * may answer each subscribe with a snapshot, and re-subscribing in a loop must not multiply it.
 */
import type { Message } from '../../../lib/bayeux/index';
import { BayeuxError, isMeta, isService, isValidSubscription } from '../../../lib/bayeux/index';
import type { ServerSession } from '../session';
import type { Handled, Scope } from './scope';
import { failure, replyTo } from './scope';

const MAX_NAMES_PER_MESSAGE = 100;

export async function subscribe(message: Message, session: ServerSession, scope: Scope): Promise<Handled> {
  const { core } = scope;
  if (!session.takeSubscribeToken(core.now(), core.options.subscribesPerSecondPerSession, core.options.subscribeBurstPerSession)) {
    return { reply: failure(message, BayeuxError.tooManySubscribes(core.options.subscribesPerSecondPerSession), { subscription: message.subscription }), session };
  }
  const parsed = parseSubscription(message);
  if (typeof parsed === 'string') return { reply: failure(message, parsed, { subscription: message.subscription }), session };
  const fresh = parsed.filter((name) => !isService(name) && !session.subscriptions.has(name));
  if (session.subscriptions.size + new Set(fresh).size > core.options.maxSubscriptionsPerSession) {
    return { reply: failure(message, BayeuxError.tooManySubscriptions(core.options.maxSubscriptionsPerSession), { subscription: message.subscription }), session };
  }
  for (const name of parsed) {
    if (!(await core.policy.canSubscribe?.(session, name, message) ?? true)) {
      return { reply: failure(message, BayeuxError.subscribeDenied(name), { subscription: message.subscription }), session };
    }
  }
  if (session.state === 'removed') return { reply: failure(message, BayeuxError.unknownClient()), session };
  for (const name of fresh) {
    if (core.sessions.subscribe(session, name)) scope.after.push(() => core.events.emit('subscribe', session, name));
  }
  return { reply: replyTo(message, { successful: true, subscription: message.subscription }), session };
}

export function unsubscribe(message: Message, session: ServerSession, scope: Scope): Handled {
  const { core } = scope;
  const parsed = parseSubscription(message);
  if (typeof parsed === 'string') return { reply: failure(message, parsed, { subscription: message.subscription }), session };
  for (const name of parsed) {
    if (core.sessions.unsubscribe(session, name)) scope.after.push(() => core.events.emit('unsubscribe', session, name));
  }
  return { reply: replyTo(message, { successful: true, subscription: message.subscription }), session };
}

/** The names in `subscription`, or the error string that refuses the message. */
function parseSubscription(message: Message): string[] | string {
  const raw = message.subscription;
  if (raw === undefined) return BayeuxError.missingParameter('subscription');
  const names = Array.isArray(raw) ? raw : [raw];
  if (names.length === 0) return BayeuxError.missingParameter('subscription');
  if (names.length > MAX_NAMES_PER_MESSAGE) return BayeuxError.invalidParameter('subscription');
  for (const name of names) {
    if (!isValidSubscription(name)) return BayeuxError.channelInvalid(typeof name === 'string' ? String(name).slice(0, 256) : '');
    if (isMeta(name)) return BayeuxError.channelForbidden(name);
  }
  return names as string[];
}
