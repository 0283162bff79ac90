/**
 * Thousands of malformed requests against a real server, over every transport: long-polling POST,
 * callback-polling GET and raw WebSocket frames, built by a seeded generator (tests/helpers/malformed.ts).
 * Every request must get a clean answer: an expected HTTP status, or a Bayeux reply per message with
 * `successful:false`, a `code:args:message` error and the request's id echoed, or a clean WebSocket
 * close code. Throughout, a long-lived raw client (subscribed to `/**`, so any junk that leaks to
 * subscribers is seen) and fresh raw clients must keep working; long-poll clients that never read
 * their responses must not hold more than the queue bound; at the end every junk session expires and
 * the heap has not grown beyond a bound.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { WebSocket, type RawData } from 'ws';
import { parseError, type Message } from '../../lib/bayeux/index';
import { startBayeuxServer, type TestServer } from '../helpers/bayeux-server';
import {
  junkBatch, junkText, levels, mulberry32, withInvalidUtf8, type JunkBatch, type Limits, type Rng,
} from '../helpers/malformed';
import { sleep, until, within } from '../../support/wait';

const CASES_PER_TRANSPORT = 3_000;
const CHECK_EVERY = 500;
const HTTP_CONCURRENCY = 8;
/** Bound on any single awaited step. */
const STEP_MS = 10_000;
/** Heap growth allowed over the whole run, once junk sessions have expired (bytes). */
const MAX_HEAP_GROWTH = 24 * 1024 * 1024;
/** Node's default limit on the request line plus headers. */
const NODE_MAX_HEADER_BYTES = 16 * 1024;

const LIMITS: Limits = { maxBodyBytes: 64 * 1024, maxMessageBytes: 8 * 1024, maxJsonDepth: 16, maxMessagesPerRequest: 50 };
const MAX_QUEUE = 50;
const SERVER_OPTIONS = {
  ...LIMITS,
  timeout: 1_000,
  interval: 0,
  maxInterval: 3_000,
  sweepPeriod: 250,
  failureInterval: 100,
  maxQueue: MAX_QUEUE,
  // The junk and the good clients share one address here: the per-address limits would rightly
  // refuse the good ones after the junk's handshakes. They are tested in tests/adversarial/.
  maxSessionsPerAddress: 1_000_000,
  handshakesPerSecondPerAddress: 1_000_000,
  handshakeBurstPerAddress: 1_000_000,
};

/** Error codes a refusal of client input may carry; never 5xx. */
const REFUSAL_CODES = new Set([300, 301, 400, 402, 403, 404, 405, 413, 429]);
/** The spec's grammar for an error arg, plus `?` for characters the server had to replace. */
const ERROR_ARG = /^[A-Za-z0-9\-_!~()$@ /*.?]*$/;
/** Channels the long-lived `/**` subscriber may legitimately see. */
const HARNESS_CHANNELS = /^\/(heartbeat|good)(\/|$)/;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Checking answers

/**
 * Problems with the replies to a junk batch, or [] when every message was answered correctly.
 * `shapeOnly`: the batch's strings may have changed on the way (invalid percent-encoding), so ids
 * and channels are not compared and only handshakes may succeed.
 */
function replyProblems(replies: unknown, batch: JunkBatch, shapeOnly = false): string[] {
  if (!Array.isArray(replies)) return [`replies are not an array: ${JSON.stringify(replies)?.slice(0, 200)}`];
  if (replies.length !== batch.messages.length) {
    return [`${replies.length} replies for ${batch.messages.length} messages: ${JSON.stringify(replies).slice(0, 300)}`];
  }
  const problems: string[] = [];
  replies.forEach((reply: unknown, i) => {
    const { message } = batch.messages[i]!;
    const mayPass = shapeOnly || batch.messages[i]!.mayPass;
    const where = `reply ${i} to ${JSON.stringify(message)?.slice(0, 160)}: ${JSON.stringify(reply)?.slice(0, 240)}`;
    if (!isPlainObject(reply) || typeof reply.channel !== 'string') return void problems.push(`malformed ${where}`);
    if (reply.successful === true) {
      if (!mayPass || reply.channel !== '/meta/handshake') problems.push(`accepted ${where}`);
      return;
    }
    if (reply.successful !== false) return void problems.push(`no successful flag in ${where}`);
    const parsed = typeof reply.error === 'string' ? parseError(reply.error) : undefined;
    if (!parsed) return void problems.push(`error not in code:args:message form in ${where}`);
    if (!REFUSAL_CODES.has(parsed.code)) problems.push(`unexpected error code in ${where}`);
    if (!parsed.args.every((arg) => ERROR_ARG.test(arg))) problems.push(`error args outside the spec grammar in ${where}`);
    if (reply.error === '402::Unknown client') {
      const advice = reply.advice as { reconnect?: unknown; interval?: unknown } | undefined;
      if (advice?.reconnect !== 'handshake' || !(Number(advice.interval) > 0)) problems.push(`402 without handshake advice and a pause in ${where}`);
    }
    if (shapeOnly) return;
    if (isPlainObject(message)) {
      const idOk = typeof message.id === 'string' && message.id.length <= 128;
      if (idOk && reply.id !== message.id) problems.push(`id not echoed in ${where}`);
      if (!idOk && reply.id !== undefined) problems.push(`invalid id echoed in ${where}`);
      const channel = message.channel;
      const channelOk = typeof channel === 'string' && channel.startsWith('/') && channel.length <= 256;
      if ((idOk || message.id === undefined) && channelOk && reply.channel !== channel) problems.push(`channel not echoed in ${where}`);
    } else if (reply.id !== undefined) {
      problems.push(`id on a reply to a non-object in ${where}`);
    }
  });
  return problems;
}

/** The one reply a WebSocket frame that is not a batch gets. */
function frameRefusalProblems(replies: unknown): string[] {
  if (!Array.isArray(replies) || replies.length !== 1) return [`expected one refusal, got ${JSON.stringify(replies)?.slice(0, 200)}`];
  const reply = replies[0] as Message;
  if (reply.successful !== false || typeof reply.error !== 'string' || parseError(reply.error)?.code !== 400) {
    return [`expected a 400 refusal, got ${JSON.stringify(reply).slice(0, 200)}`];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface HttpSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  chunked?: boolean;
}

interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY });

function httpRequest(port: number, spec: HttpSpec): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    let responded = false;
    const headers: Record<string, string> = { ...spec.headers };
    if (spec.body !== undefined && !spec.chunked) headers['Content-Length'] = String(Buffer.byteLength(spec.body));
    if (spec.chunked) headers['Transfer-Encoding'] = 'chunked';
    const req = http.request({ host: '127.0.0.1', port, method: spec.method, path: spec.path, headers, agent, timeout: STEP_MS }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // A server may answer 413 and close before the whole body is sent: errors after the answer are fine.
    req.on('error', (error) => {
      if (!responded) reject(error);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    if (spec.body === undefined) return void req.end();
    if (!spec.chunked) return void req.end(spec.body);
    const bytes = Buffer.from(spec.body);
    const third = Math.ceil(bytes.length / 3);
    for (let i = 0; i < bytes.length; i += third) req.write(bytes.subarray(i, i + third));
    req.end();
  });
}

async function postJson(port: number, messages: unknown[]): Promise<Message[]> {
  const res = await httpRequest(port, { method: 'POST', path: '/bayeux', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(messages) });
  assert.equal(res.status, 200, res.body);
  return JSON.parse(res.body) as Message[];
}

/** What a well-behaved long-polling request must be answered with. */
interface HttpExpectation {
  statuses: readonly number[];
  batch?: JunkBatch;
  /** Callback-polling: the JSON-P callback wrapping the replies. */
  callback?: string;
  /** See replyProblems. */
  shapeOnly?: boolean;
}

function httpProblems(res: HttpResult, expected: HttpExpectation): string[] {
  if (!expected.statuses.includes(res.status)) return [`status ${res.status} (expected ${expected.statuses.join('/')}): ${res.body.slice(0, 200)}`];
  if (res.status !== 200 || !expected.batch) return [];
  let json = res.body;
  if (expected.callback !== undefined) {
    const prefix = `/**/${expected.callback}(`;
    if (!json.startsWith(prefix) || !json.endsWith(');')) return [`not a JSON-P answer: ${json.slice(0, 200)}`];
    if (!String(res.headers['content-type']).startsWith('text/javascript')) return [`JSON-P content type ${res.headers['content-type']}`];
    json = json.slice(prefix.length, -2);
  } else if (!String(res.headers['content-type']).startsWith('application/json')) {
    return [`content type ${res.headers['content-type']}`];
  }
  try {
    return replyProblems(JSON.parse(json), expected.batch, expected.shapeOnly);
  } catch {
    return [`answer is not JSON: ${json.slice(0, 200)}`];
  }
}

// ---------------------------------------------------------------------------------------------
// Long-polling cases

function batchExpectation(batch: JunkBatch, bytes: number): HttpExpectation {
  if (levels(batch.value) > LIMITS.maxJsonDepth) return { statuses: [400] };
  if (bytes > LIMITS.maxBodyBytes) return { statuses: [413] };
  return { statuses: [200], batch };
}

function longPollingCase(rng: Rng, victims: readonly string[]): { label: string; spec: HttpSpec; expected: HttpExpectation } {
  const r = rng.int(100);
  const post = (body: Buffer | string, headers: Record<string, string> = { 'Content-Type': 'application/json' }, path = '/bayeux'): HttpSpec =>
    ({ method: 'POST', path, headers, body, chunked: rng.chance(0.1) });
  if (r < 55) {
    const batch = junkBatch(rng, victims, LIMITS);
    const json = JSON.stringify(batch.value);
    const style = rng.int(10);
    if (style === 0) {
      const body = `message=${encodeURIComponent(json)}`;
      return { label: 'form batch', spec: post(body, { 'Content-Type': 'application/x-www-form-urlencoded' }), expected: batchExpectation(batch, Buffer.byteLength(body)) };
    }
    const type = rng.pick(['application/json', 'application/json; charset=utf-8', 'application/json', 'text/json', 'text/plain', '']);
    const headers: Record<string, string> = type ? { 'Content-Type': type } : {};
    if (style === 1) headers.Cookie = rng.pick(['BAYEUX_BROWSER=<script>', `BAYEUX_BROWSER=${'b'.repeat(8_000)}`, 'a=b; ; =; BAYEUX_BROWSER', '\u00e9=1']);
    const path = style === 2 ? rng.pick(['/bayeux/', '/bayeux/handshake', '/bayeux/connect', '/bayeux?x=1', '/bayeux/meta-connect']) : '/bayeux';
    return { label: 'batch', spec: post(json, headers, path), expected: batchExpectation(batch, Buffer.byteLength(json)) };
  }
  if (r < 73) {
    const text = junkText(rng, LIMITS);
    const tooLarge = Buffer.byteLength(text.text) > LIMITS.maxBodyBytes;
    return { label: text.label, spec: post(text.text), expected: { statuses: [tooLarge ? 413 : text.status] } };
  }
  if (r < 78) {
    const batch = junkBatch(rng, victims, LIMITS);
    const bytes = withInvalidUtf8(rng, JSON.stringify(batch.value));
    return { label: 'invalid UTF-8', spec: post(bytes), expected: { statuses: [bytes.length > LIMITS.maxBodyBytes ? 413 : 400] } };
  }
  if (r < 83) {
    const size = LIMITS.maxBodyBytes + 1 + rng.int(64 * 1024);
    const body = `[{"channel":"/a","data":"${'o'.repeat(size)}"}]`;
    return { label: `body of ${body.length} bytes`, spec: post(body), expected: { statuses: [413] } };
  }
  if (r < 85) {
    return { label: 'multipart', spec: post('--x\r\nContent-Disposition: form-data; name="message"\r\n\r\n[]\r\n--x--', { 'Content-Type': 'multipart/form-data; boundary=x' }), expected: { statuses: [415] } };
  }
  if (r < 88) {
    const method = rng.pick(['PUT', 'DELETE', 'PATCH', 'GET', 'HEAD']);
    const spec: HttpSpec = { method, path: '/bayeux', ...(method === 'PUT' || method === 'PATCH' ? { body: '[]' } : {}) };
    return { label: `${method} request`, spec, expected: { statuses: [method === 'GET' || method === 'HEAD' ? 400 : 405] } };
  }
  if (r < 90) {
    return { label: 'form without message', spec: post(rng.pick(['foo=bar', '', 'messages=[]', 'message', '&&&']), { 'Content-Type': 'application/x-www-form-urlencoded' }), expected: { statuses: [400] } };
  }
  if (r < 94) {
    const batch = junkBatch(rng, victims, LIMITS);
    const origin = rng.pick(['http://evil.example', 'null', 'not a url', 'http://127.0.0.1.evil.example']);
    return { label: `Origin ${origin}`, spec: post(JSON.stringify(batch.value), { 'Content-Type': 'application/json', Origin: origin }), expected: { statuses: [403] } };
  }
  if (r < 97) {
    const path = rng.pick(['/bayeux/a/b', `/bayeux/${'x'.repeat(40)}`, '/bayeux/%00', '/bayeuxx', '/bayeux/../x']);
    return { label: `path ${path}`, spec: post('[]', { 'Content-Type': 'application/json' }, path), expected: { statuses: [404] } };
  }
  return { label: 'empty batch', spec: post('[]'), expected: { statuses: [200], batch: { kind: 'batch', value: [], messages: [] } } };
}

// ---------------------------------------------------------------------------------------------
// Callback-polling cases

function callbackPollingCase(rng: Rng, victims: readonly string[]): { label: string; spec: HttpSpec; expected: HttpExpectation } {
  const r = rng.int(100);
  const get = (query: string): HttpSpec => ({ method: 'GET', path: `/bayeux?${query}` });
  /** Beyond Node's header limit the request never reaches us: Node answers 431 itself. */
  const sized = (spec: HttpSpec, expected: HttpExpectation): HttpExpectation => {
    const length = spec.path.length;
    if (length > NODE_MAX_HEADER_BYTES) return { statuses: [431] };
    if (length > NODE_MAX_HEADER_BYTES - 1_024) return { ...expected, statuses: [...expected.statuses, 431] };
    return expected;
  };
  if (r < 60) {
    const batch = junkBatch(rng, victims, LIMITS);
    const callback = rng.pick(['jsonpcallback', 'cb', 'a.b_c$', '$', '_x1', 'jsonp.cb.deep']);
    const jsonp = callback === 'jsonpcallback' && rng.chance(0.5) ? '' : `&jsonp=${encodeURIComponent(callback)}`;
    // Now and then one message= per message (only objects: an array or a scalar there means something else).
    const elements = Array.isArray(batch.value) ? (batch.value as unknown[]) : [];
    const split = elements.length > 0 && elements.every(isPlainObject) && rng.chance(0.2);
    const params = split
      ? elements.map((m) => `message=${encodeURIComponent(JSON.stringify(m))}`).join('&')
      : `message=${encodeURIComponent(JSON.stringify(batch.value))}`;
    const spec = get(`${params}${jsonp}`);
    const depthRefused = split ? elements.some((m) => levels(m) > LIMITS.maxJsonDepth) : levels(batch.value) > LIMITS.maxJsonDepth;
    return { label: split ? 'split batch' : 'batch', spec, expected: sized(spec, depthRefused ? { statuses: [400] } : { statuses: [200], batch, callback }) };
  }
  if (r < 75) {
    const text = junkText(rng, LIMITS);
    // Percent-encode the UTF-8 bytes: encodeURIComponent throws on the lone surrogates junk may hold.
    const encoded = [...Buffer.from(text.text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    const spec = get(`message=${encoded}&jsonp=cb`);
    return { label: text.label, spec, expected: sized(spec, { statuses: [text.status] }) };
  }
  if (r < 81) {
    const callback = rng.pick(['alert(1)', '1abc', 'a-b', 'x'.repeat(65), '', 'a..b', '<script>', 'a b', 'a.', '.a', 'a;b', '\u00e9']);
    return { label: `jsonp ${callback}`, spec: get(`message=%5B%5D&jsonp=${encodeURIComponent(callback)}`), expected: { statuses: [400] } };
  }
  if (r < 87) {
    // Percent-encoded invalid UTF-8 decodes to U+FFFD: the request may parse or not, but must be answered cleanly.
    const batch = junkBatch(rng, [], LIMITS);
    const json = encodeURIComponent(JSON.stringify(batch.value));
    const at = rng.int(json.length + 1);
    const bad = rng.pick(['%FF', '%C0%AF', '%ED%A0%80', '%E2%82', '%ZZ', '%', '%E0%A4%A']);
    // Outside a string the result is not JSON (400); inside one the batch keeps its shape, its strings change.
    const spec = get(`message=${json.slice(0, at)}${bad}${json.slice(at)}&jsonp=cb`);
    return { label: 'invalid percent-encoding', spec, expected: sized(spec, { statuses: [200, 400], batch, callback: 'cb', shapeOnly: true }) };
  }
  if (r < 93) {
    return { label: 'no message parameter', spec: get(rng.pick(['jsonp=cb', 'messages=[]', 'x=1', 'message', ''])), expected: { statuses: [400] } };
  }
  return { label: 'one bad message among good ones', spec: get(`message=%5B%5D&message=${encodeURIComponent('[{"channel":')}&jsonp=cb`), expected: { statuses: [400] } };
}

// ---------------------------------------------------------------------------------------------
// WebSocket

/** A raw WebSocket with an inbox, for strict request/answer stepping. */
class RawSocket {
  readonly ws: WebSocket;
  readonly inbox: unknown[] = [];
  closeCode: number | undefined;
  #wake: (() => void) | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: RawData) => {
      const text = data.toString();
      try {
        this.inbox.push(JSON.parse(text));
      } catch {
        this.inbox.push({ unparsable: text.slice(0, 200) });
      }
      this.#wake?.();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.#wake?.();
    });
    ws.on('error', () => {});
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<RawSocket> {
    const ws = new WebSocket(url, { headers, maxPayload: 64 * 1024 * 1024 });
    return within(new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawSocket(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (req, res) => {
        req.destroy();
        reject(Object.assign(new Error(`upgrade refused with ${res.statusCode}`), { status: res.statusCode }));
      });
    }), 'WebSocket open', STEP_MS);
  }

  /** The next answer frame, or undefined if the socket closed first. */
  async next(): Promise<unknown> {
    const deadline = Date.now() + STEP_MS;
    while (this.inbox.length === 0) {
      if (this.closeCode !== undefined) return undefined;
      if (Date.now() > deadline) throw new Error('no WebSocket answer in time');
      await within(new Promise<void>((resolve) => (this.#wake = resolve)), 'WebSocket answer', STEP_MS).catch(() => {});
    }
    return this.inbox.shift();
  }

  async closed(): Promise<number> {
    await until(() => this.closeCode !== undefined, 'WebSocket close', STEP_MS);
    return this.closeCode!;
  }
}

type WsCase =
  | { kind: 'batch'; label: string; frame: string; batch: JunkBatch }
  | { kind: 'refused'; label: string; frame: string }
  | { kind: 'close'; label: string; data: Buffer | string; binary: boolean; codes: readonly number[] }
  | { kind: 'origin'; label: string; origin: string }
  | { kind: 'burst'; label: string; batches: JunkBatch[] };

function webSocketCase(rng: Rng, victims: readonly string[]): WsCase {
  const r = rng.int(100);
  if (r < 62) {
    const batch = junkBatch(rng, victims, LIMITS);
    const frame = JSON.stringify(batch.value);
    if (Buffer.byteLength(frame) > LIMITS.maxBodyBytes) return { kind: 'close', label: 'oversized batch', data: frame, binary: false, codes: [1009] };
    if (levels(batch.value) > LIMITS.maxJsonDepth) return { kind: 'refused', label: 'deep batch', frame };
    return { kind: 'batch', label: 'batch', frame, batch };
  }
  if (r < 78) {
    const text = junkText(rng, LIMITS);
    if (Buffer.byteLength(text.text) > LIMITS.maxBodyBytes) return { kind: 'close', label: text.label, data: text.text, binary: false, codes: [1009] };
    return { kind: 'refused', label: text.label, frame: text.text };
  }
  if (r < 84) {
    const json = JSON.stringify(junkBatch(rng, victims, LIMITS).value);
    const text = Buffer.byteLength(json) < LIMITS.maxBodyBytes - 8 ? json : '[{"channel":"/a","data":1}]';
    return { kind: 'close', label: 'invalid UTF-8 text frame', data: withInvalidUtf8(rng, text), binary: false, codes: [1007] };
  }
  if (r < 89) {
    return { kind: 'close', label: 'binary frame', data: Buffer.from(JSON.stringify([{ channel: '/meta/handshake' }])), binary: true, codes: [1003] };
  }
  if (r < 93) {
    return { kind: 'close', label: 'oversized frame', data: 'x'.repeat(LIMITS.maxBodyBytes + 1 + rng.int(32 * 1024)), binary: rng.chance(0.3), codes: [1009] };
  }
  if (r < 95) return { kind: 'origin', label: 'foreign origin', origin: rng.pick(['http://evil.example', 'null', 'garbage']) };
  const batches: JunkBatch[] = [];
  for (let i = 2 + rng.int(4); i > 0; i--) {
    const batch = junkBatch(rng, victims, LIMITS);
    if (batch.messages.length > 0 && Buffer.byteLength(JSON.stringify(batch.value)) <= LIMITS.maxBodyBytes && levels(batch.value) <= LIMITS.maxJsonDepth) batches.push(batch);
  }
  return { kind: 'burst', label: `burst of ${batches.length} frames`, batches };
}

// ---------------------------------------------------------------------------------------------
// Well-behaved clients

/** A long-polling client that keeps a connect outstanding all the time, subscribed to everything. */
class LongLivedClient {
  clientId = '';
  readonly received: Message[] = [];
  readonly problems: string[] = [];
  #stopped = false;
  #loop: Promise<void> | undefined;
  readonly #port: number;

  constructor(port: number) {
    this.#port = port;
  }

  async start(): Promise<void> {
    const [hs] = await postJson(this.#port, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
    assert.equal(hs!.successful, true);
    this.clientId = hs!.clientId!;
    const replies = await postJson(this.#port, [
      { channel: '/meta/connect', clientId: this.clientId, connectionType: 'long-polling', advice: { timeout: 0 } },
      { channel: '/meta/subscribe', clientId: this.clientId, subscription: '/**' },
    ]);
    assert.ok(replies.every((r) => r.successful), JSON.stringify(replies));
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        const answer = await postJson(this.#port, [{ channel: '/meta/connect', clientId: this.clientId, connectionType: 'long-polling' }]);
        for (const message of answer) {
          if (message.channel === '/meta/connect') {
            if (!message.successful && !this.#stopped) this.problems.push(`connect failed: ${JSON.stringify(message)}`);
          } else {
            this.received.push(message);
            if (!HARNESS_CHANNELS.test(message.channel)) this.problems.push(`junk reached a subscriber: ${JSON.stringify(message).slice(0, 200)}`);
          }
        }
      } catch (error) {
        if (!this.#stopped) this.problems.push(`connect request failed: ${String(error)}`);
        await sleep(50); // a client's backoff after a failed connect, not a wait in the test: no hot loop
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await postJson(this.#port, [{ channel: '/meta/disconnect', clientId: this.clientId }]);
    await within(this.#loop ?? Promise.resolve(), 'long-lived client loop', STEP_MS);
  }
}

/** Fresh sessions over long-polling: handshake, connect, subscribe, publish from another, receive, disconnect. */
async function goodPollingRound(port: number, round: string): Promise<void> {
  const handshake = { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] };
  const [a] = await postJson(port, [{ ...handshake, id: 'h' }]);
  const [b] = await postJson(port, [handshake]);
  assert.equal(a!.successful, true, JSON.stringify(a));
  assert.equal(a!.id, 'h');
  const channel = `/good/${round}`;
  const setup = await postJson(port, [
    { channel: '/meta/connect', clientId: a!.clientId, connectionType: 'long-polling', advice: { timeout: 0 } },
    { channel: '/meta/subscribe', clientId: a!.clientId, subscription: channel, id: 's' },
  ]);
  assert.ok(setup.every((r) => r.successful), JSON.stringify(setup));
  const [published] = await postJson(port, [{ channel, clientId: b!.clientId, data: { round }, id: 'p' }]);
  assert.deepEqual(published, { channel, id: 'p', successful: true });
  const delivery = await postJson(port, [{ channel: '/meta/connect', clientId: a!.clientId, connectionType: 'long-polling' }]);
  assert.deepEqual(delivery.filter((m) => m.channel === channel), [{ channel, data: { round } }]);
  for (const id of [a!.clientId, b!.clientId]) {
    const [bye] = await postJson(port, [{ channel: '/meta/disconnect', clientId: id }]);
    assert.equal(bye!.successful, true);
  }
}

/** A fresh session over WebSocket: handshake, connect, subscribe, publish to itself, receive, disconnect. */
async function goodWebSocketRound(url: string, round: string): Promise<void> {
  const socket = await RawSocket.open(url);
  const answers: Message[] = [];
  const take = async (predicate: (m: Message) => boolean, what: string): Promise<Message> => {
    for (;;) {
      const found = answers.find(predicate);
      if (found) return found;
      const frame = await socket.next();
      if (frame === undefined) throw new Error(`socket closed waiting for ${what}`);
      answers.push(...(frame as Message[]));
    }
  };
  try {
    socket.ws.send(JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'] }]));
    const hs = await take((m) => m.channel === '/meta/handshake', 'handshake');
    assert.equal(hs.successful, true);
    const channel = `/good/ws/${round}`;
    socket.ws.send(JSON.stringify([
      { channel: '/meta/connect', clientId: hs.clientId, connectionType: 'websocket' },
      { channel: '/meta/subscribe', clientId: hs.clientId, subscription: channel },
    ]));
    assert.equal((await take((m) => m.channel === '/meta/subscribe', 'subscribe')).successful, true);
    assert.equal((await take((m) => m.channel === '/meta/connect', 'connect')).successful, true);
    socket.ws.send(JSON.stringify([{ channel, clientId: hs.clientId, data: round }]));
    await take((m) => m.channel === channel && m.data === round, 'event');
    socket.ws.send(JSON.stringify([{ channel: '/meta/disconnect', clientId: hs.clientId }]));
    assert.equal((await take((m) => m.channel === '/meta/disconnect', 'disconnect')).successful, true);
  } finally {
    socket.ws.terminate();
  }
}

// ---------------------------------------------------------------------------------------------

describe('bad input against a real server', { timeout: 180_000 }, () => {
  let server: TestServer;
  let longLived: LongLivedClient;
  const serverErrors: Error[] = [];
  /** Live sessions whose clientIds junk borrows, kept alive by immediate connects. */
  let victims: string[] = [];
  let keepAlive: NodeJS.Timeout | undefined;
  let heartbeat = 0;
  let heapBaseline = 0;
  let wsUrl = '';
  /** Long-poll sockets that never read, left open while the junk runs. */
  const pausedSockets: net.Socket[] = [];

  async function checkpoint(label: string): Promise<void> {
    await goodPollingRound(server.port, `${label}-p`);
    await goodWebSocketRound(wsUrl, `${label}-w`);
    const n = ++heartbeat;
    server.bayeux.publish('/heartbeat', { n });
    await until(() => longLived.received.some((m) => m.channel === '/heartbeat' && (m.data as { n: number }).n === n), `heartbeat ${n} at ${label}`, STEP_MS);
    assert.deepEqual(longLived.problems, []);
  }

  function report(failures: string[]): void {
    assert.deepEqual(failures.slice(0, 15), [], `${failures.length} bad answers`);
  }

  before(async () => {
    server = await startBayeuxServer(SERVER_OPTIONS);
    server.bayeux.on('error', (error) => serverErrors.push(error));
    wsUrl = `ws://127.0.0.1:${server.port}/bayeux`;
    longLived = new LongLivedClient(server.port);
    await longLived.start();
    for (let i = 0; i < 4; i++) {
      const [hs] = await postJson(server.port, [{ channel: '/meta/handshake', version: '1.0' }]);
      victims.push(hs!.clientId!);
    }
    keepAlive = setInterval(() => {
      for (const clientId of victims) {
        postJson(server.port, [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', advice: { timeout: 0 } }]).catch(() => {});
      }
    }, 500);
    await checkpoint('warm-up');
    heapBaseline = heapAfterGc();
  });

  after(async () => {
    for (const socket of pausedSockets) socket.destroy();
    clearInterval(keepAlive);
    agent.destroy();
    await server?.close();
  });

  async function runHttp(make: (rng: Rng) => { label: string; spec: HttpSpec; expected: HttpExpectation }, seed: number, name: string): Promise<void> {
    const rng = mulberry32(seed);
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < CASES_PER_TRANSPORT) {
        const index = next++;
        const { label, spec, expected } = make(rng);
        try {
          const res = await httpRequest(server.port, spec);
          for (const problem of httpProblems(res, expected)) failures.push(`${name} #${index} (${label}): ${problem}`);
        } catch (error) {
          failures.push(`${name} #${index} (${label}): no answer: ${String(error)}`);
        }
        if ((index + 1) % CHECK_EVERY === 0) await checkpoint(`${name}-${index + 1}`);
      }
    };
    await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, worker));
    report(failures);
    await checkpoint(`${name}-done`);
  }

  test('long-poll clients that never read their responses hold at most the queue bound', async () => {
    const payload = 'p'.repeat(LIMITS.maxMessageBytes - 100);
    for (let i = 0; i < 4; i++) {
      const [hs] = await postJson(server.port, [{ channel: '/meta/handshake', version: '1.0' }]);
      const clientId = hs!.clientId!;
      await postJson(server.port, [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', advice: { timeout: 0 } }]);
      // A raw socket sends the next connect and never reads again (left open until the last test).
      const body = JSON.stringify([{ channel: '/meta/connect', clientId, connectionType: 'long-polling' }]);
      const socket = net.connect(server.port, '127.0.0.1');
      socket.on('error', () => {});
      pausedSockets.push(socket);
      await within(new Promise<void>((resolve) => socket.once('connect', () => resolve())), 'raw connect', STEP_MS);
      socket.pause();
      socket.write(`POST /bayeux HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      await until(() => server.bayeux.getSession(clientId)?.held !== undefined, 'the connect to be held', STEP_MS);
      // More than the queue holds, in one tick: the held connect takes the newest, the rest are dropped.
      for (let n = 0; n < MAX_QUEUE + 20; n++) assert.equal(server.bayeux.deliver(clientId, '/paused/in', { n, payload }), true);
      await until(() => server.bayeux.getSession(clientId)?.held === undefined, 'the held connect to be answered', STEP_MS);
      // Nobody reads that answer and no connect follows: further events wait in the bounded queue.
      for (let n = 0; n < MAX_QUEUE * 3; n++) server.bayeux.deliver(clientId, '/paused/in', { n, payload });
      const session = server.bayeux.getSession(clientId)!;
      assert.equal(session.queueLength, MAX_QUEUE);
      assert.equal(session.dropped, MAX_QUEUE * 2);
    }
    await checkpoint('paused');
  });

  test(`long-polling: ${CASES_PER_TRANSPORT} malformed requests get clean answers`, async () => {
    await runHttp((rng) => longPollingCase(rng, victims), 0x5eed01, 'long-polling');
  });

  test(`callback-polling: ${CASES_PER_TRANSPORT} malformed requests get clean answers`, async () => {
    await runHttp((rng) => callbackPollingCase(rng, victims), 0x5eed02, 'callback-polling');
  });

  test(`websocket: ${CASES_PER_TRANSPORT} malformed frames get clean answers or clean closes`, async () => {
    const rng = mulberry32(0x5eed03);
    const failures: string[] = [];
    let socket = await RawSocket.open(wsUrl);
    let probe = 0;
    const fresh = async () => {
      socket.ws.terminate();
      socket = await RawSocket.open(wsUrl);
    };
    for (let index = 0; index < CASES_PER_TRANSPORT; index++) {
      const c = webSocketCase(rng, victims);
      const fail = (problem: string) => failures.push(`websocket #${index} (${c.label}): ${problem}`);
      try {
        switch (c.kind) {
          case 'batch': {
            socket.ws.send(c.frame);
            if (c.batch.messages.length === 0) {
              // An empty batch has nothing to answer: the next frame's answer must be the next one we see.
              const id = `probe${++probe}`;
              socket.ws.send(JSON.stringify([{ channel: '/meta/probe', id }]));
              const answer = (await socket.next()) as Message[] | undefined;
              if (answer?.[0]?.id !== id) fail(`expected only the probe answer, got ${JSON.stringify(answer)?.slice(0, 200)}`);
            } else {
              for (const problem of replyProblems(await socket.next(), c.batch)) fail(problem);
            }
            break;
          }
          case 'refused':
            socket.ws.send(c.frame);
            for (const problem of frameRefusalProblems(await socket.next())) fail(problem);
            break;
          case 'burst': {
            for (const batch of c.batches) socket.ws.send(JSON.stringify(batch.value));
            for (const batch of c.batches) for (const problem of replyProblems(await socket.next(), batch)) fail(problem);
            break;
          }
          case 'close': {
            socket.ws.send(c.data, { binary: c.binary });
            const code = await socket.closed();
            if (!c.codes.includes(code)) fail(`closed with ${code}, expected ${c.codes.join('/')}`);
            if (socket.inbox.length > 0) fail(`answered before closing: ${JSON.stringify(socket.inbox).slice(0, 200)}`);
            await fresh();
            break;
          }
          case 'origin': {
            const refused = await RawSocket.open(wsUrl, { Origin: c.origin }).then(
              (s) => (s.ws.terminate(), undefined),
              (error: { status?: number }) => error.status,
            );
            if (refused !== 403) fail(`upgrade from a foreign origin answered ${String(refused)}`);
            break;
          }
        }
      } catch (error) {
        fail(String(error));
        await fresh();
      }
      if (socket.closeCode !== undefined && c.kind !== 'close') {
        fail(`socket closed unexpectedly with ${socket.closeCode}`);
        await fresh();
      }
      if ((index + 1) % CHECK_EVERY === 0) await checkpoint(`websocket-${index + 1}`);
    }
    socket.ws.terminate();
    report(failures);
    await checkpoint('websocket-done');
  });

  test('afterwards: clients still work, errors were only peer violations, junk sessions expire, the heap is bounded', async () => {
    await checkpoint('final');
    const peak = process.memoryUsage().heapUsed;
    assert.deepEqual(longLived.problems, []);
    const unexpected = serverErrors.filter((error) => !String((error as NodeJS.ErrnoException).code ?? '').startsWith('WS_ERR_'));
    assert.deepEqual(unexpected.map((e) => e.stack ?? String(e)).slice(0, 5), [], 'server errors other than WebSocket peer violations');

    for (const socket of pausedSockets) socket.destroy();
    clearInterval(keepAlive);
    for (const clientId of victims) await postJson(server.port, [{ channel: '/meta/disconnect', clientId }]);
    victims = [];
    await longLived.stop();
    const sessionsLeft = server.bayeux.sessionCount;
    await until(() => server.bayeux.sessionCount === 0, `all ${sessionsLeft} sessions to expire`, SERVER_OPTIONS.maxInterval * 3 + STEP_MS);

    agent.destroy();
    const growth = heapAfterGc() - heapBaseline;
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    assert.ok(growth < MAX_HEAP_GROWTH, `heap grew by ${mb(growth)} (peak before expiry ${mb(peak)}, baseline ${mb(heapBaseline)})`);
  });
});
