// A load generator: many phones in one process, each speaking Bayeux itself (WebSocket with `ws`,
// long-polling over one raw keep-alive connection) or, against the floor servers, nothing but a
// socket (WebSocket) or a bare held POST (long-polling).
//
// Lean on purpose: a phone stamps the receipt time and keeps the raw bytes; parsing happens only in
// `report`, after the measurement. Control messages (meta replies) are parsed when they arrive, as
// a client must. Driven by the bench over IPC: join, mark, count, report, close.
import WebSocket from 'ws';
import { HttpConnection, RawWebSocket, countEvents, handshakeMessage, now } from './wire.mjs';

const options = JSON.parse(process.argv[2]);
const { mode, transport, host, port, path, phones: phoneCount, concurrency, channel, wsClient } = options;
/** Negotiate the ack extension as the pages do (lib/client/connection.ts registers cometd's AckExtension); `ack: false` only for like-for-like rows. */
const ack = options.ack !== false;

/** A WebSocket to the target: our raw client (default, leaner) or `ws`'s. handlers: open(), message(Buffer), close(). */
function openWebSocket(handlers) {
  if (wsClient !== 'ws') return new RawWebSocket(host, port, path, handlers);
  const ws = new WebSocket(`ws://${host}:${port}${path}`, { perMessageDeflate: false });
  ws.on('open', handlers.open);
  ws.on('message', handlers.message);
  ws.on('error', () => undefined);
  ws.on('close', handlers.close);
  return { send: (text) => ws.readyState === WebSocket.OPEN && ws.send(text), close: () => ws.terminate() };
}
const META = Buffer.from('"/meta/');
const CONNECT_REPLY = Buffer.from('"/meta/connect"');
const FAILED = Buffer.from('"successful":false');
const ACK_FIELD = Buffer.from('"ack":');
const MAX_RETRIES = 3;
/**
 * Coming back after a phone lost its server, as cometd's client does with the configuration of
 * lib/client/connection.ts: each failed attempt waits `backoffIncrement` longer than the one before
 * (1 s, 2 s, 3 s, ...) up to `maxBackoff`; success resets it. Bounded in attempts and in time.
 */
const BACKOFF_INCREMENT_MS = 1_000;
const MAX_BACKOFF_MS = 15_000;
const MAX_RECONNECTS = 40;
const RECONNECT_LIMIT_MS = 180_000;

/** Every frame or body received: phone index, receipt time, raw bytes. */
const received = { phone: [], t: [], data: [] };
let counting = false;
let eventCount = 0;
let frameCount = 0;
let byteCount = 0;
const stats = { errors: 0, rehandshakes: 0, reconnects: 0, dropped: 0, lastError: '', acking: 0 };

/**
 * The batch number a connect reply carries in `ext.ack`, read without parsing the frame: the last
 * `"ack":` followed by digits (slide states have no `ack` field; the handshake's is `true`).
 */
function batchOf(data) {
  const at = data.lastIndexOf(ACK_FIELD);
  if (at < 0) return undefined;
  let value = 0;
  let i = at + ACK_FIELD.length;
  const start = i;
  for (; i < data.length && data[i] >= 48 && data[i] <= 57; i++) value = value * 10 + (data[i] - 48);
  return i > start ? value : undefined;
}

/** A successful connect reply and nothing but events besides: the phone only needs its batch and to connect again. */
function isPlainConnectReply(data) {
  const first = data.indexOf(META);
  return first >= 0 && first === data.indexOf(CONNECT_REPLY) && data.indexOf(META, first + 1) < 0 && data.indexOf(FAILED) < 0;
}

/** What cometd's AckExtension reads from a handshake reply: `ext.ack: true` (old form) or `{enabled: true}`. */
function serverAcks(reply) {
  const field = reply?.ext?.ack;
  return field === true || (typeof field === 'object' && field?.enabled === true);
}

function store(phone, t, data) {
  received.phone.push(phone);
  received.t.push(t);
  received.data.push(data);
  if (counting) {
    eventCount += countEvents(data);
    frameCount++;
    byteCount += data.length;
  }
}

function noteError(error) {
  stats.errors++;
  stats.lastError = String(error?.message ?? error).slice(0, 200);
}

class Phone {
  constructor(index) {
    this.index = index;
    this.startedAt = 0;
    this.readyAt = 0;
    this.failed = false;
    this.dropped = false;
    this.retries = 0;
    this.onSettled = undefined;
    this.backoff = 0;
    this.attempts = 0;
    this.lostAt = 0;
    this.waiting = undefined;
  }

  start(onSettled) {
    this.onSettled = onSettled;
    this.startedAt = now();
    this.open();
  }

  ready(t) {
    if (this.readyAt) return;
    this.readyAt = t;
    this.onSettled?.();
  }

  /**
   * Before the phone joined: retry a few times (re-handshaking), then it is a failed join. After it:
   * the phone lost its server and comes back as cometd's client would (`lost`).
   */
  fail(error) {
    noteError(error);
    if (this.failed || this.dropped) return;
    if (this.readyAt) return this.lost();
    if (++this.retries > MAX_RETRIES) {
      this.close();
      this.failed = true;
      this.onSettled?.();
      return;
    }
    stats.reconnects++;
    setTimeout(() => this.open(), 500 * this.retries).unref();
  }

  /** Wait the next backoff, then `comeBack()`; a phone past the bounds is dropped. */
  lost() {
    if (this.dropped || this.waiting) return;
    this.lostAt ||= now();
    this.backoff = Math.min((this.backoff ?? 0) + BACKOFF_INCREMENT_MS, MAX_BACKOFF_MS);
    if (++this.attempts > MAX_RECONNECTS || now() - this.lostAt > RECONNECT_LIMIT_MS) {
      this.close();
      this.dropped = true;
      stats.dropped++;
      return;
    }
    stats.reconnects++;
    this.close();
    this.waiting = setTimeout(() => {
      this.waiting = undefined;
      this.comeBack();
    }, this.backoff);
    this.waiting.unref();
  }

  /** Back in touch with a server: the next loss starts the backoff again. */
  recovered() {
    this.backoff = 0;
    this.attempts = 0;
    this.lostAt = 0;
  }

  comeBack() {
    this.open();
  }
}

/** A phone on one WebSocket: a close it did not ask for is a failure. */
class WebSocketPhone extends Phone {
  openSocket(onOpen, onMessage) {
    const ws = (this.ws = openWebSocket({
      open: onOpen,
      message: onMessage,
      close: () => {
        if (this.ws === ws) this.fail(new Error('websocket closed'));
      },
    }));
  }

  close() {
    const ws = this.ws;
    this.ws = undefined;
    ws?.close();
  }
}

/**
 * Bayeux over WebSocket: handshake, subscribe, then a connect always outstanding. With ack (the
 * pages' path) each connect echoes the last batch received; events come pushed or in connect
 * replies, as the server chooses (ours pushes them; CometD's servers wait for a connect).
 */
class BayeuxWsPhone extends WebSocketPhone {
  open() {
    this.close();
    this.clientId = undefined;
    this.nextId = 0;
    this.openSocket(() => this.handshake(), (data) => this.receive(data));
  }

  /** After a loss, cometd retries the connect with the session it had; the server says whether it still exists. */
  comeBack() {
    if (!this.clientId) return this.open();
    this.close();
    this.openSocket(() => this.connect(), (data) => this.receive(data));
  }

  handshake() {
    this.acking = false;
    this.batch = 0;
    this.send([handshakeMessage('websocket', ++this.nextId, ack ? { ack: true } : undefined)]);
  }

  send(messages) {
    this.ws?.send(JSON.stringify(messages));
  }

  receive(data) {
    const t = now();
    store(this.index, t, data);
    if (data.indexOf(META) < 0) return;
    if (this.acking && isPlainConnectReply(data)) {
      this.batch = batchOf(data) ?? this.batch;
      this.recovered();
      return this.connect();
    }
    for (const message of JSON.parse(data.toString())) this.control(message, t);
  }

  control(message, t) {
    switch (message.channel) {
      case '/meta/handshake':
        if (!message.successful) return this.fail(new Error(`handshake: ${message.error}`));
        this.clientId = message.clientId;
        this.acking = ack && serverAcks(message);
        if (this.acking && !this.readyAt) stats.acking++;
        return this.send([{ channel: '/meta/subscribe', clientId: this.clientId, subscription: channel, id: String(++this.nextId) }]);
      case '/meta/subscribe':
        if (!message.successful) return this.fail(new Error(`subscribe: ${message.error}`));
        this.ready(t);
        this.recovered();
        return this.connect({ timeout: 0 });
      case '/meta/connect':
        if (!message.successful && message.advice?.reconnect === 'handshake') {
          stats.rehandshakes++;
          this.clientId = undefined;
          return this.handshake();
        }
        if (!message.successful) noteError(`connect: ${message.error}`);
        else if (this.acking && typeof message.ext?.ack === 'number') this.batch = message.ext.ack;
        return this.connect();
    }
  }

  connect(advice) {
    const message = { channel: '/meta/connect', clientId: this.clientId, connectionType: 'websocket', id: String(++this.nextId) };
    if (advice) message.advice = advice;
    if (this.acking) message.ext = { ack: this.batch };
    this.send([message]);
  }
}

/**
 * Bayeux over long-polling: one keep-alive connection, requests in turn, BAYEUX_BROWSER cookie
 * kept. With ack, each connect echoes the batch of the last connect reply.
 */
class BayeuxLpPhone extends Phone {
  open() {
    this.close();
    this.conn = new HttpConnection(host, port);
    this.cookie ??= '';
    this.nextId = 0;
    this.acking = false;
    this.batch = 0;
    this.clientId = undefined;
    this.post([handshakeMessage('long-polling', ++this.nextId, ack ? { ack: true } : undefined)], (body) => {
      const reply = findReply(body, '/meta/handshake');
      if (!reply?.successful) return this.fail(new Error(`handshake: ${reply?.error ?? 'no reply'}`));
      this.clientId = reply.clientId;
      this.acking = ack && serverAcks(reply);
      if (this.acking && !this.readyAt) stats.acking++;
      this.connectPrefix = `[{"channel":"/meta/connect","clientId":"${this.clientId}","connectionType":"long-polling","id":"c`;
      this.subscribe();
    });
  }

  /** After a loss, cometd retries the connect with the session it had; the server says whether it still exists. */
  comeBack() {
    if (!this.clientId) return this.open();
    this.close();
    this.conn = new HttpConnection(host, port);
    this.connect();
  }

  subscribe() {
    this.post([{ channel: '/meta/subscribe', clientId: this.clientId, subscription: channel, id: String(++this.nextId) }], (body, t) => {
      const reply = findReply(body, '/meta/subscribe');
      if (!reply?.successful) return this.fail(new Error(`subscribe: ${reply?.error ?? 'no reply'}`));
      this.ready(t);
      this.recovered();
      this.connect(',"advice":{"timeout":0}');
    });
  }

  connect(advice = '') {
    const ext = this.acking ? `,"ext":{"ack":${this.batch}}` : '';
    this.postRaw(`${this.connectPrefix}${++this.nextId}"${advice}${ext}}]`, (body) => {
      if (body.indexOf(FAILED) >= 0) {
        const reply = findReply(body, '/meta/connect');
        if (reply && !reply.successful) {
          if (reply.advice?.reconnect === 'handshake') {
            stats.rehandshakes++;
            return this.open();
          }
          noteError(`connect: ${reply.error}`);
        }
      } else {
        if (this.acking) this.batch = batchOf(body) ?? this.batch;
        this.recovered();
      }
      this.connect();
    });
  }

  close() {
    this.conn?.close();
  }

  post(messages, onBody) {
    this.postRaw(JSON.stringify(messages), onBody);
  }

  postRaw(json, onBody) {
    const conn = this.conn;
    conn.request(path, json, this.cookie ? `Cookie: ${this.cookie}\r\n` : '', (error, response) => {
      if (conn !== this.conn) return;
      const t = now();
      if (error) return this.fail(error);
      if (response.setCookie) this.cookie = response.setCookie;
      store(this.index, t, response.body);
      if (response.status !== 200) return this.fail(new Error(`HTTP ${response.status}`));
      onBody(response.body, t);
    });
  }
}

/** The WebSocket floor: an open socket is all a phone is. */
class FloorWsPhone extends WebSocketPhone {
  open() {
    this.openSocket(
      () => {
        this.ready(now());
        this.recovered();
      },
      (data) => store(this.index, now(), data),
    );
  }
}

/**
 * The long-polling floor: a POST held until the next frame; `?last=` lets it catch up what came in
 * between. Joining is one round trip answered at once (`?last=-2`, the floor's "handshake"), with
 * the last frame published if there is one (the floor's replay). A lost server is joined again
 * with the same backoff as the Bayeux phones.
 */
class FloorLpPhone extends Phone {
  open() {
    const conn = (this.conn = new HttpConnection(host, port));
    conn.request('/poll?last=-2', '', '', (error, response) => {
      const t = now();
      if (conn !== this.conn) return;
      if (error) return this.fail(error);
      store(this.index, t, response.body);
      this.last = response.seq ?? 0;
      this.ready(t);
      this.recovered();
      this.poll();
    });
  }

  poll() {
    const conn = this.conn;
    conn.request(`/poll?last=${this.last}`, '', '', (error, response) => {
      const t = now();
      if (conn !== this.conn) return;
      if (error) return this.fail(error);
      store(this.index, t, response.body);
      if (response.seq !== undefined) this.last = response.seq;
      this.poll();
    });
  }

  close() {
    const conn = this.conn;
    this.conn = undefined;
    conn?.close();
  }
}

function findReply(body, metaChannel) {
  try {
    const messages = JSON.parse(body.toString());
    return (Array.isArray(messages) ? messages : [messages]).find((m) => m?.channel === metaChannel);
  } catch {
    return undefined;
  }
}

const PhoneClass = mode === 'floor' ? (transport === 'websocket' ? FloorWsPhone : FloorLpPhone) : transport === 'websocket' ? BayeuxWsPhone : BayeuxLpPhone;
const phones = Array.from({ length: phoneCount }, (_, i) => new PhoneClass(i));

/** Start every phone, at most `concurrency` setting up at once (a burst, as when the QR code goes up). */
function join() {
  const joinedAt = now();
  let next = 0;
  let settled = 0;
  const progress = setInterval(() => send({ type: 'progress', ...readiness() }), 250);
  const startNext = () => {
    if (next >= phones.length) return;
    phones[next++].start(() => {
      settled++;
      if (settled === phones.length) {
        clearInterval(progress);
        send({ type: 'joined', joinedAt, ...readiness(), setup: setupTimes() });
      } else setImmediate(startNext);
    });
  };
  for (let i = 0; i < Math.min(concurrency, phones.length); i++) startNext();
}

function readiness() {
  let ready = 0;
  let failed = 0;
  for (const phone of phones) {
    if (phone.failed) failed++;
    else if (phone.readyAt) ready++;
  }
  return { ready, failed, ...stats };
}

function setupTimes() {
  const ok = phones.filter((p) => p.readyAt && !p.failed);
  return {
    firstStart: Math.min(...phones.map((p) => p.startedAt)),
    lastReady: ok.length ? Math.max(...ok.map((p) => p.readyAt)) : 0,
    durations: ok.map((p) => Math.round((p.readyAt - p.startedAt) * 1000) / 1000),
  };
}

/**
 * Parse everything received (since `since`, on the bench clock) and account for the expected seqs:
 * receipt times per seq (first copy per phone), copies beyond the first, arrivals older than one
 * already seen, and what is missing.
 * A seq a phone never got is superseded, not missing, when a newer state it got carries that
 * change's slide in its `history`: latest wins (our server folds a change a phone was not yet
 * sent into the newer one). It counts as received with that newer state. No other target folds.
 * With ack, the server sends a batch again until a connect acknowledges it; cometd's client hands
 * such a copy to the page like any message, and the page's store drops it (its seq is not newer
 * than the state it has): such a copy is counted as resent, not as a duplicate delivery, and not
 * as reordered. Without ack a second copy is a duplicate.
 */
function report(expected, since) {
  const slideOf = new Map(expected.map((e) => [e.seq, e.slide]));
  const perPhone = phones.map(() => []);
  let unparsable = 0;
  for (let i = 0; i < received.data.length; i++) {
    if (received.t[i] < since) continue;
    let messages;
    try {
      messages = JSON.parse(received.data[i].toString());
    } catch {
      unparsable++;
      continue;
    }
    for (const message of Array.isArray(messages) ? messages : [messages]) {
      const seq = message?.data?.seq;
      if (message?.channel !== '/slideshow/change' || typeof seq !== 'number') continue;
      const history = Array.isArray(message.data.history) ? message.data.history.map((shown) => shown?.slide) : undefined;
      perPhone[received.phone[i]].push([seq, received.t[i], message.data.slide, history]);
    }
  }
  const zeros = () => Object.fromEntries(expected.map((e) => [e.seq, 0]));
  const times = Object.fromEntries(expected.map((e) => [e.seq, []]));
  const missing = zeros();
  const superseded = zeros();
  const duplicates = zeros();
  const resent = zeros();
  const outOfOrder = zeros();
  const wrongSlide = zeros();
  const examples = [];
  const at = (t) => Math.round(t * 1000) / 1000;
  phones.forEach((phone, index) => {
    if (phone.failed || !phone.readyAt) return;
    const seen = new Set();
    let highest = -Infinity;
    for (const [seq, t, slide] of perPhone[index]) {
      if (!slideOf.has(seq)) continue;
      if (seen.has(seq)) {
        if (phone.acking) resent[seq]++;
        else duplicates[seq]++;
        if (phone.acking) continue;
      } else {
        seen.add(seq);
        times[seq].push(at(t));
      }
      if (seq < highest) outOfOrder[seq]++;
      highest = Math.max(highest, seq);
      if (slide !== slideOf.get(seq)) wrongSlide[seq]++;
    }
    for (const { seq, slide } of expected) {
      if (seen.has(seq)) continue;
      const newer = perPhone[index].find(([later, , , history]) => later > seq && history?.includes(slide));
      if (newer) {
        superseded[seq]++;
        times[seq].push(at(newer[1]));
        continue;
      }
      missing[seq]++;
      if (examples.length < 10) examples.push({ phone: `${options.label}#${index}`, seq });
    }
  });
  return { type: 'report', times, missing, superseded, duplicates, resent, outOfOrder, wrongSlide, unparsable, examples, stats, frames: received.data.length };
}

/**
 * Per phone, when it first had the state `seq` (slide `slide`) or a newer one, counting only what
 * arrived since `since`: the join-mid-talk and reconnect-storm cases ("back on the current slide").
 * `fromStart`: that time minus the phone's own start. `sample`: one such state, as sent (its bytes
 * are what a peer must replay to be compared fairly).
 */
function catchUp({ seq: wanted, slide: wantedSlide, since }) {
  const first = new Map();
  let sample;
  for (let i = 0; i < received.data.length; i++) {
    const t = received.t[i];
    const phone = received.phone[i];
    if (t < since || first.has(phone)) continue;
    let messages;
    try {
      messages = JSON.parse(received.data[i].toString());
    } catch {
      continue;
    }
    for (const message of Array.isArray(messages) ? messages : [messages]) {
      const data = message?.channel === '/slideshow/change' ? message.data : undefined;
      if (typeof data?.seq !== 'number' || data.seq < wanted || (data.seq === wanted && data.slide !== wantedSlide)) continue;
      first.set(phone, t);
      sample ??= data;
      break;
    }
  }
  const times = [];
  const fromStart = [];
  let missing = 0;
  phones.forEach((phone, index) => {
    if (phone.failed || !phone.readyAt) return;
    const t = first.get(index);
    if (t === undefined) return void missing++;
    times.push(Math.round(t * 1000) / 1000);
    fromStart.push(Math.round((t - phone.startedAt) * 1000) / 1000);
  });
  return { type: 'caughtUp', times, fromStart, missing, sample, ...readiness() };
}

function send(message) {
  process.send?.(message);
}

process.on('message', (command) => {
  switch (command.type) {
    case 'join':
      return join();
    case 'mark':
      counting = true;
      eventCount = 0;
      frameCount = 0;
      byteCount = 0;
      return send({ type: 'marked' });
    case 'count':
      return send({ type: 'count', count: eventCount, frames: frameCount, bytes: byteCount, ...readiness() });
    case 'report':
      return send(report(command.expected, command.since ?? -Infinity));
    case 'catchUp':
      return send(catchUp(command));
    case 'close':
      for (const phone of phones) phone.close();
      return setTimeout(() => process.exit(0), 50);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'hello', pid: process.pid });
