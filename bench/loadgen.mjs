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
const FAILED = Buffer.from('"successful":false');
const MAX_RETRIES = 3;

/** Every frame or body received: phone index, receipt time, raw bytes. */
const received = { phone: [], t: [], data: [] };
let counting = false;
let eventCount = 0;
let frameCount = 0;
const stats = { errors: 0, rehandshakes: 0, reconnects: 0, dropped: 0, lastError: '' };

function store(phone, t, data) {
  received.phone.push(phone);
  received.t.push(t);
  received.data.push(data);
  if (counting) {
    eventCount += countEvents(data);
    frameCount++;
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

  /** Retry a few times (re-handshaking); then give up: before ready it is a failed join, after it a dropped phone. */
  fail(error) {
    noteError(error);
    if (this.failed || this.dropped) return;
    if (++this.retries > MAX_RETRIES) {
      this.close();
      if (this.readyAt) {
        this.dropped = true;
        stats.dropped++;
      } else {
        this.failed = true;
        this.onSettled?.();
      }
      return;
    }
    stats.reconnects++;
    setTimeout(() => this.open(), 500 * this.retries).unref();
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

/** Bayeux over WebSocket: handshake, subscribe, then a connect always outstanding. */
class BayeuxWsPhone extends WebSocketPhone {
  open() {
    this.close();
    this.clientId = undefined;
    this.nextId = 0;
    this.openSocket(() => this.send([handshakeMessage('websocket', ++this.nextId)]), (data) => this.receive(data));
  }

  send(messages) {
    this.ws?.send(JSON.stringify(messages));
  }

  receive(data) {
    const t = now();
    store(this.index, t, data);
    if (data.indexOf(META) < 0) return;
    for (const message of JSON.parse(data.toString())) this.control(message, t);
  }

  control(message, t) {
    switch (message.channel) {
      case '/meta/handshake':
        if (!message.successful) return this.fail(new Error(`handshake: ${message.error}`));
        this.clientId = message.clientId;
        return this.send([{ channel: '/meta/subscribe', clientId: this.clientId, subscription: channel, id: String(++this.nextId) }]);
      case '/meta/subscribe':
        if (!message.successful) return this.fail(new Error(`subscribe: ${message.error}`));
        this.ready(t);
        return this.connect({ timeout: 0 });
      case '/meta/connect':
        if (!message.successful && message.advice?.reconnect === 'handshake') {
          stats.rehandshakes++;
          return this.send([handshakeMessage('websocket', ++this.nextId)]);
        }
        if (!message.successful) noteError(`connect: ${message.error}`);
        return this.connect();
    }
  }

  connect(advice) {
    const message = { channel: '/meta/connect', clientId: this.clientId, connectionType: 'websocket', id: String(++this.nextId) };
    if (advice) message.advice = advice;
    this.send([message]);
  }
}

/** Bayeux over long-polling: one keep-alive connection, requests in turn, BAYEUX_BROWSER cookie kept. */
class BayeuxLpPhone extends Phone {
  open() {
    this.close();
    this.conn = new HttpConnection(host, port);
    this.cookie = '';
    this.nextId = 0;
    this.post([handshakeMessage('long-polling', ++this.nextId)], (body, t) => {
      const reply = findReply(body, '/meta/handshake');
      if (!reply?.successful) return this.fail(new Error(`handshake: ${reply?.error ?? 'no reply'}`));
      this.clientId = reply.clientId;
      this.connectPrefix = `[{"channel":"/meta/connect","clientId":"${this.clientId}","connectionType":"long-polling","id":"c`;
      this.subscribe();
    });
  }

  subscribe() {
    this.post([{ channel: '/meta/subscribe', clientId: this.clientId, subscription: channel, id: String(++this.nextId) }], (body, t) => {
      const reply = findReply(body, '/meta/subscribe');
      if (!reply?.successful) return this.fail(new Error(`subscribe: ${reply?.error ?? 'no reply'}`));
      this.ready(t);
      this.connect(',"advice":{"timeout":0}');
    });
  }

  connect(advice = '') {
    this.postRaw(`${this.connectPrefix}${++this.nextId}"${advice}}]`, (body) => {
      if (body.indexOf(FAILED) >= 0) {
        const reply = findReply(body, '/meta/connect');
        if (reply && !reply.successful) {
          if (reply.advice?.reconnect === 'handshake') {
            stats.rehandshakes++;
            return this.open();
          }
          noteError(`connect: ${reply.error}`);
        }
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
    this.openSocket(() => this.ready(now()), (data) => store(this.index, now(), data));
  }
}

/**
 * The long-polling floor: a POST held until the next frame; `?last=` lets it catch up what came in
 * between. Joining is one round trip answered at once (`?last=-2`, the floor's "handshake").
 */
class FloorLpPhone extends Phone {
  open() {
    const conn = (this.conn = new HttpConnection(host, port));
    conn.request('/poll?last=-2', '', '', (error, response) => {
      if (conn !== this.conn) return;
      if (error) return this.fail(error);
      this.last = response.seq ?? 0;
      this.ready(now());
      this.poll();
    });
  }

  poll() {
    const conn = this.conn;
    conn.request(`/poll?last=${this.last}`, '', '', (error, response) => {
      const t = now();
      if (conn !== this.conn) return;
      if (error) {
        noteError(error);
        stats.reconnects++;
        return setTimeout(() => this.poll(), 200).unref();
      }
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
 * Parse everything received and account for the expected seqs: receipt times per seq (first
 * copy per phone), copies beyond the first, arrivals older than one already seen, and what is missing.
 * A seq a phone never got is superseded, not missing, when a newer state it got carries that
 * change's slide in its `history`: latest wins (our server folds a change a phone was not yet
 * sent into the newer one). It counts as received with that newer state. No other target folds.
 */
function report(expected) {
  const slideOf = new Map(expected.map((e) => [e.seq, e.slide]));
  const perPhone = phones.map(() => []);
  let unparsable = 0;
  for (let i = 0; i < received.data.length; i++) {
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
      if (seen.has(seq)) duplicates[seq]++;
      else {
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
  return { type: 'report', times, missing, superseded, duplicates, outOfOrder, wrongSlide, unparsable, examples, stats, frames: received.data.length };
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
      return send({ type: 'marked' });
    case 'count':
      return send({ type: 'count', count: eventCount, frames: frameCount, ...readiness() });
    case 'report':
      return send(report(command.expected));
    case 'close':
      for (const phone of phones) phone.close();
      return setTimeout(() => process.exit(0), 50);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'hello', pid: process.pid });
