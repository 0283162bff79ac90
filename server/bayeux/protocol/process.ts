/**
 * The protocol entry point: a batch of messages in, their replies out, no I/O. Runs each message
 * through the shape check, the incoming extensions, its handler and the outgoing extensions, in
 * order (a publish then a subscribe in one batch behave as sent). A handshake must travel alone:
 * the others beside it are answered with an error and otherwise ignored (spec: the server "MUST
 * ignore any other message sent in the same request as a handshake message").
 * Errors are values here: a throwing extension or policy becomes a `500` reply and an `error` event.
 */
import type { Message } from '../../../lib/bayeux/index';
import { BayeuxError, META, isMeta } from '../../../lib/bayeux/index';
import type { BayeuxCore } from '../core';
import type { RequestInfo } from '../request';
import type { ServerSession } from '../session';
import { checkMessage } from './validate';
import type { Handled, Scope } from './scope';
import { failure, unknownClient } from './scope';
import { handshake } from './handshake';
import { connect } from './connect';
import { subscribe, unsubscribe } from './subscribe';
import { disconnect } from './disconnect';
import { publish } from './publish';

export interface BatchResult {
  /** Replies in request order; a pending connect's reply is not among them (see `connect`). */
  readonly replies: Message[];
  readonly scope: Scope;
}

/**
 * Process a batch. Synchronous unless a message's extension or handler answers with a promise:
 * each phone's long poll passes here once per slide change, and an async function costs a promise,
 * its frame and a microtask per call, garbage that decides how often the collector runs.
 */
export function processBatch(batch: readonly unknown[], core: BayeuxCore, info: RequestInfo): BatchResult | Promise<BatchResult> {
  const scope: Scope = { core, info, after: [], fanouts: [], connect: undefined };
  return processFrom(0, batch, handshakeIndexOf(batch), { replies: [], scope });
}

/** Messages `start..` of the batch; continues asynchronously from the first that answers with a promise. */
function processFrom(start: number, batch: readonly unknown[], handshakeIndex: number, result: BatchResult): BatchResult | Promise<BatchResult> {
  const { replies, scope } = result;
  for (let i = start; i < batch.length; i++) {
    if (handshakeIndex >= 0 && i !== handshakeIndex) {
      const checked = checkMessage(batch[i]);
      const message = checked.ok ? checked.message : checked.reply;
      replies.push(failure(message, BayeuxError.handshakeNotAlone()));
      continue;
    }
    if (changesSubscriptions(batch[i])) runFanouts(scope);
    const answered = processOne(batch[i], scope);
    if (answered instanceof Promise) return processAfter(answered, i, batch, handshakeIndex, result);
    keepReply(answered, result);
  }
  return result;
}

/** Wait for message `index`'s answer, then go on with the rest (a closure of its own: see handleLater). */
function processAfter(answered: Promise<Answer>, index: number, batch: readonly unknown[], handshakeIndex: number, result: BatchResult): Promise<BatchResult> {
  return answered.then((reply) => {
    keepReply(reply, result);
    return processFrom(index + 1, batch, handshakeIndex, result);
  });
}

/** A pending connect's reply is not among the replies: the transport answers it (see `connect`). */
function keepReply(reply: Answer, { replies, scope }: BatchResult): void {
  if (reply && !(scope.connect && reply === scope.connect.reply)) replies.push(reply);
}

function handshakeIndexOf(batch: readonly unknown[]): number {
  for (let i = 0; i < batch.length; i++) if ((batch[i] as Message | null)?.channel === META.handshake) return i;
  return -1;
}

/** Run the fan-outs, then every deferred event listener, of a processed batch (call after writing its replies). */
export function runAfter(scope: Scope): void {
  runFanouts(scope);
  for (const notify of scope.after.splice(0)) {
    try {
      notify();
    } catch (error) {
      scope.core.reportError(error);
    }
  }
}

/** Deliver this batch's publishes now (before answering a connect that travels in the same request). */
export function runFanouts(scope: Scope): void {
  for (const fanout of scope.fanouts.splice(0)) fanout();
}

/** Messages that must see this batch's earlier publishes already delivered (batch order). */
function changesSubscriptions(raw: unknown): boolean {
  const channel = (raw as Message | null)?.channel;
  return channel === META.subscribe || channel === META.unsubscribe || channel === META.disconnect;
}

type Answer = Message | undefined;

/**
 * One message through the extensions, its handler and the outgoing extensions. Synchronous unless
 * an extension or handler returns a promise: every phone's connect passes here (ten thousand long
 * polls per slide change), and awaiting values that are already there costs a promise and a
 * microtask each time.
 */
function processOne(raw: unknown, scope: Scope): Answer | Promise<Answer> {
  const checked = checkMessage(raw);
  if (!checked.ok) return checked.reply;
  const message = checked.message;
  const session = typeof message.clientId === 'string' ? scope.core.sessions.getSession(message.clientId) : undefined;
  try {
    const incoming = scope.core.extensions.incoming(message, { session, request: undefined, transport: scope.info });
    return incoming instanceof Promise ? handleLater(incoming, message, session, scope) : handle(incoming, message, session, scope);
  } catch (error) {
    return serverError(error, message, scope);
  }
}

/** Errors are values: a throwing (or rejecting) policy or handler becomes a 500 reply and an `error` event. */
function handle(incoming: Message | null, original: Message, session: ServerSession | undefined, scope: Scope): Answer | Promise<Answer> {
  if (incoming === null) return failure(original, '404::message_deleted');
  if (incoming.error !== undefined) return failure(incoming, String(incoming.error), incoming.advice ? { advice: incoming.advice } : {});
  try {
    const handled = dispatch(incoming, session, scope);
    return handled instanceof Promise ? finishLater(handled, incoming, scope) : finish(handled, incoming, scope);
  } catch (error) {
    return serverError(error, incoming, scope);
  }
}

// The closures of the asynchronous paths live in their own functions: a variable a closure
// captures is allocated on the heap on every call of the function that declares it, taken or not.
function handleLater(incoming: Promise<Message | null>, message: Message, session: ServerSession | undefined, scope: Scope): Promise<Answer> {
  return incoming.then((value) => handle(value, message, session, scope)).catch((error: unknown) => serverError(error, message, scope));
}

function finishLater(handled: Promise<Handled>, message: Message, scope: Scope): Promise<Answer> {
  return handled.then((value) => finish(value, message, scope)).catch((error: unknown) => serverError(error, message, scope));
}

function finish(handled: Handled, message: Message, scope: Scope): Answer {
  if (scope.connect?.reply === handled.reply) return handled.reply; // finalised when answered
  return scope.core.extensions.outgoing(handled.reply, { session: handled.session, request: message, transport: scope.info }) ?? undefined;
}

function serverError(error: unknown, message: Message, scope: Scope): Message {
  scope.core.reportError(error);
  return failure(message, BayeuxError.serverError(), { advice: { reconnect: 'retry', interval: scope.core.options.failureInterval } });
}

function dispatch(message: Message, session: ServerSession | undefined, scope: Scope): Promise<Handled> | Handled {
  const channel = message.channel;
  if (channel === META.handshake) return handshake(message, scope);
  if (isMeta(channel) && !isKnownMeta(channel)) return { reply: failure(message, BayeuxError.unknownMetaChannel(channel.slice(0, 64))), session };
  if (!session) {
    if (channel === META.disconnect && message.clientId === undefined) return { reply: failure(message, BayeuxError.missingParameter('clientId')), session };
    return unknownClient(message, scope);
  }
  switch (channel) {
    case META.connect: return connect(message, session, scope);
    case META.subscribe: return subscribe(message, session, scope);
    case META.unsubscribe: return unsubscribe(message, session, scope);
    case META.disconnect: return disconnect(message, session, scope);
    default: return publish(message, session, scope);
  }
}

const KNOWN_META = new Set<string>(Object.values(META));

/** Exact comparison: `/meta/subscribe/x` is not a subscribe (Faye's GHSA-qpg4-4w7w-2mq5). */
function isKnownMeta(channel: string): boolean {
  return KNOWN_META.has(channel);
}
