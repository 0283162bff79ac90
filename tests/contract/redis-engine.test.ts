/**
 * The Redis engine against a real redis-server on a free port: the shared engine contract, then
 * what only several nodes show: cross-node delivery exactly once and in one order, one
 * serialisation per node, and a Redis restart (local delivery goes on, cross-node resumes).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RedisEngine } from '../../server/bayeux/engine/redis';
import { Outgoing } from '../../server/bayeux/outgoing';
import { ServerSession } from '../../server/bayeux/session';
import { BARE_HOST } from '../helpers/session-host';
import { runEngineContract } from './engine-contract';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { until, within } from '../helpers/wait';

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
    assert.ok(await current.link.whenUp(UP_MS), 'the engine reached Redis');
    return current;
  },
  { settle: () => current!.settled() },
);

const host = BARE_HOST;

function sessionOn(engine: RedisEngine, ...subscriptions: string[]): ServerSession {
  const session = new ServerSession(host, 10_000, 'long-polling');
  engine.addSession(session);
  for (const subscription of subscriptions) engine.subscribe(session, subscription);
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
    assert.ok(await a.link.whenUp(UP_MS), 'node A reached Redis');
    assert.ok(await b.link.whenUp(UP_MS), 'node B reached Redis');
    await run(a, b);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

describe('RedisEngine across nodes', () => {
  test('a publish on one node reaches the subscribers of every node exactly once', async () => {
    await twoNodes(async (a, b) => {
      const onA = sessionOn(a, '/a/**');
      const onB = [sessionOn(b, '/a/b'), sessionOn(b, '/a/*', '/a/**', '/**')];
      const elsewhere = sessionOn(b, '/x');
      assert.equal(a.publish(new Outgoing({ channel: '/a/b', data: 1 })), 1, 'publish counts the local recipients');
      await until(() => onB.every((s) => s.queueLength > 0), 'delivery on B');
      await a.settled();
      // Anything duplicated would be here by the time a second event went the same way.
      b.publish(new Outgoing({ channel: '/a/b', data: 2 }));
      await until(() => onA.queueLength === 2, 'the second event on A');
      await b.settled();
      assert.deepEqual(dataOf(onA), [1, 2]);
      for (const s of onB) assert.deepEqual(dataOf(s), [1, 2]);
      assert.deepEqual(dataOf(elsewhere), []);
    });
  });

  test('publishLocally reaches only the node it is called on', async () => {
    await twoNodes(async (a, b) => {
      const onA = sessionOn(a, '/talk');
      const onB = sessionOn(b, '/talk');
      assert.equal(a.publishLocally(new Outgoing({ channel: '/talk', data: 'a only' })), 1);
      // A sentinel through Redis: once it is on B, anything A sent before it would be there too.
      a.publish(new Outgoing({ channel: '/talk', data: 'sentinel' }));
      await until(() => onB.queueLength === 1, 'the sentinel on B');
      await a.settled();
      assert.deepEqual(dataOf(onB), ['sentinel']);
      assert.deepEqual(dataOf(onA), ['a only', 'sentinel']);
    });
  });

  test('every node delivers interleaved publishes from two nodes in one same order, each node\'s own in its order', async () => {
    await twoNodes(async (a, b) => {
      const onA = sessionOn(a, '/talk');
      const onB = sessionOn(b, '/talk');
      for (let i = 0; i < 100; i++) {
        a.publish(new Outgoing({ channel: '/talk', data: `a${i}` }));
        b.publish(new Outgoing({ channel: '/talk', data: `b${i}` }));
      }
      await until(() => onA.queueLength === 200 && onB.queueLength === 200, '200 events on each node');
      await Promise.all([a.settled(), b.settled()]);
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
      a.publish(sent);
      await until(() => sessions.every((s) => s.queueLength === 1), 'delivery to five sessions on B');
      const events = sessions.map((s) => s.drain()[0]!);
      assert.ok(events.every((event) => event === events[0]), 'one Outgoing for every session of the node');
      assert.equal(events[0]!.json, sent.json, 'the JSON the publisher made, not a new serialisation');
      assert.deepEqual(events[0]!.message, sent.message);
    });
  });

  test('messages on the channel that are not events are counted and ignored', async () => {
    await twoNodes(async (a, b) => {
      const onB = sessionOn(b, '/**');
      await a.link.publisher.publish(b.channel, 'garbage');
      await a.link.publisher.publish(b.channel, 'x|1|{not json');
      await a.link.publisher.publish(b.channel, 'x|1|"a string"');
      a.publish(new Outgoing({ channel: '/ok', data: 'fine' }));
      await until(() => onB.queueLength === 1, 'the real event');
      assert.deepEqual(dataOf(onB), ['fine']);
      assert.equal(b.stats.malformed, 3);
    });
  });

  test('Redis restarts: local delivery goes on while it is down, cross-node delivery resumes after', async () => {
    await twoNodes(async (a, b) => {
      const onA = sessionOn(a, '/live');
      const onB = sessionOn(b, '/live');
      a.publish(new Outgoing({ channel: '/live', data: 'before' }));
      await until(() => onB.queueLength === 1, 'the first event on B');
      await a.settled();

      const down = Promise.all([a, b].map((node) => new Promise<void>((resolve) => node.link.once('down', () => resolve()))));
      await redis.kill();
      await down;
      assert.equal(a.link.isUp, false);
      assert.equal(a.publish(new Outgoing({ channel: '/live', data: 'during' })), 1, 'delivered locally while Redis is down');
      assert.ok(a.stats.dropped >= 1, 'counted as not sent to other nodes');

      await redis.start();
      assert.ok(await a.link.whenUp(UP_MS), 'node A reconnected');
      assert.ok(await b.link.whenUp(UP_MS), 'node B reconnected');
      a.publish(new Outgoing({ channel: '/live', data: 'after' }));
      await until(() => onB.queueLength === 2, 'the event after the restart on B');
      await a.settled();
      assert.deepEqual(dataOf(onA), ['before', 'during', 'after'], 'A: every event once, in order');
      assert.deepEqual(dataOf(onB), ['before', 'after'], 'B: what Redis could carry');
      assert.ok(logs.some((line) => /lost Redis/.test(line)) && logs.some((line) => /back after/.test(line)), 'the outage was logged');
    });
  });

  test('an event in flight when Redis dies is still delivered locally, once', async () => {
    await twoNodes(async (a) => {
      const onA = sessionOn(a, '/x');
      const kill = redis.kill();
      for (let i = 0; i < 50; i++) a.publish(new Outgoing({ channel: '/x', data: i }));
      await kill;
      await within(a.settled(), 'in-flight events delivered');
      assert.deepEqual(dataOf(onA), Array.from({ length: 50 }, (_, i) => i));
      await redis.start();
      assert.ok(await a.link.whenUp(UP_MS));
      a.publish(new Outgoing({ channel: '/x', data: 'next' }));
      await a.settled();
      assert.deepEqual(dataOf(onA), ['next'], 'no late duplicates after reconnecting');
    });
  });
});

