/**
 * Drive the Bayeux protocol without any transport: a BayeuxCore over a StubEngine, batches run
 * through `processBatch`, and small helpers for the steps most tests need (handshake, connect).
 */
import assert from 'node:assert/strict';
import type { ConnectionType, Message } from '../../lib/bayeux/index';
import { parseError } from '../../lib/bayeux/index';
import { BayeuxCore } from '../../server/bayeux/core';
import { resolveOptions, type BayeuxOptions } from '../../server/bayeux/options';
import { processBatch, runAfter, type BatchResult } from '../../server/bayeux/protocol/process';
import type { RequestInfo } from '../../server/bayeux/request';
import type { PendingConnect, PushSink, ServerSession } from '../../server/bayeux/session';
import type { Outgoing } from '../../server/bayeux/outgoing';
import { StubEngine } from './stub-engine';
import { decodeTextFrame } from './ws-frame';

export interface TestCore {
  readonly core: BayeuxCore;
  readonly engine: StubEngine;
  /** Every `error` event the core emitted. */
  readonly errors: Error[];
}

export function makeCore(options: Partial<BayeuxOptions> = {}): TestCore {
  const engine = new StubEngine();
  const core = new BayeuxCore(resolveOptions(options), engine);
  const errors: Error[] = [];
  core.events.on('error', (error) => errors.push(error));
  return { core, engine, errors };
}

export function requestInfo(transport: ConnectionType = 'long-polling', browserId?: string): RequestInfo {
  return { transport, headers: {}, remoteAddress: '127.0.0.1', browserId };
}

export async function send(core: BayeuxCore, messages: readonly unknown[], info: RequestInfo = requestInfo()): Promise<BatchResult> {
  return processBatch(messages, core, info);
}

/** Process one batch and run its deferred listeners, as a transport does after writing. */
export async function sendAndSettle(core: BayeuxCore, messages: readonly unknown[], info: RequestInfo = requestInfo()): Promise<BatchResult> {
  const result = await processBatch(messages, core, info);
  runAfter(result.scope);
  return result;
}

/** The batch's one reply, checked to answer `id` on `channel` with `successful`. */
export function onlyReply(replies: readonly Message[], expected: { channel: string; id: string; successful: boolean }): Message {
  assert.equal(replies.length, 1, `one reply, got ${JSON.stringify(replies)}`);
  const reply = replies[0]!;
  assert.equal(reply.channel, expected.channel);
  assert.equal(reply.id, expected.id);
  assert.equal(reply.successful, expected.successful);
  return reply;
}

export function handshakeMessage(extra: Partial<Message> = {}): Message {
  return { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling', 'callback-polling', 'websocket'], ...extra };
}

/** A successful handshake: returns the new session (registered in the engine). */
export async function handshake(core: BayeuxCore, info: RequestInfo = requestInfo(), extra: Partial<Message> = {}): Promise<ServerSession> {
  const { replies } = await sendAndSettle(core, [handshakeMessage(extra)], info);
  assert.equal(replies.length, 1);
  const reply = replies[0]!;
  assert.equal(reply.successful, true, `handshake failed: ${reply.error}`);
  const session = core.sessions.getSession(String(reply.clientId));
  assert.ok(session, 'handshake reply names a session the engine holds');
  return session;
}

/** Send a connect and return its pending form (it is never among `replies`). */
export async function connectPending(
  core: BayeuxCore,
  session: ServerSession,
  extra: Partial<Message> = {},
  info: RequestInfo = requestInfo(),
): Promise<PendingConnect> {
  const { replies, scope } = await sendAndSettle(core, [{ channel: '/meta/connect', clientId: session.id, connectionType: info.transport, ...extra }], info);
  assert.deepEqual(replies, [], 'a connect leaves no immediate reply: the transport answers it');
  assert.ok(scope.connect, 'the connect is pending');
  return scope.connect;
}

/** Handshake and answer the first connect, as a client's start-up does. */
export async function connectedSession(core: BayeuxCore, info: RequestInfo = requestInfo()): Promise<ServerSession> {
  const session = await handshake(core, info);
  const pending = await connectPending(core, session, {}, info);
  assert.equal(pending.holdMs, 0, 'the first connect is answered at once');
  core.answerConnect(pending);
  return session;
}

/** A held connect's answer, captured. */
export interface Captured {
  readonly answers: Array<{ events: Outgoing[]; reply: Message }>;
  respond(events: Outgoing[], reply: Message): void;
  /** Resolves with the next answer. */
  next(): Promise<{ events: Outgoing[]; reply: Message }>;
}

export function capture(): Captured {
  const answers: Array<{ events: Outgoing[]; reply: Message }> = [];
  const waiters: Array<(answer: { events: Outgoing[]; reply: Message }) => void> = [];
  return {
    answers,
    respond(events, reply) {
      const answer = { events, reply };
      answers.push(answer);
      waiters.shift()?.(answer);
    },
    next() {
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

/** Let setImmediate-scheduled flushes run. */
export async function ticks(count = 2): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The spec's grammar for an error arg, plus `?` for characters the server had to replace. */
export const ERROR_ARG = /^[A-Za-z0-9\-_!~()$@ /*.?]*$/;

/** Assert an error string is `code:args:message` with the given parts. */
export function assertError(error: unknown, code: number, args?: readonly string[], message?: string | RegExp): void {
  assert.equal(typeof error, 'string', `expected an error string, got ${JSON.stringify(error)}`);
  const parsed = parseError(error as string);
  assert.ok(parsed, `error not in code:args:message form: ${String(error)}`);
  assert.equal(parsed.code, code, `error ${String(error)}`);
  for (const arg of parsed.args) assert.match(arg, ERROR_ARG, `error arg outside the spec grammar in ${String(error)}`);
  if (args) assert.deepEqual(parsed.args, args, `error args of ${String(error)}`);
  if (typeof message === 'string') assert.equal(parsed.message, message);
  else if (message) assert.match(parsed.message, message);
}

/** Events of a session's queue, as plain messages. */
export function drained(session: ServerSession): Message[] {
  return session.drain().map((event) => event.message);
}

/** A PushSink that records frames; `writable` toggles backpressure. */
export function recordingSink(): PushSink & { frames: string[]; writable: boolean; drain(): void } {
  let waiting: Array<() => void> = [];
  const sink = {
    frames: [] as string[],
    writable: true,
    isOpen: () => true,
    canWrite: () => sink.writable,
    write: (frame: Buffer) => void sink.frames.push(decodeTextFrame(frame)),
    onWritable: (flush: () => void) => void waiting.push(flush),
    drain() {
      sink.writable = true;
      const listeners = waiting;
      waiting = [];
      for (const flush of listeners) flush();
    },
  };
  return sink;
}
