/**
 * At least 10,000 generated malformed messages per transport (long-polling POSTs, callback-polling
 * GETs, raw WebSocket frames; tests/helpers/malformed.ts) against the slideshow with its default
 * limits, while a presenter moves slides and two good phones (the official CometD client, on a
 * WebSocket and on long-polling) follow. Nothing crashes or reports an error of ours, every request
 * is answered (never 5xx, never left hanging), every rejected WebSocket frame is logged in one
 * line, and the good phones receive every change.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { parseError } from '../../lib/bayeux/index';
import type { SlideshowState } from '../../lib/slideshow/index';
import { DEFAULT_OPTIONS } from '../../server/bayeux/index';
import { junkBatch, junkText, mulberry32, withInvalidUtf8, type Limits, type Rng } from '../helpers/malformed';
import { Phone } from '../helpers/cometd-phone';
import { RawBayeux } from '../helpers/raw-bayeux';
import { until, within } from '../helpers/slideshow-clients';
import { report, startLiveServer, type LiveServer } from './harness';

const MESSAGES_PER_TRANSPORT = 10_000;
/** A presenter command every this many junk requests. */
const CHANGE_EVERY = 250;
const HTTP_CONCURRENCY = 8;
const STEP_MS = 10_000;
const SLIDES = 10;
const LIMITS: Limits = {
  maxBodyBytes: DEFAULT_OPTIONS.maxBodyBytes, maxMessageBytes: DEFAULT_OPTIONS.maxMessageBytes,
  maxJsonDepth: DEFAULT_OPTIONS.maxJsonDepth, maxMessagesPerRequest: DEFAULT_OPTIONS.maxMessagesPerRequest,
};
/** HTTP statuses a refusal of client input may carry (431: Node's own header limit). */
const HTTP_STATUSES = new Set([200, 400, 403, 404, 405, 413, 415, 431]);
/** Close codes for a WebSocket that broke the protocol: bad data, policy (too many frames), too big, bad UTF-8. */
const CLOSE_CODES = new Set([1002, 1003, 1007, 1008, 1009]);

describe('malformed messages on every transport', () => {
  let live: LiveServer;
  let phones: Phone[];
  const errors: Error[] = [];
  const logLines: string[] = [];
  const commandSeqs: number[] = [];
  const originalWarn = console.warn;
  const originalError = console.error;
  let victims: string[] = [];
  let changes = 0;

  before(async () => {
    // Short holds, so a junk connect that happens to be valid is answered within the run.
    live = await startLiveServer(SLIDES, { bayeux: { timeout: 2_000 } });
    live.server.bayeux.on('error', (error) => void errors.push(error));
    console.warn = (...args: unknown[]) => void logLines.push(args.map(String).join(' '));
    console.error = (...args: unknown[]) => void logLines.push(args.map((a) => (a instanceof Error ? a.stack ?? String(a) : String(a))).join(' '));
    phones = [new Phone('good-ws', live.server.endpoint, 'websocket'), new Phone('good-lp', live.server.endpoint, 'long-polling')];
    for (const phone of phones) await within(phone.join(), `${phone.name} to join`);
    // Sessions the junk may target (disconnect, subscribe, publish as): not the good phones.
    victims = await Promise.all([1, 2, 3].map(async () => {
      const raw = new RawBayeux(live.server.endpoint);
      await raw.handshake();
      return raw.clientId;
    }));
  });
  after(async () => {
    console.warn = originalWarn;
    console.error = originalError;
    for (const phone of phones ?? []) phone.leave();
    await live?.close();
  });

  const change = async () => {
    changes++;
    const state = await live.presenter.command({ slide: (changes % SLIDES) + 1 });
    commandSeqs.push(state.seq);
  };

  test(`long-polling: ${MESSAGES_PER_TRANSPORT} malformed messages`, { timeout: 60_000 }, async () => {
    const rng = mulberry32(14_001);
    const { messages, requests } = await runHttp(live, rng, (r) => longPollingCase(r, victims), change);
    report('long-polling junk: messages, requests', `${messages}, ${requests}`);
    assert.ok(messages >= MESSAGES_PER_TRANSPORT);
  });

  test(`callback-polling: ${MESSAGES_PER_TRANSPORT} malformed messages`, { timeout: 60_000 }, async () => {
    const rng = mulberry32(14_002);
    const { messages, requests } = await runHttp(live, rng, (r) => callbackPollingCase(r, victims), change);
    report('callback-polling junk: messages, requests', `${messages}, ${requests}`);
    assert.ok(messages >= MESSAGES_PER_TRANSPORT);
  });

  test(`websocket: ${MESSAGES_PER_TRANSPORT} malformed messages`, { timeout: 60_000 }, async () => {
    const rng = mulberry32(14_003);
    const { messages, frames, closes } = await runWebSocket(live, rng, victims, change);
    report('websocket junk: messages, frames, sockets closed for a bad frame', `${messages}, ${frames}, ${closes}`);
    assert.ok(messages >= MESSAGES_PER_TRANSPORT);
  });

  test('afterwards: no error of ours, one log line per rejected frame, the good phones got every change', { timeout: 30_000 }, async () => {
    assert.deepEqual(errors.map((e) => e.message), [], 'no operational error reported');
    const rejected = logLines.filter((line) => line.includes('frame from'));
    report('log lines for rejected WebSocket frames', rejected.length);
    assert.ok(rejected.length > 0, 'rejected frames were logged');
    for (const line of logLines) assert.ok(!line.includes('\n'), `one line, no stack trace: ${line.slice(0, 300)}`);
    assert.ok(logLines.every((line) => line.startsWith('[bayeux] websocket frame from')), `only rejected frames were logged: ${logLines.filter((l) => !l.startsWith('[bayeux] websocket frame from')).slice(0, 3).join(' | ')}`);
    const last = commandSeqs.at(-1)!;
    for (const phone of phones) {
      await until(() => (phone.latest?.seq ?? 0) >= last, `${phone.name} to reach seq ${last}`, STEP_MS);
      const seen = new Set(phone.states.map((state: SlideshowState) => state.seq));
      const missed = commandSeqs.filter((seq) => !seen.has(seq));
      assert.deepEqual(missed, [], `${phone.name} missed changes`);
      assert.equal(phone.handshakes, 1, `${phone.name} never had to handshake again`);
    }
    report('changes every good phone received during the junk', commandSeqs.length);
  });
});

// ---------------------------------------------------------------------------------------------
// HTTP transports

interface HttpCase {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  messages: number;
}

function longPollingCase(rng: Rng, victims: readonly string[]): HttpCase {
  const r = rng.int(100);
  if (r < 70) {
    const batch = junkBatch(rng, victims, LIMITS);
    return { method: 'POST', path: '/bayeux', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(batch.value), messages: Math.max(1, batch.messages.length) };
  }
  if (r < 85) return { method: 'POST', path: '/bayeux', headers: { 'Content-Type': 'application/json' }, body: junkText(rng, LIMITS).text, messages: 1 };
  if (r < 95) {
    const batch = junkBatch(rng, victims, LIMITS);
    return { method: 'POST', path: '/bayeux', headers: { 'Content-Type': 'application/json' }, body: withInvalidUtf8(rng, JSON.stringify(batch.value)), messages: Math.max(1, batch.messages.length) };
  }
  const batch = junkBatch(rng, victims, LIMITS);
  return { method: 'POST', path: '/bayeux', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `message=${encodeURIComponent(JSON.stringify(batch.value))}`, messages: Math.max(1, batch.messages.length) };
}

function callbackPollingCase(rng: Rng, victims: readonly string[]): HttpCase {
  const r = rng.int(100);
  const encode = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  if (r < 75) {
    const batch = junkBatch(rng, victims, LIMITS);
    const callback = rng.pick(['jsonpcallback', 'cb', 'a.b_c$', 'alert(1)', '<x>', '']);
    return { method: 'GET', path: `/bayeux?message=${encode(JSON.stringify(batch.value))}&jsonp=${encodeURIComponent(callback)}`, messages: Math.max(1, batch.messages.length) };
  }
  return { method: 'GET', path: `/bayeux?message=${encode(junkText(rng, LIMITS).text.slice(0, 8_000))}&jsonp=cb`, messages: 1 };
}

async function runHttp(live: LiveServer, rng: Rng, next: (rng: Rng) => HttpCase, change: () => Promise<void>): Promise<{ messages: number; requests: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY });
  let messages = 0;
  let requests = 0;
  const problems: string[] = [];
  const worker = async () => {
    while (messages < MESSAGES_PER_TRANSPORT && problems.length === 0) {
      const spec = next(rng);
      messages += spec.messages;
      if (++requests % CHANGE_EVERY === 0) await change();
      const answer = await send(live.server.port, spec, agent).catch((error: Error) => ({ status: 0, body: error.message }));
      problems.push(...httpProblems(answer, spec));
    }
  };
  await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, worker));
  agent.destroy();
  assert.deepEqual(problems.slice(0, 5), []);
  return { messages, requests };
}

function send(port: number, spec: HttpCase, agent: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers = { ...spec.headers, ...(spec.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(spec.body)) } : {}) };
    const req = http.request({ host: '127.0.0.1', port, method: spec.method, path: spec.path, headers, agent, timeout: STEP_MS }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${STEP_MS} ms`)));
    req.end(spec.body);
  });
}

function httpProblems(answer: { status: number; body: string }, spec: HttpCase): string[] {
  const what = `${spec.method} ${spec.path.slice(0, 80)}`;
  if (!HTTP_STATUSES.has(answer.status)) return [`${what}: status ${answer.status} ${answer.body.slice(0, 200)}`];
  if (answer.status !== 200) return [];
  const json = answer.body.startsWith('/**/') ? answer.body.slice(answer.body.indexOf('(') + 1, -2) : answer.body;
  let replies: unknown;
  try {
    replies = JSON.parse(json);
  } catch {
    return [`${what}: a 200 that is not JSON: ${answer.body.slice(0, 200)}`];
  }
  return replyProblems(replies, what);
}

/** Every refusal is a `code:args:message` error below 500. */
function replyProblems(replies: unknown, what: string): string[] {
  if (!Array.isArray(replies)) return [`${what}: replies are not an array`];
  return replies.flatMap((reply: any) => {
    if (reply?.successful !== false) return [];
    const parsed = typeof reply.error === 'string' ? parseError(reply.error) : undefined;
    return parsed && parsed.code < 500 ? [] : [`${what}: refusal ${JSON.stringify(reply).slice(0, 200)}`];
  });
}

// ---------------------------------------------------------------------------------------------
// WebSocket

async function runWebSocket(live: LiveServer, rng: Rng, victims: readonly string[], change: () => Promise<void>) {
  let socket = await JunkSocket.open(live.server.port);
  let messages = 0;
  let frames = 0;
  let closes = 0;
  while (messages < MESSAGES_PER_TRANSPORT) {
    const { data, count } = webSocketFrame(rng, victims);
    messages += count;
    if (++frames % CHANGE_EVERY === 0) await change();
    const outcome = await socket.exchange(data, `s${frames}`);
    if (outcome.kind === 'closed') {
      assert.ok(CLOSE_CODES.has(outcome.code), `closed with ${outcome.code} after ${String(data).slice(0, 120)}`);
      closes++;
      socket = await JunkSocket.open(live.server.port);
      continue;
    }
    const problems = outcome.replies.flatMap((frame) => replyProblems(frame, `frame ${frames}`));
    assert.deepEqual(problems, []);
  }
  socket.close();
  return { messages, frames, closes };
}

function webSocketFrame(rng: Rng, victims: readonly string[]): { data: string | Buffer; count: number } {
  const r = rng.int(100);
  if (r < 70) {
    const batch = junkBatch(rng, victims, LIMITS);
    return { data: JSON.stringify(batch.value), count: Math.max(1, batch.messages.length) };
  }
  if (r < 88) return { data: junkText(rng, LIMITS).text, count: 1 };
  if (r < 95) return { data: withInvalidUtf8(rng, JSON.stringify(junkBatch(rng, victims, LIMITS).value)), count: 1 };
  return { data: Buffer.from([0xff, 0xfe, rng.int(256)]), count: 1 }; // a binary frame
}

/**
 * A raw WebSocket that sends a junk frame followed by a sentinel (an unknown meta channel, always
 * answered at once with its id): frames are processed in order, so the sentinel's answer means
 * the junk was dealt with, and every frame in between answered it.
 */
class JunkSocket {
  #inbox: unknown[][] = [];
  #closed: number | undefined;
  #wake: (() => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: RawData) => {
      try {
        this.#inbox.push(JSON.parse(String(data)));
      } catch {
        this.#inbox.push([{ unparsable: String(data).slice(0, 200) }]);
      }
      this.#wake?.();
    });
    ws.on('close', (code) => {
      this.#closed = code;
      this.#wake?.();
    });
    ws.on('error', () => {});
  }

  static async open(port: number): Promise<JunkSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/bayeux`);
    await within(new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)), 'a junk socket to open');
    return new JunkSocket(ws);
  }

  async exchange(data: string | Buffer, sentinel: string): Promise<{ kind: 'answered'; replies: unknown[][] } | { kind: 'closed'; code: number }> {
    this.#inbox = [];
    this.ws.send(data, { binary: Buffer.isBuffer(data) && data[0] === 0xff && data.length === 3 });
    this.ws.send(JSON.stringify([{ channel: '/meta/sentinel', id: sentinel }]));
    const answered = () => this.#inbox.some((frame) => Array.isArray(frame) && frame.some((m: any) => m?.id === sentinel));
    const settled = () => answered() || this.#closed !== undefined;
    await within(new Promise<void>((resolve) => {
      this.#wake = () => void (settled() && resolve());
      this.#wake();
    }), `an answer to ${String(data).slice(0, 80)}`, STEP_MS);
    this.#wake = undefined;
    if (this.#closed !== undefined && !answered()) return { kind: 'closed', code: this.#closed };
    return { kind: 'answered', replies: this.#inbox };
  }

  close(): void {
    this.ws.close();
  }
}
