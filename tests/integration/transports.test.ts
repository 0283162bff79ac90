/**
 * Transport behaviour against a real server: the multiple-clients advice for tabs of one browser,
 * CORS and Origin checks, JSON-P framing, WebSocket keep-alive and back-pressure.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { type TestServer, useBayeuxServer } from '../helpers/bayeux-server';
import { RawBayeux } from '../helpers/raw-bayeux';
import { Outgoing } from '../../server/bayeux/outgoing';

import { sleep, until } from '../../support/wait';

describe('long-polling', () => {
  const server = useBayeuxServer({ timeout: 3000, allowedOrigins: ['http://allowed.example'] });

  test('sets an HttpOnly browser cookie on the first response', async () => {
    const client = new RawBayeux(server.endpoint);
    const response = await client.send([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
    assert.match(response.headers.get('set-cookie') ?? '', /^BAYEUX_BROWSER=[0-9a-f]{32}; Path=\/; HttpOnly/);
  });

  test('a second tab of the same browser gets multiple-clients advice instead of a second held poll', async () => {
    const first = new RawBayeux(server.endpoint);
    await first.handshake();
    await first.connect();
    const second = new RawBayeux(server.endpoint).sameBrowserAs(first);
    await second.handshake();
    await second.connect();
    const held = first.connect();
    await until(() => server.bayeux.getSession(first.clientId)?.held !== undefined, "the first tab's connect held by the server");
    const started = Date.now();
    const { messages } = await second.connect();
    const reply = messages.find((m) => m.channel === '/meta/connect');
    assert.equal(reply.successful, true);
    assert.equal(reply.advice['multiple-clients'], true);
    assert.ok(reply.advice.interval > 0, 'the other tab is told to poll with a pause');
    assert.ok(Date.now() - started < 1500, 'answered at once, not held');
    await first.publish('/unused', 1);
    await first.disconnect();
    await held;
    await second.disconnect();
  });

  test('a held connect is released by a publish, with every queued message in one response', async () => {
    const subscriber = new RawBayeux(server.endpoint);
    const publisher = new RawBayeux(server.endpoint);
    await subscriber.handshake();
    await publisher.handshake();
    await subscriber.connect();
    assert.equal((await subscriber.subscribe('/news')).successful, true);
    const held = subscriber.connect();
    await until(() => server.bayeux.getSession(subscriber.clientId)?.held !== undefined, "the subscriber's connect held by the server");
    await Promise.all([publisher.publish('/news', 1), publisher.publish('/news', 2), publisher.publish('/news', 3)]);
    const { messages } = await held;
    const events = messages.filter((m) => m.channel === '/news');
    assert.ok(events.length >= 1);
    const later = events.length < 3 ? (await subscriber.connect()).messages.filter((m) => m.channel === '/news') : [];
    assert.deepEqual([...events, ...later].map((m) => m.data).sort(), [1, 2, 3]);
    await subscriber.disconnect();
    await publisher.disconnect();
  });

  test('answers CORS preflights for allowed origins and refuses foreign ones', async () => {
    const allowed = await fetch(server.endpoint, { method: 'OPTIONS', headers: { origin: 'http://allowed.example', 'access-control-request-method': 'POST' } });
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://allowed.example');
    assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
    const foreign = await fetch(server.endpoint, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(foreign.status, 403);
    const post = await new RawBayeux(server.endpoint, { origin: 'http://evil.example' }).send([{ channel: '/meta/handshake', version: '1.0' }]);
    assert.equal(post.status, 403);
    const ok = await new RawBayeux(server.endpoint, { origin: 'http://allowed.example' }).send([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'http://allowed.example');
  });

  test('same-origin requests need no CORS configuration', async () => {
    const reply = await new RawBayeux(server.endpoint, { origin: server.url }).send([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
    assert.equal(reply.status, 200);
    assert.equal(reply.messages[0].successful, true);
  });
});

describe('callback-polling', () => {
  const server = useBayeuxServer({ timeout: 2000 });

  const get = async (query: Record<string, string>) => {
    const response = await fetch(`${server.endpoint}?${new URLSearchParams(query)}`);
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  };

  test('wraps replies in the named callback as text/javascript', async () => {
    const message = JSON.stringify([{ channel: '/meta/handshake', version: '1.0', id: '1' }]);
    const { status, type, body } = await get({ message, jsonp: 'dojo.io.script.jsonp_dojoIoScript1._jsonpCallback' });
    assert.equal(status, 200);
    assert.match(type ?? '', /^text\/javascript/);
    const match = /^\/\*\*\/dojo\.io\.script\.jsonp_dojoIoScript1\._jsonpCallback\((.*)\);$/s.exec(body);
    assert.ok(match, body);
    const [reply] = JSON.parse(match[1]!);
    assert.equal(reply.successful, true, 'a handshake without supportedConnectionTypes is taken as callback-polling');
    assert.ok(reply.supportedConnectionTypes.includes('callback-polling'));
  });

  test('defaults the callback to jsonpcallback and refuses unsafe names', async () => {
    const message = JSON.stringify([{ channel: '/meta/handshake', version: '1.0' }]);
    assert.match((await get({ message })).body, /^\/\*\*\/jsonpcallback\(/);
    for (const jsonp of ['alert(1)//', 'a b', '1abc', 'x'.repeat(65), 'a..b']) {
      assert.equal((await get({ message, jsonp })).status, 400, jsonp);
    }
  });
});

function wsUrl(server: TestServer): string {
  return `${server.endpoint.replace('http', 'ws')}`;
}

function openSocket(url: string, options: WebSocket.ClientOptions = {}, protocols?: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function nextMessages(ws: WebSocket): Promise<any[]> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
}

describe('websocket', () => {
  const server = useBayeuxServer({ timeout: 3000, wsPingInterval: 1000, maxQueue: 50, wsMaxBufferedBytes: 64 * 1024, allowedOrigins: ['http://allowed.example'] });

  test('accepts the cometd subprotocol or none', async () => {
    const withProtocol = await openSocket(wsUrl(server), {}, ['cometd']);
    assert.equal(withProtocol.protocol, 'cometd');
    withProtocol.close();
    const without = await openSocket(wsUrl(server));
    assert.equal(without.protocol, '');
    without.close();
  });

  test('refuses upgrades from foreign origins and accepts listed and same origins', async () => {
    await assert.rejects(openSocket(wsUrl(server), { origin: 'http://evil.example' }), /HTTP 403/);
    (await openSocket(wsUrl(server), { origin: 'http://allowed.example' })).close();
    (await openSocket(wsUrl(server), { origin: server.url })).close();
  });

  test('drops a peer that stops answering pings within two ping periods', async () => {
    // A raw TCP client completes the upgrade and then never answers a ping: a phone that vanished.
    const socket = net.connect(server.port, '127.0.0.1');
    socket.resume(); // read (and ignore) the 101 and the pings, never answer them
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(['GET /bayeux HTTP/1.1', `Host: 127.0.0.1:${server.port}`, 'Upgrade: websocket', 'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', ''].join('\r\n'));
    const started = Date.now();
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 5000, `closed after ${elapsed} ms`);
  });

  test('a subscriber that stops reading cannot make the server hold unbounded memory', async () => {
    const slow = await openSocket(wsUrl(server));
    slow.send(JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], id: '1' }]));
    const [hs] = await nextMessages(slow);
    slow.send(JSON.stringify([{ channel: '/meta/subscribe', clientId: hs.clientId, subscription: '/flood', id: '2' }]));
    await nextMessages(slow);
    (slow as unknown as { _socket: net.Socket })._socket.pause();
    const session = server.bayeux.getSession(hs.clientId)!;
    const payload = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 2000; i++) server.bayeux.publish('/flood', { i, payload });
    assert.ok(session.queueLength <= 50, `queue bounded, got ${session.queueLength}`);
    assert.ok(session.dropped > 0, 'oldest messages were dropped');
    slow.terminate();
  });

  test('several sessions on one socket each get their events, and all lose the socket when it closes', async () => {
    const ws = await openSocket(wsUrl(server));
    const handshake = async (id: string) => {
      ws.send(JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], id }]));
      const [reply] = await nextMessages(ws);
      ws.send(JSON.stringify([{ channel: '/meta/subscribe', clientId: reply.clientId, subscription: '/shared', id: `${id}s` }]));
      await nextMessages(ws);
      return server.bayeux.getSession(reply.clientId)!;
    };
    const [first, second, third] = [await handshake('1'), await handshake('2'), await handshake('3')];
    const received: any[] = [];
    ws.on('message', (data) => received.push(...JSON.parse(String(data))));
    server.bayeux.publish('/shared', { n: 1 });
    await until(() => received.length === 3, 'one event per session');
    assert.deepEqual(received.map((m) => m.data), [{ n: 1 }, { n: 1 }, { n: 1 }]);
    // A re-handshake on the same socket after the first session is gone takes its place.
    server.bayeux.disconnect(first.id);
    const fourth = await handshake('4');
    for (const session of [second, third, fourth]) assert.notEqual(session.sink, undefined, 'bound to the socket');
    ws.close();
    await until(() => [second, third, fourth].every((session) => session.sink === undefined), 'every session unbound on close');
  });

  test("acked phones are pushed the event's one shared frame; a phone whose socket died gets it again from the shared bytes", async () => {
    const phones = await Promise.all([1, 2, 3, 4, 5].map(() => ackedPhone(server, '/acked')));
    const spy = spyOnEncoding('/acked');
    let pushed: string[];
    let resent: { frame: string; batch: number };
    try {
      server.bayeux.publish('/acked', { n: 1, text: 'Café 🎉' });
      pushed = await Promise.all(phones.map((phone) => phone.nextFrame()));
      // One phone's socket dies before its next connect reply: on a new socket it acknowledges the
      // batch before, and is sent the event again, in the reply, from the same shared bytes.
      const lost = phones[0]!;
      lost.ws.terminate();
      await until(() => server.bayeux.getSession(lost.clientId)?.sink === undefined, 'the server to see the socket go');
      const again = await reconnectedPhone(server, lost.clientId, lost.batches.at(-1)!);
      resent = await again.nextReply();
      again.ws.close();
    } finally {
      spy.restore();
    }
    const json = JSON.stringify({ channel: '/acked', data: { n: 1, text: 'Café 🎉' } });
    for (const frame of pushed) assert.equal(frame, `[${json}]`, 'pushed at once as the event alone');
    assert.ok(resent.frame.startsWith(`[${json},{`), `the event's exact bytes, then the connect reply: ${resent.frame}`);
    assert.equal(typeof resent.batch, 'number', 'the reply is numbered');
    assert.equal(spy.stringified, 1, 'the event is serialised once, not once per phone');
    assert.equal(spy.wsSends, 0, "nothing carrying it goes through ws's Sender as a string");
    assert.ok(spy.bytes.length >= 1 && spy.bytes.every((bytes) => bytes === spy.bytes[0]), 'the reply copied the shared bytes');
    for (const phone of phones.slice(1)) phone.ws.close();
  });

  test('a binary frame closes the socket with 1003 and the server goes on', async () => {
    const ws = await openSocket(wsUrl(server));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal(await closed, 1003);
    const good = await openSocket(wsUrl(server));
    good.send(JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], id: '1' }]));
    const [reply] = await nextMessages(good);
    assert.equal(reply.successful, true);
    good.close();
  });
});

/** A raw WebSocket phone that negotiates ack as the CometD client's AckExtension does, with its connect held. */
async function ackedPhone(server: TestServer, channel: string) {
  const ws = await openSocket(wsUrl(server));
  let id = 0;
  const send = (message: object) => ws.send(JSON.stringify([{ ...message, id: String(++id) }]));
  send({ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], ext: { ack: true } });
  const [hs] = await nextMessages(ws);
  assert.equal(hs.ext?.ack, true);
  send({ channel: '/meta/subscribe', clientId: hs.clientId, subscription: channel, ext: {} });
  await nextMessages(ws);
  const batches: number[] = [];
  const connect = (ack: number, extra: object = {}) => send({ channel: '/meta/connect', clientId: hs.clientId, connectionType: 'websocket', ext: { ack }, ...extra });
  const nextReply = async () => {
    const data = await new Promise<string>((resolve) => ws.once('message', (raw) => resolve(String(raw))));
    const batch = JSON.parse(data).find((m: { channel: string }) => m.channel === '/meta/connect')?.ext?.ack;
    batches.push(batch);
    return { frame: data, batch };
  };
  const nextFrame = () => new Promise<string>((resolve) => ws.once('message', (raw) => resolve(String(raw))));
  connect(0, { advice: { timeout: 0 } });
  await nextReply();
  connect(batches.at(-1)!);
  await until(() => server.bayeux.getSession(hs.clientId)?.held !== undefined, 'the connect held');
  return { ws, clientId: hs.clientId as string, batches, connect, nextReply, nextFrame };
}

/** Count, while installed, serialisations of events on `channel`, ws sends carrying them, and the shared bytes handed out. */
/** The same session on a new socket, as a client reconnects after its socket died: it connects with its last batch. */
async function reconnectedPhone(server: TestServer, clientId: string, lastBatch: number) {
  const ws = await openSocket(wsUrl(server));
  ws.send(JSON.stringify([{ channel: '/meta/connect', clientId, connectionType: 'websocket', ext: { ack: lastBatch }, id: 'again' }]));
  const nextReply = async () => {
    const data = await new Promise<string>((resolve) => ws.once('message', (raw) => resolve(String(raw))));
    return { frame: data, batch: JSON.parse(data).find((m: { channel: string }) => m.channel === '/meta/connect')?.ext?.ack as number };
  };
  return { ws, nextReply };
}

function spyOnEncoding(channel: string) {
  const spy = { stringified: 0, wsSends: 0, bytes: [] as Buffer[], restore: () => {} };
  const stringify = JSON.stringify;
  const send = WebSocket.prototype.send;
  const bytes = Object.getOwnPropertyDescriptor(Outgoing.prototype, 'bytes')!;
  JSON.stringify = function (this: unknown, value: unknown, ...rest: unknown[]) {
    if ((value as { channel?: unknown } | null)?.channel === channel) spy.stringified++;
    return (stringify as (...args: unknown[]) => string)(value, ...rest);
  } as typeof JSON.stringify;
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    if (String(data).includes(`"${channel}"`)) spy.wsSends++;
    return (send as (...args: unknown[]) => void).call(this, data, ...rest);
  } as typeof send;
  Object.defineProperty(Outgoing.prototype, 'bytes', {
    configurable: true,
    get(this: Outgoing) {
      const shared = bytes.get!.call(this) as Buffer;
      if (this.message.channel === channel) spy.bytes.push(shared);
      return shared;
    },
  });
  spy.restore = () => {
    JSON.stringify = stringify;
    WebSocket.prototype.send = send;
    Object.defineProperty(Outgoing.prototype, 'bytes', bytes);
  };
  return spy;
}
