/**
 * The request cycle shared by long-polling and callback-polling: process a batch, then answer it
 * at once or, when it is a lone `/meta/connect`, hold the HTTP response until the session has
 * something to send (BayeuxCore.holdConnect). Connects batched with other messages are answered at
 * once, as CometD does. Queued events ride on any reply to their session (spec "Delivery": deliver
 * in a response about to be sent rather than wake a waiting connect), except under the ack
 * extension, whose events must travel in numbered connect replies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionType, Message } from '../../../lib/bayeux/index';
import type { BayeuxCore, ConnectResponder } from '../core';
import { encodeResponse, type Outgoing } from '../outgoing';
import { processBatch, runAfter, runFanouts } from '../protocol/process';
import type { RequestInfo } from '../request';
import type { ServerSession } from '../session';
import { NO_CACHE, browserCookie, browserIdOf } from './http';

/** How a transport frames its body: plain JSON, or a JSON-P callback. */
export interface Framing {
  readonly contentType: string;
  readonly wrap: (json: string) => string;
  readonly headers?: Record<string, string>;
}

export async function runPollingCycle(
  core: BayeuxCore,
  req: IncomingMessage,
  res: ServerResponse,
  messages: unknown[],
  transport: ConnectionType,
  framing: Framing,
  extraHeaders: Record<string, string>,
): Promise<void> {
  const browser = browserIdOf(req, core.options.browserCookieName);
  const headers = responseHeaders(framing, extraHeaders, browser.isNew ? browserCookie(browser.id, core.options) : undefined);
  const info: RequestInfo = { transport, headers: req.headers, remoteAddress: req.socket.remoteAddress, browserId: browser.id };
  const { replies, scope } = await processBatch(messages, core, info);
  const write = (events: Outgoing[], all: Message[]) => writeBody(res, headers, framing.wrap(encodeResponse(events, all)));
  const pending = scope.connect;
  if (!pending) {
    write(piggyback(core, messages), replies);
    return runAfter(scope);
  }
  if (messages.length > 1) {
    runFanouts(scope); // so the batch's own publishes can ride on its connect reply
    const answer = core.answerConnect(pending);
    write(answer.events, [...replies, answer.reply]);
    return runAfter(scope);
  }
  // A lone connect: nothing waits for its reply, so nothing of this request's processing is kept
  // alive while it is held (thousands are held at once; what outlives a GC cycle costs the most).
  runAfter(scope);
  const respond: ConnectResponder = (events, reply) => write(events, [reply]);
  res.on('close', () => {
    if (pending.session.held?.respond === respond) core.dropHeld(pending.session);
  });
  core.holdConnect(pending, respond, browser.id);
}

/** Events queued for the session of a non-connect request, when they may ride on its reply. */
function piggyback(core: BayeuxCore, messages: unknown[]): Outgoing[] {
  const clientId = (messages[0] as { clientId?: unknown } | undefined)?.clientId;
  const session: ServerSession | undefined = typeof clientId === 'string' ? core.engine.getSession(clientId) : undefined;
  if (!session || session.ack || session.sink || session.held || session.dropped > 0) return [];
  return session.drain();
}

/** Response headers as the flat `[name, value, ...]` list `writeHead` takes, with room for Content-Length last. */
function responseHeaders(framing: Framing, extra: Record<string, string>, cookie: string | undefined): string[] {
  const list: string[] = [];
  for (const [name, value] of Object.entries({ ...NO_CACHE, ...extra, ...framing.headers, 'Content-Type': framing.contentType })) list.push(name, value);
  if (cookie !== undefined) list.push('Set-Cookie', cookie);
  list.push('Content-Length', '');
  return list;
}

function writeBody(res: ServerResponse, headers: string[], body: string): void {
  if (res.headersSent || res.destroyed) return;
  headers[headers.length - 1] = String(Buffer.byteLength(body));
  res.writeHead(200, headers);
  res.end(body);
}
