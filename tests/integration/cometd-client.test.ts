/**
 * Our Bayeux server against the official CometD JavaScript client (`cometd` 9 with the
 * `cometd-nodejs-client` adapter, which shims XMLHttpRequest and WebSocket in Node). The same
 * scenarios run over long-polling only and over WebSocket only (the other transports are
 * unregistered, so a broken transport fails instead of silently falling back). The ack and
 * timesync extensions are checked with the client's own extensions and with raw HTTP requests.
 */
import type { Message as BayeuxMessage } from '../../lib/bayeux/index';
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CometD, AckExtension, TimeSyncExtension, type Message as CometDMessage, type SubscriptionHandle } from 'cometd';
import { sessionRemoved, startBayeuxServer, type TestServer, useBayeuxServer } from '../helpers/bayeux-server';
import type { CreateBayeuxServerOptions } from '../../server/bayeux/index';
import { ackStateOf } from '../../server/bayeux/ext/ack';
import { disconnect, disconnectAll, handshake, newClient, publish, subscribe, type Mode } from '../helpers/cometd-client';
import { sleep, until, within } from '../../support/wait';

const MODES: readonly Mode[] = ['long-polling', 'websocket'];

/** Bound on every single awaited step; generous, for a loaded 2-core machine. */
const STEP_MS = 10_000;
/** Bound on a whole test. */
const TEST_MS = 30_000;

/**
 * Short hold so tests never wait for a 25 s poll. Every CometD instance in this process shares the
 * adapter's one cookie jar, i.e. they are tabs of one browser; the per-browser long-poll limit
 * (`multiple-clients` advice) would turn all but one of them into 2 s pollers, so it is raised here
 * and exercised on its own in the last long-polling test.
 */
const SERVER_OPTIONS: CreateBayeuxServerOptions = { timeout: 2_000, maxSessionsPerBrowser: 32 };

// ---------------------------------------------------------------------------------------------
// The CometD client, promisified

/** Methods of the client's TimeSyncExtension that its bundled typings leave out. */
interface TimeSyncApi {
  getNetworkLag(): number;
  getTimeOffset(): number;
  getServerTime(): number;
}

interface TimesyncReply {
  tc: number;
  ts: number;
  p: number;
  a?: number;
}

function extOf(message: CometDMessage): Record<string, unknown> | undefined {
  return message.ext as Record<string, unknown> | undefined;
}

/** A handshaken client whose first /meta/connect was answered (the session is fully established). */
async function connectedClient(endpoint: string, mode: Mode, prepare?: (cometd: CometD) => void): Promise<{ cometd: CometD; clientId: string; handshakeReply: CometDMessage }> {
  const cometd = newClient(endpoint, mode);
  prepare?.(cometd);
  let connected = false;
  cometd.addListener('/meta/connect', (message) => {
    if (message.successful) connected = true;
  });
  const handshakeReply = await handshake(cometd);
  await until(() => connected, 'the first successful /meta/connect');
  assert.equal(cometd.getTransport()?.type, mode);
  const clientId = cometd.getClientId();
  assert.ok(clientId);
  return { cometd, clientId, handshakeReply };
}


/** Our server on a chosen port: for a restart on the same address. */
function startOnPort(port: number, options: CreateBayeuxServerOptions): Promise<TestServer> {
  return startBayeuxServer(options, [], port);
}

// ---------------------------------------------------------------------------------------------
// A minimal raw Bayeux client over HTTP, for what the CometD client hides (ack batch numbers)

type RawMessage = BayeuxMessage;

let rawIds = 0;

async function post(endpoint: string, messages: object[]): Promise<RawMessage[]> {
  const response = await within(
    fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(messages) }),
    'a raw HTTP reply',
  );
  assert.equal(response.status, 200, 'raw Bayeux request answered with HTTP 200');
  const body = (await response.json()) as unknown;
  assert.ok(Array.isArray(body), 'the reply body is a JSON array');
  return body as RawMessage[];
}

function replyOf(messages: RawMessage[], channel: string): RawMessage {
  const reply = messages.find((m) => m.channel === channel && m.successful !== undefined);
  assert.ok(reply, `a ${channel} reply in ${JSON.stringify(messages)}`);
  return reply;
}

function eventsOf(messages: RawMessage[], channel: string): unknown[] {
  return messages.filter((m) => m.channel === channel && m.successful === undefined && 'data' in m).map((m) => m.data);
}

function rawConnect(endpoint: string, clientId: string, ext: Record<string, unknown>): Promise<RawMessage[]> {
  return post(endpoint, [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: String(++rawIds), ext }]);
}

// ---------------------------------------------------------------------------------------------

for (const mode of MODES) {
  describe(`CometD client over ${mode}`, () => {
    let server: TestServer;

    before(async () => {
      server = await startBayeuxServer(SERVER_OPTIONS);
    });

    after(async () => {
      await disconnectAll();
      await server?.close();
    });

    test('handshakes, and the server holds a session of that connection type', { timeout: TEST_MS }, async () => {
      const { cometd, clientId, handshakeReply } = await connectedClient(server.endpoint, mode);
      assert.equal(handshakeReply.successful, true);
      assert.equal(handshakeReply.clientId, clientId);
      assert.equal(handshakeReply.version, '1.0');
      assert.ok(handshakeReply.supportedConnectionTypes?.includes(mode));
      const session = server.bayeux.getSession(clientId);
      assert.ok(session, 'the server knows the session');
      assert.equal(session.connectionType, mode);
      // Between a connect reply and the next connect the client says 'connecting' for one timer tick.
      await until(() => cometd.getStatus() === 'connected', 'the client holding its next /meta/connect');
      await disconnect(cometd);
    });

    test('a publish from a second client reaches the first, intact and without the publisher identity', { timeout: TEST_MS }, async () => {
      const { cometd: receiver } = await connectedClient(server.endpoint, mode);
      const { cometd: sender, clientId: senderId } = await connectedClient(server.endpoint, mode);
      const received: CometDMessage[] = [];
      await subscribe(receiver, '/chat/room', (message) => received.push(message));
      assert.equal(server.bayeux.subscriberCount('/chat/room'), 1);

      const data = { text: 'héllo wörld ✓ 🚀', n: 42, nested: { list: [1, 'two', null, true], empty: {} }, quote: '"\\</script>' };
      const reply = await publish(sender, '/chat/room', data);
      assert.equal(reply.successful, true, `publish reply: ${JSON.stringify(reply)}`);

      await until(() => received.length >= 1, 'the published message at the subscriber');
      // A sentinel from the same sender comes after any duplicate of the original (one sender, one order).
      assert.equal((await publish(sender, '/chat/room', { sentinel: true })).successful, true);
      await until(() => received.length >= 2, 'the sentinel at the subscriber');
      assert.deepEqual(received.map((m) => m.data), [data, { sentinel: true }], 'exactly once, then the sentinel');
      const message = received[0]!;
      assert.equal(message.channel, '/chat/room');
      assert.deepEqual(message.data, data);
      assert.ok(!('clientId' in message), `no clientId in the delivered message: ${JSON.stringify(message)}`);
      assert.ok(!JSON.stringify(message).includes(senderId), 'the publisher clientId appears nowhere in the delivered message');
      await Promise.all([disconnect(receiver), disconnect(sender)]);
    });

    test('wildcards: /a/* matches one segment, /a/** any depth, overlapping patterns get one copy', { timeout: TEST_MS }, async () => {
      const { cometd: single } = await connectedClient(server.endpoint, mode);
      const { cometd: deep } = await connectedClient(server.endpoint, mode);
      const { cometd: overlapping } = await connectedClient(server.endpoint, mode);
      const { cometd: sender } = await connectedClient(server.endpoint, mode);

      const singleGot: string[] = [];
      const deepGot: string[] = [];
      await subscribe(single, '/a/*', (m) => singleGot.push(m.channel));
      await subscribe(deep, '/a/**', (m) => deepGot.push(m.channel));

      // Count what arrives on the wire, below the client's own per-subscription dispatch.
      const wire: string[] = [];
      overlapping.registerExtension('wire-counter', {
        incoming(message) {
          if (message.data !== undefined && !message.channel.startsWith('/meta/')) wire.push(message.channel);
          return message;
        },
      });
      const viaExact: string[] = [];
      const viaStar: string[] = [];
      const viaStarStar: string[] = [];
      await subscribe(overlapping, '/a/b', (m) => viaExact.push(m.channel));
      await subscribe(overlapping, '/a/*', (m) => viaStar.push(m.channel));
      await subscribe(overlapping, '/a/**', (m) => viaStarStar.push(m.channel));
      assert.equal(server.bayeux.subscriberCount('/a/b'), 3, 'three sessions are reached by /a/b, each counted once');

      // Sequential publishes; each subscriber's session delivers them in this order, so the last
      // one arriving proves that everything before it (including any duplicate) has arrived.
      for (const channel of ['/a/b/c', '/a/b', '/a/x/y/z', '/a/end']) {
        const reply = await publish(sender, channel, { channel });
        assert.equal(reply.successful, true, `publish to ${channel}: ${JSON.stringify(reply)}`);
      }
      await until(() => singleGot.includes('/a/end') && deepGot.includes('/a/end') && wire.includes('/a/end'), 'the last message at every subscriber');

      assert.deepEqual(singleGot, ['/a/b', '/a/end'], '/a/* gets exactly one-segment children');
      assert.deepEqual(deepGot, ['/a/b/c', '/a/b', '/a/x/y/z', '/a/end'], '/a/** gets every depth');
      assert.deepEqual(wire, ['/a/b/c', '/a/b', '/a/x/y/z', '/a/end'], 'one copy per publish for a session subscribed through overlapping patterns');
      // The client itself fans one copy out to each of its matching subscriptions.
      assert.deepEqual(viaExact, ['/a/b']);
      assert.deepEqual(viaStar, ['/a/b', '/a/end']);
      assert.deepEqual(viaStarStar, ['/a/b/c', '/a/b', '/a/x/y/z', '/a/end']);

      await Promise.all([single, deep, overlapping, sender].map(disconnect));
    });

    test('publishing to a wildcard channel fails and reaches nobody', { timeout: TEST_MS }, async () => {
      const { cometd: receiver } = await connectedClient(server.endpoint, mode);
      const { cometd: sender } = await connectedClient(server.endpoint, mode);
      const received: string[] = [];
      await subscribe(receiver, '/w/**', (m) => received.push(m.channel));

      for (const channel of ['/w/*', '/w/**']) {
        const reply = await publish(sender, channel, { bad: true });
        assert.equal(reply.successful, false, `publish to ${channel} must fail: ${JSON.stringify(reply)}`);
        assert.match(String(reply.error), /^405:/);
      }
      // The session stays usable and nothing from the refused publishes was delivered.
      const ok = await publish(sender, '/w/ok', { ok: true });
      assert.equal(ok.successful, true);
      await until(() => received.length >= 1, 'the valid publish');
      assert.deepEqual(received, ['/w/ok']);
      await Promise.all([disconnect(receiver), disconnect(sender)]);
    });

    test('disconnect removes the session on the server', { timeout: TEST_MS }, async () => {
      const { cometd, clientId } = await connectedClient(server.endpoint, mode);
      await subscribe(cometd, '/bye', () => undefined);
      assert.ok(server.bayeux.getSession(clientId));
      const before = server.bayeux.sessionCount;
      const removed = sessionRemoved(server.bayeux, clientId);

      const reply = await disconnect(cometd);
      assert.equal(reply?.successful, true);
      assert.equal(await within(removed, 'the server disconnect event'), 'disconnect');
      assert.equal(server.bayeux.getSession(clientId), undefined);
      assert.equal(server.bayeux.sessionCount, before - 1);
      assert.equal(server.bayeux.subscriberCount('/bye'), 0);
      assert.equal(cometd.getStatus(), 'disconnected');
    });

    test('a server-side disconnect of a held connect stops the client (reconnect: none), no re-handshake', { timeout: TEST_MS }, async () => {
      const handshakes: CometDMessage[] = [];
      const connects: CometDMessage[] = [];
      const { cometd, clientId } = await connectedClient(server.endpoint, mode, (client) => {
        client.addListener('/meta/handshake', (m) => handshakes.push(m));
        client.addListener('/meta/connect', (m) => connects.push(m));
      });
      // Only a held connect can carry the advice (a session that is gone cannot be told later).
      await until(() => server.bayeux.getSession(clientId)?.held !== undefined, 'the connect to be held');
      const sessionsBefore = server.bayeux.sessionCount;
      assert.equal(server.bayeux.disconnect(clientId), true);

      await until(() => cometd.isDisconnected(), 'the client to stop');
      assert.equal(connects.at(-1)?.advice?.reconnect, 'none');
      assert.equal(server.bayeux.getSession(clientId), undefined);
      // A time window is inherent here: a re-handshake would come from the client's own backoff
      // timer, and nothing on the wire says it will not. Bounded: 1 s, longer than any advised interval.
      await sleep(1_000);
      assert.equal(handshakes.length, 1, 'the client did not handshake again');
      assert.equal(server.bayeux.sessionCount, sessionsBefore - 1);
    });

    test('re-handshakes by itself after the server forgot the session (restart on the same port), then receives again', { timeout: TEST_MS * 2 }, async () => {
      let first: TestServer | undefined = await startBayeuxServer(SERVER_OPTIONS);
      let second: TestServer | undefined;
      try {
        const cometd = newClient(first.endpoint, mode);
        const handshakes: CometDMessage[] = [];
        const connectFailures: CometDMessage[] = [];
        const received: unknown[] = [];
        // The CometD documentation pattern: subscribe from a /meta/handshake listener, so that the
        // subscriptions are made again after every (re-)handshake (the client clears them).
        cometd.addListener('/meta/handshake', (message) => {
          if (!message.successful) return;
          handshakes.push(message);
          cometd.batch(() => {
            cometd.subscribe('/restart/news', (event) => received.push(event.data));
          });
        });
        cometd.addListener('/meta/connect', (message) => {
          if (!message.successful) connectFailures.push(message);
        });

        await handshake(cometd);
        await until(() => first!.bayeux.subscriberCount('/restart/news') === 1, 'the subscription on the first server');
        first.bayeux.publish('/restart/news', { n: 1 });
        await until(() => received.length === 1, 'a message from the first server');
        const oldClientId = cometd.getClientId();
        assert.ok(oldClientId);

        // "Restart": the new process knows nothing of the old sessions.
        const port = first.port;
        await first.close();
        first = undefined;
        second = await startOnPort(port, SERVER_OPTIONS);

        await until(() => second!.bayeux.subscriberCount('/restart/news') === 1, 'the client to re-handshake and re-subscribe on its own', STEP_MS * 2);
        const newClientId = cometd.getClientId();
        assert.ok(newClientId);
        assert.notEqual(newClientId, oldClientId, 'a new session');
        assert.ok(second.bayeux.getSession(newClientId), 'the new server holds the new session');
        assert.equal(handshakes.length, 2, 'exactly one re-handshake');
        assert.equal(handshakes[1]!.reestablish, true, 'the client reports the handshake as a re-establishment');
        // It got there through the unknown-session reply (402 + reconnect: handshake).
        const unknown = connectFailures.find((m) => /^402:/.test(String(m.error)));
        assert.ok(unknown, `a /meta/connect failure with 402: ${JSON.stringify(connectFailures)}`);
        assert.equal(unknown.advice?.reconnect, 'handshake');

        second.bayeux.publish('/restart/news', { n: 2 });
        await until(() => received.length === 2, 'a message from the restarted server');
        assert.deepEqual(received, [{ n: 1 }, { n: 2 }]);
        assert.equal(cometd.getTransport()?.type, mode);
        await disconnect(cometd);
        } finally {
        await first?.close();
        await second?.close();
      }
    });

    test('ack extension: acknowledged delivery, in order, numbered batches', { timeout: TEST_MS }, async () => {
      const handshakeExt: Array<Record<string, unknown> | undefined> = [];
      const batches: number[] = [];
      const { cometd: receiver, clientId } = await connectedClient(server.endpoint, mode, (cometd) => {
        cometd.registerExtension('ack', new AckExtension());
        cometd.addListener('/meta/handshake', (m) => handshakeExt.push(extOf(m)));
        cometd.addListener('/meta/connect', (m) => {
          const ack = extOf(m)?.ack;
          if (m.successful && typeof ack === 'number') batches.push(ack);
        });
      });
      assert.equal(handshakeExt[0]?.ack, true, 'the server announced ack support');
      assert.ok(ackStateOf(server.bayeux.getSession(clientId)), 'the session is in acknowledged mode');

      const { cometd: sender } = await connectedClient(server.endpoint, mode);
      const received: number[] = [];
      await subscribe(receiver, '/ordered', (m) => received.push((m.data as { n: number }).n));

      // Server-side publishes in bursts (several per connect reply: the next burst goes once this
      // one has arrived), then client publishes.
      let n = 0;
      for (let burst = 0; burst < 6; burst++) {
        for (let i = 0; i < 5; i++) server.bayeux.publish('/ordered', { n: n++ });
        await until(() => received.length >= n, `burst ${burst + 1} to arrive (got ${received.length} of ${n})`);
      }
      for (let i = 0; i < 10; i++) {
        const reply = await publish(sender, '/ordered', { n: n++ });
        assert.equal(reply.successful, true);
      }
      await until(() => received.length >= n, `${n} acknowledged messages`);
      // On a WebSocket acked events are pushed at once and numbered by the next connect reply (at
      // the latest when the hold ends); a redelivered duplicate would come with or before it.
      const seen = batches.length;
      await until(() => batches.length >= Math.max(2, seen + 1), 'a numbered connect reply after the messages');
      assert.deepEqual(received, Array.from({ length: n }, (_, i) => i), 'every message once, in publish order');
      assert.ok(batches.length >= 2, `several numbered connect replies: ${JSON.stringify(batches)}`);
      for (let i = 1; i < batches.length; i++) assert.ok(batches[i]! > batches[i - 1]!, `batch numbers increase: ${JSON.stringify(batches)}`);
      await Promise.all([disconnect(receiver), disconnect(sender)]);
    });

    test('timesync extension: small network lag and clock offset on one machine', { timeout: TEST_MS }, async () => {
      // A shorter hold, so that a few connect round trips take little time.
      const quick = await startBayeuxServer({ ...SERVER_OPTIONS, timeout: 300 });
      try {
        const extension = new TimeSyncExtension();
        const timesync = extension as unknown as TimeSyncApi;
        const samples: TimesyncReply[] = [];
        let connects = 0;
        const { cometd } = await connectedClient(quick.endpoint, mode, (client) => {
          client.registerExtension('timesync', extension);
          client.addListener('/meta/handshake', (m) => {
            const reply = extOf(m)?.timesync as TimesyncReply | undefined;
            if (reply) samples.push(reply);
          });
          client.addListener('/meta/connect', (m) => {
            if (m.successful) connects++;
            const reply = extOf(m)?.timesync as TimesyncReply | undefined;
            if (reply) samples.push(reply);
          });
        });
        await until(() => connects >= 4, 'a few /meta/connect round trips');

        assert.ok(samples.length >= 1, 'the server answered with timesync data');
        for (const key of ['tc', 'ts', 'p'] as const) assert.equal(typeof samples[0]![key], 'number', `timesync.${key} is a number`);
        const lag = timesync.getNetworkLag();
        const offset = timesync.getTimeOffset();
        assert.ok(Number.isFinite(lag) && lag >= 0 && lag < 200, `network lag ${lag} ms`);
        assert.ok(Number.isFinite(offset) && Math.abs(offset) < 200, `time offset ${offset} ms`);
        assert.ok(Math.abs(timesync.getServerTime() - Date.now()) < 200);
        await disconnect(cometd);
        } finally {
        await quick.close();
      }
    });
  });
}

describe('CometD client: clients sharing one browser cookie (default per-browser limit)', () => {
  let server: TestServer;

  before(async () => {
    // The default maxSessionsPerBrowser (1): the adapter's shared cookie jar makes these tabs of one browser.
    server = await startBayeuxServer({ timeout: 2_000 });
  });

  after(async () => {
    await disconnectAll();
    await server?.close();
  });

  test('one of two long-polling tabs is told multiple-clients, and both still receive', { timeout: TEST_MS }, async () => {
    // Which tab's poll gets held first is a race; the other one is told to poll instead.
    const advices: NonNullable<CometDMessage['advice']>[] = [];
    const recordAdvice = (cometd: CometD) => {
      cometd.addListener('/meta/connect', (m) => {
        if (m.advice) advices.push(m.advice);
      });
    };
    const { cometd: first } = await connectedClient(server.endpoint, 'long-polling', recordAdvice);
    const { cometd: second } = await connectedClient(server.endpoint, 'long-polling', recordAdvice);
    const received: Array<[string, unknown]> = [];
    await subscribe(first, '/tabs', (m) => received.push(['first', m.data]));
    await subscribe(second, '/tabs', (m) => received.push(['second', m.data]));
    await until(() => advices.some((a) => a['multiple-clients'] === true), 'the multiple-clients advice');
    const advice = advices.find((a) => a['multiple-clients'] === true)!;
    assert.equal(advice.reconnect, 'retry');
    assert.ok((advice.interval ?? 0) > 0, 'a non-zero interval, so the tab polls instead of holding');

    const reply = await publish(first, '/tabs', { hello: 'tabs' });
    assert.equal(reply.successful, true);
    await until(() => received.length >= 2, 'the message at both tabs');
    // A sentinel after it: a duplicate of the first message would arrive before it, at either tab.
    assert.equal((await publish(first, '/tabs', { sentinel: true })).successful, true);
    await until(() => received.filter(([, data]) => (data as { sentinel?: boolean }).sentinel).length === 2, 'the sentinel at both tabs');
    assert.deepEqual(received.sort(), [['first', { hello: 'tabs' }], ['first', { sentinel: true }], ['second', { hello: 'tabs' }], ['second', { sentinel: true }]]);
    await Promise.all([disconnect(first), disconnect(second)]);
  });
});

describe('ack extension over raw HTTP: an unacknowledged batch is redelivered', () => {
  const server = useBayeuxServer(SERVER_OPTIONS);

  test('a connect carrying an old ack gets the batch again; once acknowledged it is not resent', { timeout: TEST_MS }, async () => {
    const { endpoint, bayeux } = server;
    const [handshakeReply] = await post(endpoint, [
      { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: String(++rawIds), ext: { ack: true } },
    ]);
    assert.equal(handshakeReply?.successful, true);
    assert.equal(handshakeReply.ext?.ack, true, 'the server supports acknowledgements');
    const clientId = String(handshakeReply.clientId);

    // First connect: answered at once, numbered.
    const first = replyOf(await rawConnect(endpoint, clientId, { ack: 0 }), '/meta/connect');
    assert.equal(first.successful, true);
    const b1 = first.ext?.ack;
    assert.equal(typeof b1, 'number');

    const subscribed = await post(endpoint, [{ channel: '/meta/subscribe', clientId, subscription: '/acked', id: String(++rawIds) }]);
    assert.equal(replyOf(subscribed, '/meta/subscribe').successful, true);
    assert.deepEqual(eventsOf(subscribed, '/acked'), [], 'acknowledged events travel only in connect replies');

    bayeux.publish('/acked', { n: 1 });
    const delivered = await rawConnect(endpoint, clientId, { ack: b1 });
    assert.deepEqual(eventsOf(delivered, '/acked'), [{ n: 1 }]);
    const b2 = replyOf(delivered, '/meta/connect').ext?.ack as number;
    assert.ok(typeof b2 === 'number' && b2 > (b1 as number), `a new batch number: ${b2} after ${String(b1)}`);

    // The client "lost" that reply: it connects again acknowledging only the older batch.
    const again = await rawConnect(endpoint, clientId, { ack: b1 });
    assert.deepEqual(eventsOf(again, '/acked'), [{ n: 1 }], 'the unacknowledged batch is delivered again');
    const b3 = replyOf(again, '/meta/connect').ext?.ack as number;
    assert.ok(typeof b3 === 'number' && b3 > b2);

    // Now acknowledge it: the connect is held (nothing pending), and the next event comes alone.
    const acked = rawConnect(endpoint, clientId, { ack: b3 });
    await until(() => bayeux.getSession(clientId)?.held !== undefined, 'the acknowledging connect to be held');
    bayeux.publish('/acked', { n: 2 });
    const fresh = await acked;
    assert.deepEqual(eventsOf(fresh, '/acked'), [{ n: 2 }], 'the acknowledged message is not sent again');
    const b4 = replyOf(fresh, '/meta/connect').ext?.ack as number;

    // And acknowledging that one leaves nothing to resend.
    const empty = await rawConnect(endpoint, clientId, { ack: b4 });
    assert.deepEqual(eventsOf(empty, '/acked'), []);
    assert.equal(replyOf(empty, '/meta/connect').successful, true);

    const bye = await post(endpoint, [{ channel: '/meta/disconnect', clientId, id: String(++rawIds) }]);
    assert.equal(replyOf(bye, '/meta/disconnect').successful, true);
  });
});

describe('timesync extension over raw HTTP', () => {
  const server = useBayeuxServer(SERVER_OPTIONS);

  test('a handshake with ext.timesync {tc, l: 0, o: 0} is answered with {tc, ts, p, a}', { timeout: TEST_MS }, async () => {
    const tc = Date.now();
    const [reply] = await post(server.endpoint, [
      { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: String(++rawIds), ext: { timesync: { tc, l: 0, o: 0 } } },
    ]);
    const after = Date.now();
    assert.equal(reply?.successful, true);
    const sync = reply.ext?.timesync as Record<string, unknown> | undefined;
    assert.ok(sync, `timesync in the reply ext: ${JSON.stringify(reply)}`);
    for (const key of ['tc', 'ts', 'p', 'a']) assert.equal(typeof sync[key], 'number', `timesync.${key} is a number`);
    assert.equal(sync.tc, tc, 'tc echoed');
    const ts = sync.ts as number;
    assert.ok(ts >= tc && ts <= after, `ts ${ts} between send ${tc} and receive ${after}`);
    assert.ok((sync.p as number) >= 0 && (sync.p as number) <= after - tc);
    assert.equal(sync.a, Math.round(tc - ts), 'a = tc + o + l - ts');

    // The same on /meta/connect.
    const clientId = String(reply.clientId);
    const tc2 = Date.now();
    const connect = replyOf(await post(server.endpoint, [
      { channel: '/meta/connect', clientId, connectionType: 'long-polling', id: String(++rawIds), ext: { timesync: { tc: tc2, l: 0, o: 0 } } },
    ]), '/meta/connect');
    const sync2 = connect.ext?.timesync as Record<string, unknown> | undefined;
    assert.ok(sync2);
    assert.equal(sync2.tc, tc2);
    for (const key of ['ts', 'p', 'a']) assert.equal(typeof sync2[key], 'number');
    await post(server.endpoint, [{ channel: '/meta/disconnect', clientId, id: String(++rawIds) }]);
  });
});
