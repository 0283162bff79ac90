/**
 * The one suite every Engine passes (as Faye's engine_spec is shared by its memory and Redis
 * engines). It tests only what the Engine interface promises, its session index and its broker
 * together, through real ServerSessions whose deliveries are observed in their queues (and, once,
 * through a PushSink): sessions, counts, subscribe/unsubscribe results, exact and wildcard
 * matching, exactly-once delivery through the broker and locally, removal, close.
 *
 * An engine that delivers asynchronously passes `settle`, awaited after each publish before the
 * deliveries are read.
 */
import { decodeTextFrame } from '../helpers/ws-frame';
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../lib/bayeux/index';
import { closeEngine, type Engine, type SessionIndex } from '../../server/bayeux/engine/engine';
import { Outgoing } from '../../server/bayeux/outgoing';
import { ServerSession, type PushSink } from '../../server/bayeux/session';
import { BARE_HOST } from '../helpers/session-host';

export interface EngineContractOptions {
  /** Wait until published events have reached local sessions (default: two event-loop turns). */
  settle?: () => Promise<void>;
}

const host = BARE_HOST;

function newSession(): ServerSession {
  return new ServerSession(host, 10_000, 'long-polling');
}

async function defaultSettle(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function runEngineContract(
  name: string,
  makeEngine: () => Engine | Promise<Engine>,
  { settle = defaultSettle }: EngineContractOptions = {},
): void {
  describe(`Engine contract: ${name}`, () => {
    let engine: Engine;
    /** The engine's session index: always this node's, whatever the broker. */
    let index: SessionIndex;
    let closed = false;

    beforeEach(async () => {
      engine = await makeEngine();
      index = engine.sessions;
      closed = false;
    });

    afterEach(async () => {
      if (!closed) await closeEngine(engine);
    });

    function added(count = 1): ServerSession[] {
      return Array.from({ length: count }, () => {
        const session = newSession();
        index.addSession(session);
        return session;
      });
    }

    /** Publish, wait for delivery, and return the recipients count with what each session received. */
    async function publish(channel: string, data: unknown = 'x'): Promise<number> {
      const recipients = engine.broker.publish(new Outgoing({ channel, data }));
      await settle();
      return recipients;
    }

    function received(session: ServerSession): Message[] {
      return session.drain().map((event) => event.message);
    }

    describe('sessions', () => {
      test('a new engine is empty', () => {
        assert.equal(index.sessionCount, 0);
        assert.equal(index.fanOutBacklog, 0);
        assert.deepEqual([...index.all()], []);
        assert.equal(index.getSession('nobody'), undefined);
        assert.equal(index.subscriberCount('/a'), 0);
      });

      test('added sessions are found by id, listed and counted', () => {
        const [a, b, c] = added(3);
        assert.equal(index.sessionCount, 3);
        assert.equal(index.getSession(a!.id), a);
        assert.equal(index.getSession(b!.id), b);
        assert.deepEqual(new Set(index.all()), new Set([a, b, c]));
      });

      test('removeSession returns true once, then false; unknown ids are false', () => {
        const [a, b] = added(2);
        assert.equal(index.removeSession(a!.id), true);
        assert.equal(index.removeSession(a!.id), false);
        assert.equal(index.removeSession('never-added'), false);
        assert.equal(index.getSession(a!.id), undefined);
        assert.equal(index.getSession(b!.id), b);
        assert.equal(index.sessionCount, 1);
        assert.deepEqual([...index.all()], [b]);
      });
    });

    describe('subscriptions', () => {
      test('subscribe returns true when new and false when it already existed', () => {
        const [s] = added();
        assert.equal(index.subscribe(s!, '/a'), true);
        assert.equal(index.subscribe(s!, '/a'), false);
        assert.equal(index.subscribe(s!, '/a/*'), true);
        assert.equal(index.subscribe(s!, '/a/**'), true);
        assert.equal(index.subscriberCount('/a'), 1);
      });

      test('unsubscribe returns true when it existed and false otherwise', () => {
        const [s] = added();
        assert.equal(index.unsubscribe(s!, '/a'), false, 'never subscribed');
        index.subscribe(s!, '/a');
        assert.equal(index.unsubscribe(s!, '/a'), true);
        assert.equal(index.unsubscribe(s!, '/a'), false);
        assert.equal(index.subscriberCount('/a'), 0);
      });

      test('the session records its subscriptions (the protocol counts against them)', () => {
        const [s] = added();
        index.subscribe(s!, '/a');
        index.subscribe(s!, '/b/**');
        assert.deepEqual(new Set(s!.subscriptions), new Set(['/a', '/b/**']));
        index.unsubscribe(s!, '/a');
        assert.deepEqual([...s!.subscriptions], ['/b/**']);
      });

      test('one session subscribing does not subscribe another', async () => {
        const [a, b] = added(2);
        index.subscribe(a!, '/a');
        assert.equal(index.subscriberCount('/a'), 1);
        assert.equal(await publish('/a'), 1);
        assert.equal(received(a!).length, 1);
        assert.deepEqual(received(b!), []);
      });
    });

    describe('matching', () => {
      /** Subscribe one fresh session to `pattern`, then report which channels reach it. */
      async function reaches(pattern: string, channels: string[]): Promise<string[]> {
        const [s] = added();
        index.subscribe(s!, pattern);
        const reached: string[] = [];
        for (const channel of channels) {
          const count = await publish(channel);
          const got = received(s!);
          assert.ok(got.length <= 1, `${pattern} got ${got.length} copies of ${channel}`);
          assert.equal(count, got.length, `publish(${channel}) counts its recipients`);
          assert.equal(index.subscriberCount(channel), got.length, `subscriberCount(${channel}) for ${pattern}`);
          if (got.length === 1) {
            assert.deepEqual(got[0], { channel, data: 'x' });
            reached.push(channel);
          }
        }
        index.removeSession(s!.id);
        return reached;
      }

      const channels = ['/a', '/a/b', '/a/b/c', '/a/bc', '/ab', '/ab/c', '/b/a', '/a/b/c/d'];

      test('an exact channel receives only that channel', async () => {
        assert.deepEqual(await reaches('/a/b', channels), ['/a/b']);
      });

      test('/a/* receives exactly one more segment', async () => {
        assert.deepEqual(await reaches('/a/*', channels), ['/a/b', '/a/bc']);
      });

      test('/a/** receives one or more segments, never /a itself', async () => {
        assert.deepEqual(await reaches('/a/**', channels), ['/a/b', '/a/b/c', '/a/bc', '/a/b/c/d']);
      });

      test('/* receives every one-segment channel', async () => {
        assert.deepEqual(await reaches('/*', channels), ['/a', '/ab']);
      });

      test('/** receives everything', async () => {
        assert.deepEqual(await reaches('/**', channels), channels);
      });

      test('a deeper pattern: /a/b/** and /a/b/*', async () => {
        assert.deepEqual(await reaches('/a/b/**', channels), ['/a/b/c', '/a/b/c/d']);
        assert.deepEqual(await reaches('/a/b/*', channels), ['/a/b/c']);
      });
    });

    describe('delivery', () => {
      test('exactly once through overlapping subscriptions', async () => {
        const [s] = added();
        for (const pattern of ['/a/b', '/a/*', '/a/**', '/**', '/*']) index.subscribe(s!, pattern);
        assert.equal(index.subscriberCount('/a/b'), 1);
        assert.equal(await publish('/a/b', 1), 1);
        assert.deepEqual(received(s!), [{ channel: '/a/b', data: 1 }]);
        assert.equal(await publish('/a', 2), 1);
        assert.deepEqual(received(s!), [{ channel: '/a', data: 2 }]);
      });

      test('publish returns the number of distinct sessions reached, each once', async () => {
        const sessions = added(12);
        const patterns = ['/a/b', '/a/*', '/a/**', '/**', '/x', '/a/b/*'];
        sessions.forEach((s, i) => {
          index.subscribe(s, patterns[i % patterns.length]!);
          if (i % 3 === 0) index.subscribe(s, '/a/**');
        });
        // Reached by /a/b: /a/b, /a/*, /a/**, /** and every i % 3 === 0.
        const expected = sessions.filter((_, i) => i % 6 <= 3 || i % 3 === 0);
        assert.equal(index.subscriberCount('/a/b'), expected.length);
        assert.equal(await publish('/a/b', 'e'), expected.length);
        for (const s of sessions) {
          assert.equal(received(s).length, expected.includes(s) ? 1 : 0);
        }
      });

      test('no subscriber: publish returns 0 and nobody receives', async () => {
        const [s] = added();
        index.subscribe(s!, '/other');
        assert.equal(await publish('/a'), 0);
        assert.deepEqual(received(s!), []);
      });

      test('events arrive in publish order', async () => {
        const [s] = added();
        index.subscribe(s!, '/a/**');
        for (let i = 0; i < 20; i++) engine.broker.publish(new Outgoing({ channel: `/a/${i % 3}`, data: i }));
        await settle();
        assert.deepEqual(received(s!).map((m) => m.data), Array.from({ length: 20 }, (_, i) => i));
      });

      test('publishing locally (index.deliver) reaches this engine\'s subscribers, each once, and counts them', async () => {
        const [s, t] = added(2);
        index.subscribe(s!, '/a/**');
        index.subscribe(s!, '/a/b');
        index.subscribe(t!, '/a/b');
        assert.equal(index.deliver(new Outgoing({ channel: '/a/b', data: 'here' })), 2);
        await settle();
        assert.deepEqual(received(s!).map((m) => m.data), ['here']);
        assert.deepEqual(received(t!).map((m) => m.data), ['here']);
      });

      test('the event carries the published message intact', async () => {
        const [s] = added();
        index.subscribe(s!, '/a');
        const message = { channel: '/a', data: { nested: [1, 'two', null, { three: true }] }, ext: { 'com.acme': 1 } };
        const event = new Outgoing(message);
        engine.broker.publish(event);
        await settle();
        const [got] = s!.drain();
        assert.deepEqual(got!.message, message);
        assert.equal(got!.json, event.json);
      });

      test('a session with a push sink gets the event as one frame', async () => {
        const frames: string[] = [];
        const sink: PushSink = { isOpen: () => true, canWrite: () => true, write: (f) => void frames.push(decodeTextFrame(f)), onWritable: () => {} };
        const [s] = added();
        s!.sink = sink;
        index.subscribe(s!, '/a/*');
        assert.equal(await publish('/a/b', 7), 1);
        assert.deepEqual(frames, ['[{"channel":"/a/b","data":7}]']);
      });

      test('unsubscribing one of several matching patterns keeps delivery; unsubscribing all stops it', async () => {
        const [s] = added();
        index.subscribe(s!, '/a/b');
        index.subscribe(s!, '/a/**');
        index.unsubscribe(s!, '/a/b');
        assert.equal(await publish('/a/b'), 1);
        assert.equal(received(s!).length, 1);
        index.unsubscribe(s!, '/a/**');
        assert.equal(index.subscriberCount('/a/b'), 0);
        assert.equal(await publish('/a/b'), 0);
        assert.deepEqual(received(s!), []);
      });

      test('removeSession drops its subscriptions and its deliveries', async () => {
        const [gone, stays] = added(2);
        for (const s of [gone!, stays!]) {
          index.subscribe(s, '/a');
          index.subscribe(s, '/a/**');
        }
        index.subscribe(gone!, '/only/gone');
        index.removeSession(gone!.id);
        assert.equal(index.subscriberCount('/a'), 1);
        assert.equal(index.subscriberCount('/a/b'), 1);
        assert.equal(index.subscriberCount('/only/gone'), 0);
        assert.equal(await publish('/a'), 1);
        assert.equal(await publish('/only/gone'), 0);
        assert.deepEqual(received(gone!), []);
        assert.equal(received(stays!).length, 1);
      });

      test('a removed and re-added session starts without subscriptions', async () => {
        const [s] = added();
        index.subscribe(s!, '/a');
        index.removeSession(s!.id);
        index.addSession(s!);
        assert.equal(index.subscriberCount('/a'), 0);
        assert.equal(index.subscribe(s!, '/a'), true);
        assert.equal(await publish('/a'), 1);
      });

      test('many sessions on one channel', async () => {
        const sessions = added(300);
        for (const s of sessions) index.subscribe(s, '/crowd');
        assert.equal(index.subscriberCount('/crowd'), 300);
        assert.equal(await publish('/crowd'), 300);
        assert.ok(sessions.every((s) => received(s).length === 1));
        assert.equal(index.fanOutBacklog, 0, 'once every session has the event, no fan-out is left going out');
      });
    });

    test('close resolves', async () => {
      added(2);
      closed = true;
      await closeEngine(engine);
    });
  });
}
