/**
 * The Redis engine against a real redis-server on a free port: the shared engine contract, then
 * what only several nodes show: cross-node delivery exactly once and in one order, one
 * serialisation per node, and a Redis restart (local delivery goes on, cross-node resumes).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeEngine } from '../../server/bayeux/engine/engine';
import { RedisEngine } from '../../server/bayeux/engine/redis-broker';
import { RedisLink } from '../../server/bayeux/engine/redis-link';
import { nodeIdentity } from '../../server/bayeux/node-identity';
import { Outgoing } from '../../server/bayeux/outgoing';
import { ServerSession } from '../../server/bayeux/session';
import { BARE_HOST } from '../helpers/session-host';
import { runEngineContract } from './engine-contract';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { until, within } from '../../support/wait';

const UP_MS = 10_000;
let redis: TestRedis;
const logs: string[] = [];
const log = (line: string) => void logs.push(line);

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

let current: RedisEngine | undefined;
runEngineContract(
  'RedisEngine',
  async () => {
    current = new RedisEngine(redis.url, { nodeId: 'contract', log });
    assert.ok(await current.broker.link.whenUp(UP_MS), 'the engine reached Redis');
    return current;
  },
  { settle: () => current!.broker.settled() },
);

const host = BARE_HOST;

function sessionOn(engine: RedisEngine, ...subscriptions: string[]): ServerSession {
  const session = new ServerSession(host, 10_000, 'long-polling');
  engine.sessions.addSession(session);
  for (const subscription of subscriptions) engine.sessions.subscribe(session, subscription);
  return session;
}

function dataOf(session: ServerSession): unknown[] {
  return session.drain().map((event) => event.message.data);
}

/** Two nodes on one Redis; the test runs with both up, and both are closed after it. */
async function twoNodes(run: (a: RedisEngine, b: RedisEngine) => Promise<void>): Promise<void> {
  const a = new RedisEngine(redis.url, { nodeId: 'node-a', log });
  const b = new RedisEngine(redis.url, { nodeId: 'node-b', log });
  try {
    assert.ok(await a.broker.link.whenUp(UP_MS), 'node A reached Redis');
    assert.ok(await b.broker.link.whenUp(UP_MS), 'node B reached Redis');
    await run(a, b);
  } finally {
    await Promise.all([closeEngine(a), closeEngine(b)]);
  }
}

describe('RedisEngine across nodes', () => {
  test('a publish on one node reaches the subscribers of every node exactly once', async () => {
    await twoNodes(async (a, b) => {
      const onA = sessionOn(a, '/a/**');
      const onB = [sessionOn(b, '/a/b'), sessionOn(b, '/a/*', '/a/**', '/**')];
      const elsewhere = sessionOn(b, '/x');
      assert.equal(a.broker.publish(new Outgoing({ channel: '/a/b', data: 1 })), 1, 'publish counts the local recipients');
      await until(() => onB.every((s) => s.queueLength > 0), 'delivery on B');
      await a.broker.settled();
      // Anything duplicated would be here by the time a second event went the same way.
      b.broker.publish(new Outgoing({ channel: '/a/b', data: 2 }));
      await until(() => onA.queueLength === 2, 'the second event on A');
      await b.broker.settled();
      assert.deepEqual(dataOf(onA), [1, 2]);
      for (const s of onB) assert.deepEqual(dataOf(s), [1, 2]);
      assert.deepEqual(dataOf(elsewhere), []);
    });
  });

  test('publishLocally reaches only the node it is called on', async () => {
    await twoNodes(async (a, b) => {
      const onA = sessionOn(a, '/talk');
      const onB = sessionOn(b, '/talk');
      assert.equal(a.sessions.deliver(new Outgoing({ channel: '/talk', data: 'a only' })), 1);
      // A sentinel through Redis: once it is on B, anything A sent before it would be there too.
      a.broker.publish(new Outgoing({ channel: '/talk', data: 'sentinel' }));
      await until(() => onB.queueLength === 1, 'the sentinel on B');
      await a.broker.settled();
      assert.deepEqual(dataOf(onB), ['sentinel']);
      assert.deepEqual(dataOf(onA), ['a only', 'sentinel']);
    });
  });

  test('every node delivers interleaved publishes from two nodes in one same order, each node\'s own in its order', async () => {
    await twoNodes(async (a, b) => {
      const onA = sessionOn(a, '/talk');
      const onB = sessionOn(b, '/talk');
      for (let i = 0; i < 100; i++) {
        a.broker.publish(new Outgoing({ channel: '/talk', data: `a${i}` }));
        b.broker.publish(new Outgoing({ channel: '/talk', data: `b${i}` }));
      }
      await until(() => onA.queueLength === 200 && onB.queueLength === 200, '200 events on each node');
      await Promise.all([a.broker.settled(), b.broker.settled()]);
      const seenOnA = dataOf(onA) as string[];
      const seenOnB = dataOf(onB) as string[];
      assert.deepEqual(seenOnA, seenOnB, 'both nodes agree on the order');
      for (const prefix of ['a', 'b']) {
        assert.deepEqual(seenOnA.filter((d) => d.startsWith(prefix)), Array.from({ length: 100 }, (_, i) => `${prefix}${i}`));
      }
      assert.equal(new Set(seenOnA).size, 200, 'no duplicates');
    });
  });

  test('a node serialises a received event once: its subscribers share one Outgoing and the publisher\'s JSON', async () => {
    await twoNodes(async (a, b) => {
      const sessions = Array.from({ length: 5 }, () => sessionOn(b, '/news'));
      const sent = new Outgoing({ channel: '/news', data: { headline: 'é ✓ "quoted"', n: [1, 2] }, ext: { 'com.acme': true } });
      a.broker.publish(sent);
      await until(() => sessions.every((s) => s.queueLength === 1), 'delivery to five sessions on B');
      const events = sessions.map((s) => s.drain()[0]!);
      assert.ok(events.every((event) => event === events[0]), 'one Outgoing for every session of the node');
      assert.equal(events[0]!.json, sent.json, 'the JSON the publisher made, not a new serialisation');
      assert.deepEqual(events[0]!.message, sent.message);
    });
  });

  test('two nodes given the same name still tell their events apart: each delivers the other\'s', async () => {
    const a = new RedisEngine(redis.url, { nodeId: 'same-name', log });
    const b = new RedisEngine(redis.url, { nodeId: 'same-name', log });
    try {
      assert.ok(await a.broker.link.whenUp(UP_MS) && await b.broker.link.whenUp(UP_MS), 'both nodes reached Redis');
      assert.equal(a.broker.identity.name, b.broker.identity.name);
      assert.notEqual(a.broker.identity.instance, b.broker.identity.instance);
      const onA = sessionOn(a, '/x');
      const onB = sessionOn(b, '/x');
      a.broker.publish(new Outgoing({ channel: '/x', data: 'from a' }));
      b.broker.publish(new Outgoing({ channel: '/x', data: 'from b' }));
      await until(() => onA.queueLength === 2 && onB.queueLength === 2, 'both events on both nodes');
      await Promise.all([a.broker.settled(), b.broker.settled()]);
      assert.deepEqual(new Set(dataOf(onA)), new Set(['from a', 'from b']));
      assert.deepEqual(new Set(dataOf(onB)), new Set(['from a', 'from b']));
    } finally {
      await Promise.all([closeEngine(a), closeEngine(b)]);
    }
  });

  test('the broker speaks for the identity it is given, and its own echo is recognised by it', async () => {
    const identity = nodeIdentity('shared-identity');
    const link = new RedisLink(redis.url, { name: identity.name, log });
    const engine = new RedisEngine(link, { identity, log });
    try {
      assert.ok(await link.whenUp(UP_MS), 'the link reached Redis');
      assert.equal(engine.broker.identity, identity);
      const session = sessionOn(engine, '/x');
      // A message another user of the node's identity put on the channel counts as this node's own echo, not as an event.
      await link.publisher.publish(engine.broker.channel, `${identity.instance}|999|{"channel":"/x","data":"own"}`);
      engine.broker.publish(new Outgoing({ channel: '/x', data: 'published' }));
      await engine.broker.settled();
      assert.deepEqual(dataOf(session), ['published']);
      assert.equal(engine.broker.stats.received, 0);
    } finally {
      await closeEngine(engine);
      await link.close();
    }
  });

  test('messages on the channel that are not events are counted and ignored', async () => {
    await twoNodes(async (a, b) => {
      const onB = sessionOn(b, '/**');
      await a.broker.link.publisher.publish(b.broker.channel, 'garbage');
      await a.broker.link.publisher.publish(b.broker.channel, 'x|1|{not json');
      await a.broker.link.publisher.publish(b.broker.channel, 'x|1|"a string"');
      a.broker.publish(new Outgoing({ channel: '/ok', data: 'fine' }));
      await until(() => onB.queueLength === 1, 'the real event');
      assert.deepEqual(dataOf(onB), ['fine']);
      assert.equal(b.broker.stats.malformed, 3);
    });
  });

  test('Redis restarts: local delivery goes on while it is down, cross-node delivery resumes after', async () => {
    await twoNodes(async (a, b) => {
      const onA = sessionOn(a, '/live');
      const onB = sessionOn(b, '/live');
      a.broker.publish(new Outgoing({ channel: '/live', data: 'before' }));
      await until(() => onB.queueLength === 1, 'the first event on B');
      await a.broker.settled();

      const down = Promise.all([a, b].map((node) => new Promise<void>((resolve) => node.broker.link.once('down', () => resolve()))));
      await redis.kill();
      await down;
      assert.equal(a.broker.link.isUp, false);
      assert.equal(a.broker.publish(new Outgoing({ channel: '/live', data: 'during' })), 1, 'delivered locally while Redis is down');
      assert.ok(a.broker.stats.dropped >= 1, 'counted as not sent to other nodes');

      await redis.start();
      assert.ok(await a.broker.link.whenUp(UP_MS), 'node A reconnected');
      assert.ok(await b.broker.link.whenUp(UP_MS), 'node B reconnected');
      a.broker.publish(new Outgoing({ channel: '/live', data: 'after' }));
      await until(() => onB.queueLength === 2, 'the event after the restart on B');
      await a.broker.settled();
      assert.deepEqual(dataOf(onA), ['before', 'during', 'after'], 'A: every event once, in order');
      assert.deepEqual(dataOf(onB), ['before', 'after'], 'B: what Redis could carry');
      assert.ok(logs.some((line) => /lost Redis/.test(line)) && logs.some((line) => /back after/.test(line)), 'the outage was logged');
    });
  });

  test('an event in flight when Redis dies is still delivered locally, once', async () => {
    await twoNodes(async (a) => {
      const onA = sessionOn(a, '/x');
      const kill = redis.kill();
      for (let i = 0; i < 50; i++) a.broker.publish(new Outgoing({ channel: '/x', data: i }));
      await kill;
      await within(a.broker.settled(), 'in-flight events delivered');
      assert.deepEqual(dataOf(onA), Array.from({ length: 50 }, (_, i) => i));
      await redis.start();
      assert.ok(await a.broker.link.whenUp(UP_MS));
      a.broker.publish(new Outgoing({ channel: '/x', data: 'next' }));
      await a.broker.settled();
      assert.deepEqual(dataOf(onA), ['next'], 'no late duplicates after reconnecting');
    });
  });
});

