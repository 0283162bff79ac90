/**
 * Our Bayeux server against the Faye 1.4 Node client. Faye always handshakes over HTTP (its
 * mandatory connection types) and then moves to the best transport the server offers: the
 * "websocket" runs check that it really did (upgrades seen, session bound to a WebSocket), the
 * "long-polling" runs disable websocket and check that no upgrade happened at all.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Faye from 'faye';
import { sessionRemoved, startBayeuxServer, type TestServer } from '../helpers/bayeux-server';
import type { CreateBayeuxServerOptions } from '../../server/bayeux/index';
import { sleep, until, within } from '../../support/wait';

type Mode = 'long-polling' | 'websocket';
const MODES: readonly Mode[] = ['long-polling', 'websocket'];

/** Bound on every single awaited step; generous, for a loaded 2-core machine. */
const STEP_MS = 10_000;
/** Bound on a whole test. */
const TEST_MS = 30_000;

/** A short hold so that nothing waits for a 25 s poll. Each Faye client has its own cookie jar. */
const SERVER_OPTIONS: CreateBayeuxServerOptions = { timeout: 2_000 };

/** A Faye client with an extension that records every message it receives, as received. */
class Probe {
  readonly client: Faye.Client;
  readonly incoming: Faye.Message[] = [];

  constructor(endpoint: string, mode: Mode) {
    this.client = new Faye.Client(endpoint);
    if (mode === 'long-polling') this.client.disable('websocket');
    this.client.addExtension({
      incoming: (message, next) => {
        this.incoming.push(structuredClone(message));
        next(message);
      },
    });
    probes.add(this);
  }

  get handshakes(): Faye.Message[] {
    return this.incoming.filter((m) => m.channel === '/meta/handshake' && m.successful === true);
  }

  get clientId(): string | undefined {
    return this.handshakes.at(-1)?.clientId;
  }

  /** Events (not replies) received on non-meta channels. */
  get events(): Faye.Message[] {
    return this.incoming.filter((m) => !m.channel.startsWith('/meta/') && m.successful === undefined && 'data' in m);
  }

  connectReplies(): Faye.Message[] {
    return this.incoming.filter((m) => m.channel === '/meta/connect');
  }

  /** Handshake and wait for the first successful /meta/connect. */
  async connect(): Promise<string> {
    this.client.connect();
    await until(() => this.connectReplies().some((m) => m.successful === true), 'the first successful /meta/connect');
    const clientId = this.clientId;
    assert.ok(clientId, 'the handshake gave a clientId');
    return clientId;
  }

  async disconnect(): Promise<void> {
    const done = this.client.disconnect();
    probes.delete(this);
    if (done) await within(done, 'the disconnect reply');
  }
}

const probes = new Set<Probe>();

async function disconnectAll(): Promise<void> {
  const pending = [...probes];
  await Promise.allSettled(pending.map((probe) => probe.disconnect()));
}

/** Wait until the server bound the client's session to the expected transport. */
async function expectTransport(server: TestServer, probe: Probe, mode: Mode): Promise<void> {
  await until(() => server.bayeux.getSession(probe.clientId ?? '')?.connectionType === mode, `the session to use ${mode}`);
}

/** Our server on a chosen port: for a restart on the same address. */
function startOnPort(port: number, options: CreateBayeuxServerOptions): Promise<TestServer> {
  return startBayeuxServer(options, [], port);
}

function countUpgrades(server: TestServer): () => number {
  let upgrades = 0;
  server.http.on('upgrade', () => upgrades++);
  return () => upgrades;
}

for (const mode of MODES) {
  describe(`Faye client over ${mode}`, () => {
    let server: TestServer;
    let upgrades: () => number;

    before(async () => {
      server = await startBayeuxServer(SERVER_OPTIONS);
      upgrades = countUpgrades(server);
    });

    after(async () => {
      await disconnectAll();
      await server?.close();
    });

    test('handshakes and connects over the expected transport', { timeout: TEST_MS }, async () => {
      const upgradesBefore = upgrades();
      const probe = new Probe(server.endpoint, mode);
      const clientId = await probe.connect();
      const reply = probe.handshakes[0]!;
      assert.equal(reply.version, '1.0');
      assert.ok(reply.supportedConnectionTypes?.includes('long-polling'));
      assert.ok(reply.supportedConnectionTypes?.includes('websocket'));
      assert.ok(server.bayeux.getSession(clientId), 'the server knows the session');
      await expectTransport(server, probe, mode);
      if (mode === 'websocket') assert.ok(upgrades() > upgradesBefore, 'Faye opened a WebSocket');
      else assert.equal(upgrades(), upgradesBefore, 'no WebSocket upgrade with websocket disabled');
      await probe.disconnect();
    });

    test('a publish from a second client reaches the first, intact and without the publisher identity', { timeout: TEST_MS }, async () => {
      const receiver = new Probe(server.endpoint, mode);
      const sender = new Probe(server.endpoint, mode);
      await receiver.connect();
      const senderId = await sender.connect();
      await expectTransport(server, receiver, mode);
      await expectTransport(server, sender, mode);

      const received: unknown[] = [];
      await within(receiver.client.subscribe('/chat/room', (data) => received.push(data)), 'the subscription');
      assert.equal(server.bayeux.subscriberCount('/chat/room'), 1);

      const data = { text: 'héllo wörld ✓ 🚀', n: 42, nested: { list: [1, 'two', null, true], empty: {} }, quote: '"\\</script>' };
      await within(sender.client.publish('/chat/room', data), 'the publish acknowledgement');
      await until(() => received.length >= 1, 'the message at the subscriber');
      // A sentinel from the same sender comes after any duplicate of the original (one sender, one order).
      await within(sender.client.publish('/chat/room', { sentinel: true }), 'the sentinel acknowledgement');
      await until(() => received.length >= 2, 'the sentinel at the subscriber');
      assert.deepEqual(received, [data, { sentinel: true }]);

      const wire = receiver.events.filter((m) => m.channel === '/chat/room');
      assert.equal(wire.length, 2);
      assert.ok(!('clientId' in wire[0]!), `no clientId in the delivered message: ${JSON.stringify(wire[0])}`);
      assert.ok(!JSON.stringify(wire[0]).includes(senderId), 'the publisher clientId appears nowhere in the delivered message');
      await Promise.all([receiver.disconnect(), sender.disconnect()]);
    });

    test('wildcards: /a/* matches one segment, /a/** any depth, overlapping patterns get one copy', { timeout: TEST_MS }, async () => {
      const single = new Probe(server.endpoint, mode);
      const deep = new Probe(server.endpoint, mode);
      const overlapping = new Probe(server.endpoint, mode);
      const sender = new Probe(server.endpoint, mode);
      for (const probe of [single, deep, overlapping, sender]) {
        await probe.connect();
        await expectTransport(server, probe, mode);
      }

      type Data = { channel: string };
      const singleGot: string[] = [];
      const deepGot: string[] = [];
      const viaExact: string[] = [];
      const viaStar: string[] = [];
      const viaStarStar: string[] = [];
      await within(single.client.subscribe('/a/*', (d: Data) => singleGot.push(d.channel)), 'subscribe /a/*');
      await within(deep.client.subscribe('/a/**', (d: Data) => deepGot.push(d.channel)), 'subscribe /a/**');
      await within(overlapping.client.subscribe('/a/b', (d: Data) => viaExact.push(d.channel)), 'subscribe /a/b');
      await within(overlapping.client.subscribe('/a/*', (d: Data) => viaStar.push(d.channel)), 'subscribe /a/*');
      await within(overlapping.client.subscribe('/a/**', (d: Data) => viaStarStar.push(d.channel)), 'subscribe /a/**');
      assert.equal(server.bayeux.subscriberCount('/a/b'), 3, 'three sessions are reached by /a/b, each counted once');

      // Sequential publishes; each session delivers them in this order, so the last one arriving
      // proves that everything before it (including any duplicate) has arrived.
      for (const channel of ['/a/b/c', '/a/b', '/a/x/y/z', '/a/end']) {
        await within(sender.client.publish(channel, { channel }), `the publish to ${channel}`);
      }
      const wire = () => overlapping.events.map((m) => m.channel);
      await until(() => singleGot.includes('/a/end') && deepGot.includes('/a/end') && wire().includes('/a/end'), 'the last message at every subscriber');

      assert.deepEqual(singleGot, ['/a/b', '/a/end'], '/a/* gets exactly one-segment children');
      assert.deepEqual(deepGot, ['/a/b/c', '/a/b', '/a/x/y/z', '/a/end'], '/a/** gets every depth');
      assert.deepEqual(wire(), ['/a/b/c', '/a/b', '/a/x/y/z', '/a/end'], 'one copy per publish for a session subscribed through overlapping patterns');
      // Faye itself fans one copy out to each of its matching subscriptions.
      assert.deepEqual(viaExact, ['/a/b']);
      assert.deepEqual(viaStar, ['/a/b', '/a/end']);
      assert.deepEqual(viaStarStar, ['/a/b/c', '/a/b', '/a/x/y/z', '/a/end']);
      await Promise.all([single, deep, overlapping, sender].map((probe) => probe.disconnect()));
    });

    test('publishing to a wildcard channel is refused and reaches nobody', { timeout: TEST_MS }, async () => {
      const receiver = new Probe(server.endpoint, mode);
      const sender = new Probe(server.endpoint, mode);
      await receiver.connect();
      await sender.connect();
      const received: unknown[] = [];
      await within(receiver.client.subscribe('/w/**', (data) => received.push(data)), 'the subscription');

      for (const channel of ['/w/*', '/w/**']) {
        const outcome = await within(
          sender.client.publish(channel, { bad: true }).then(() => 'accepted', (error: Faye.FayeError) => error),
          `the refusal of ${channel}`,
        );
        assert.notEqual(outcome, 'accepted', `publish to ${channel} must fail`);
        assert.equal((outcome as Faye.FayeError).code, 405);
      }
      await within(sender.client.publish('/w/ok', { ok: true }), 'a valid publish');
      await until(() => received.length >= 1, 'the valid message');
      assert.deepEqual(received, [{ ok: true }]);
      await Promise.all([receiver.disconnect(), sender.disconnect()]);
    });

    test('disconnect removes the session on the server', { timeout: TEST_MS }, async () => {
      const probe = new Probe(server.endpoint, mode);
      const clientId = await probe.connect();
      await expectTransport(server, probe, mode);
      await within(probe.client.subscribe('/bye', () => undefined), 'the subscription');
      const before = server.bayeux.sessionCount;
      const removed = sessionRemoved(server.bayeux, clientId);

      await probe.disconnect();
      assert.equal(await within(removed, 'the server disconnect event'), 'disconnect');
      assert.equal(server.bayeux.getSession(clientId), undefined);
      assert.equal(server.bayeux.sessionCount, before - 1);
      assert.equal(server.bayeux.subscriberCount('/bye'), 0);
    });

    test('a server-side disconnect of a held connect stops the client (reconnect: none), no re-handshake', { timeout: TEST_MS }, async () => {
      const probe = new Probe(server.endpoint, mode);
      const clientId = await probe.connect();
      await expectTransport(server, probe, mode);
      // Only a held connect can carry the advice (a session that is gone cannot be told later).
      await until(() => server.bayeux.getSession(clientId)?.held !== undefined, 'the connect to be held');
      const sessionsBefore = server.bayeux.sessionCount;
      const handshakesOnServer: string[] = [];
      const off = server.bayeux.on('handshake', (session) => handshakesOnServer.push(session.id));
      try {
        assert.equal(server.bayeux.disconnect(clientId), true);
        await until(() => probe.connectReplies().at(-1)?.advice?.reconnect === 'none', 'the reconnect: none advice');
        const connectsSoFar = probe.connectReplies().length;
        // A time window is inherent here: a reconnect would come from the client's own timer, and
        // nothing on the wire says it will not. Bounded: 1 s, longer than any advised interval.
        await sleep(1_000);
        assert.equal(probe.connectReplies().length, connectsSoFar, 'no further /meta/connect');
        assert.equal(probe.handshakes.length, 1, 'the client did not handshake again');
        assert.deepEqual(handshakesOnServer, []);
        assert.equal(server.bayeux.sessionCount, sessionsBefore - 1);
      } finally {
        off();
        probes.delete(probe);
      }
    });

    test('re-handshakes and re-subscribes by itself after the server forgot the session (restart on the same port)', { timeout: TEST_MS * 2 }, async () => {
      let first: TestServer | undefined = await startBayeuxServer(SERVER_OPTIONS);
      let second: TestServer | undefined;
      try {
        const probe = new Probe(first.endpoint, mode);
        const oldClientId = await probe.connect();
        await expectTransport(first, probe, mode);
        const received: unknown[] = [];
        await within(probe.client.subscribe('/restart/news', (data) => received.push(data)), 'the subscription');
        first.bayeux.publish('/restart/news', { n: 1 });
        await until(() => received.length === 1, 'a message from the first server');

        // "Restart": the new process knows nothing of the old sessions.
        const port = first.port;
        await first.close();
        first = undefined;
        second = await startOnPort(port, SERVER_OPTIONS);

        await until(() => second!.bayeux.subscriberCount('/restart/news') === 1, 'the client to re-handshake and re-subscribe on its own', STEP_MS * 2);
        const newClientId = probe.clientId;
        assert.ok(newClientId);
        assert.notEqual(newClientId, oldClientId, 'a new session');
        assert.equal(probe.handshakes.length, 2, 'exactly one re-handshake');
        assert.ok(second.bayeux.getSession(newClientId), 'the new server holds the new session');
        // It got there through the unknown-session reply (402 + reconnect: handshake).
        const unknown = probe.connectReplies().find((m) => m.successful === false && /^402:/.test(String(m.error)));
        assert.ok(unknown, `a /meta/connect failure with 402: ${JSON.stringify(probe.connectReplies())}`);
        assert.equal(unknown.advice?.reconnect, 'handshake');
        await expectTransport(second, probe, mode);

        second.bayeux.publish('/restart/news', { n: 2 });
        await until(() => received.length === 2, 'a message from the restarted server');
        assert.deepEqual(received, [{ n: 1 }, { n: 2 }]);
        await probe.disconnect();
      } finally {
        await first?.close();
        await second?.close();
      }
    });
  });
}
