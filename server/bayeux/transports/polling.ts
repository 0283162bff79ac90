/**
 * The request cycle shared by long-polling and callback-polling: process a batch, then answer it
 * at once or, when it is a lone `/meta/connect`, hold the HTTP response until the session has
 * something to send (BayeuxCore.holdConnect). Connects batched with other messages are answered at
 * once, as CometD does. Queued events ride on any reply to their session (spec "Delivery": deliver
 * in a response about to be sent rather than wake a waiting connect), except for a session whose
 * queue hooks keep its events for connect replies (session.mayPiggyback).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionType, Message } from '../../../lib/bayeux/index';
import type { BayeuxCore } from '../core';
import { encodeResponseBytes, type Outgoing } from '../outgoing';
import { processBatch, runAfter, runFanouts, type BatchResult } from '../protocol/process';
import type { RequestInfo } from '../request';
import type { ConnectResponder, PendingConnect, ServerSession } from '../session';
import { NO_CACHE, browserCookie, browserIdOf } from './http';

/** How a transport frames its body: plain JSON (empty prefix and suffix), or a JSON-P callback. Made by `framing()`. */
export interface Framing {
  /** Text before and after the JSON array (a JSON-P call around it). */
  readonly prefix: string;
  readonly suffix: string;
  /** The response headers as the flat `[name, value, ...]` list `writeHead` takes (no Content-Length). */
  readonly headers: readonly string[];
}

export function framing(contentType: string, prefix = '', suffix = ''): Framing {
  return { prefix, suffix, headers: headerList({ ...NO_CACHE, 'Content-Type': contentType }) };
}

/** Synchronous unless a message's processing is (see processBatch): every phone's poll comes here once per slide change. */
export function runPollingCycle(
  core: BayeuxCore,
  req: IncomingMessage,
  res: ServerResponse,
  messages: unknown[],
  transport: ConnectionType,
  framing: Framing,
  extraHeaders: Record<string, string>,
): void | Promise<void> {
  const browser = browserIdOf(req, core.options.browserCookieName);
  const headers = responseHeaders(framing, extraHeaders, browser.isNew ? browserCookie(browser.id, core.options) : undefined);
  const info: RequestInfo = { transport, headers: req.headers, remoteAddress: core.clientAddress(req), browserId: browser.id };
  const cycle: Cycle = { core, res, messages, framing, headers, browserId: browser.id };
  const batch = processBatch(messages, core, info);
  return batch instanceof Promise ? answerLater(cycle, batch) : answerBatch(cycle, batch);
}

// The closures live in functions of their own: a variable a closure captures is allocated on the
// heap on every call of the function that declares it, taken or not (see protocol/process.ts).
function answerLater(cycle: Cycle, batch: Promise<BatchResult>): Promise<void> {
  return batch.then((result) => answerBatch(cycle, result));
}

/** One polling request on its way through runPollingCycle. */
interface Cycle {
  readonly core: BayeuxCore;
  readonly res: ServerResponse;
  readonly messages: unknown[];
  readonly framing: Framing;
  readonly headers: readonly string[];
  readonly browserId: string;
}

function answerBatch({ core, res, messages, framing, headers, browserId }: Cycle, { replies, scope }: BatchResult): void {
  const pending = scope.connect;
  if (!pending) {
    writeBody(res, headers, frame(framing, piggyback(core, messages), replies));
    return runAfter(scope);
  }
  if (messages.length > 1) {
    runFanouts(scope); // so the batch's own publishes can ride on its connect reply
    const answer = core.answerConnect(pending);
    writeBody(res, headers, frame(framing, answer.events, [...replies, answer.reply]));
    return runAfter(scope);
  }
  // A lone connect: nothing waits for its reply, so nothing of this request's processing is kept
  // alive while it is held (thousands are held at once; what outlives a GC cycle costs the most):
  // one small responder object and one close listener per held request, the headers shared.
  runAfter(scope);
  hold(core, res, pending, new PollingResponder(res, headers, framing), browserId);
}

function hold(core: BayeuxCore, res: ServerResponse, pending: PendingConnect, responder: PollingResponder, browserId: string): void {
  res.on('close', () => core.dropHeld(pending.session, responder));
  core.holdConnect(pending, responder, browserId);
}

/** Answers a held connect on its HTTP response. */
class PollingResponder implements ConnectResponder {
  readonly #res: ServerResponse;
  readonly #headers: readonly string[];
  readonly #framing: Framing;

  constructor(res: ServerResponse, headers: readonly string[], framing: Framing) {
    this.#res = res;
    this.#headers = headers;
    this.#framing = framing;
  }

  respond(events: Outgoing[], reply: Message): void {
    writeBody(this.#res, this.#headers, frame(this.#framing, events, [reply]));
  }
}

/** Events queued for the session of a non-connect request, when they may ride on its reply. */
function piggyback(core: BayeuxCore, messages: unknown[]): Outgoing[] {
  const clientId = (messages[0] as { clientId?: unknown } | undefined)?.clientId;
  const session: ServerSession | undefined = typeof clientId === 'string' ? core.sessions.getSession(clientId) : undefined;
  if (!session || !session.mayPiggyback || session.sink || session.held || session.dropped > 0) return [];
  return session.drain();
}

/** The framing's shared header list, or a new one when this response adds CORS headers or a cookie. */
function responseHeaders(framing: Framing, extra: Record<string, string>, cookie: string | undefined): readonly string[] {
  const list = Object.keys(extra).length === 0 ? framing.headers : [...headerList(extra), ...framing.headers];
  return cookie === undefined ? list : [...list, 'Set-Cookie', cookie];
}

function headerList(headers: Record<string, string>): string[] {
  const list: string[] = [];
  for (const [name, value] of Object.entries(headers)) list.push(name, value);
  return list;
}

/** The body of a reply as bytes, the events' shared bytes copied in (JSON-P too: only the callback around it differs). */
function frame(framing: Framing, events: readonly Outgoing[], replies: readonly Message[]): Buffer {
  return encodeResponseBytes(events, replies, framing.prefix, framing.suffix);
}

function writeBody(res: ServerResponse, headers: readonly string[], body: Buffer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, [...headers, 'Content-Length', String(body.length)]);
  res.end(body);
}
