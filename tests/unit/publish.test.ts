import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../lib/bayeux/index';
import { runAfter } from '../../server/bayeux/protocol/process';
import type { ServerSession } from '../../server/bayeux/session';
import { assertError, drained, handshake, makeCore, send, sendAndSettle, type TestCore } from '../helpers/protocol';

/** A core with a publisher and a listener subscribed to `/**` (it would see anything that leaks). */
async function setup(options: Parameters<typeof makeCore>[0] = {}): Promise<TestCore & { publisher: ServerSession; listener: ServerSession }> {
  const test = makeCore(options);
  const publisher = await handshake(test.core);
  const listener = await handshake(test.core);
  const { replies } = await sendAndSettle(test.core, [{ channel: '/meta/subscribe', clientId: listener.id, subscription: '/**' }]);
  assert.equal(replies[0]!.successful, true);
  test.engine.calls.length = 0;
  return { ...test, publisher, listener };
}

describe('publish', () => {
  test('the publisher is answered before the fan-out, which runs once the replies are handed over', async () => {
    const { core, engine, publisher, listener } = await setup();
    const { replies, scope } = await send(core, [{ channel: '/a', clientId: publisher.id, data: 'x' }]);
    assert.equal(replies[0]!.successful, true);
    assert.equal(engine.callsOf('publish').length, 0, 'nothing fanned out yet');
    runAfter(scope);
    assert.equal(engine.callsOf('publish').length, 1);
    assert.deepEqual(drained(listener), [{ channel: '/a', data: 'x' }]);
  });

  test('a publish reaches subscribers without the publisher id, clientId or private ext; the reply echoes the id', async () => {
    const { core, engine, publisher, listener } = await setup();
    const exact = await handshake(core);
    await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: exact.id, subscription: '/chat/room' }]);
    const message = {
      channel: '/chat/room', clientId: publisher.id, id: 'p1', data: { text: 'hi', n: [1, 2] },
      ext: { 'com.acme.trace': 't-1', auth: { token: 'secret' }, ack: 3, timesync: { tc: 1 } },
      advice: { timeout: 0 }, subscription: '/x',
    };
    const { replies } = await sendAndSettle(core, [message]);
    assert.deepEqual(replies, [{ channel: '/chat/room', id: 'p1', successful: true }]);
    assert.equal(engine.callsOf('publish').length, 1);
    const expected = { channel: '/chat/room', data: { text: 'hi', n: [1, 2] }, ext: { 'com.acme.trace': 't-1' } };
    assert.deepEqual(drained(listener), [expected]);
    assert.deepEqual(drained(exact), [expected]);
    assert.deepEqual(drained(publisher), [], 'the publisher is not subscribed');
  });

  test('a publisher subscribed to its channel gets its own message (CometD broadcastToPublisher)', async () => {
    const { core, publisher } = await setup();
    await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: publisher.id, subscription: '/a' }]);
    await sendAndSettle(core, [{ channel: '/a', clientId: publisher.id, data: 1 }]);
    assert.deepEqual(drained(publisher), [{ channel: '/a', data: 1 }]);
  });

  test('data: null is data; a publish without data is refused and reaches nobody', async () => {
    const { core, engine, publisher, listener } = await setup();
    const ok = await sendAndSettle(core, [{ channel: '/a', clientId: publisher.id, data: null }]);
    assert.equal(ok.replies[0]!.successful, true);
    assert.deepEqual(drained(listener), [{ channel: '/a', data: null }]);
    engine.calls.length = 0;
    const { replies } = await send(core, [{ channel: '/a', clientId: publisher.id, id: 'nd' }]);
    assert.equal(replies[0]!.successful, false);
    assert.equal(replies[0]!.id, 'nd');
    assertError(replies[0]!.error, 402, ['data'], 'Missing required parameter');
    assert.equal(engine.callsOf('publish').length, 0);
    assert.deepEqual(drained(listener), []);
  });

  test('publishing to a wildcard is refused', async () => {
    const { core, engine, publisher, listener } = await setup();
    for (const channel of ['/a/*', '/a/**', '/*', '/**', '/a/b/**']) {
      const { replies } = await send(core, [{ channel, clientId: publisher.id, data: 1, id: 'w' }]);
      assert.equal(replies[0]!.successful, false, channel);
      assert.equal(replies[0]!.channel, channel);
      assert.equal(replies[0]!.id, 'w');
      assertError(replies[0]!.error, 405, [channel]);
    }
    assert.equal(engine.callsOf('publish').length, 0);
    assert.deepEqual(drained(listener), []);
  });

  test('invalid channel names are refused with 405; a missing channel is a missing parameter', async () => {
    const { core, engine, publisher, listener } = await setup();
    for (const channel of ['chat', '/', '//a', '/a/', '/a//b', '/a b', '/é', '/a/*/b', '/' + 'x'.repeat(400), 5, null, ['/a'], {}]) {
      const { replies } = await send(core, [{ channel, clientId: publisher.id, data: 1, id: 'i' }]);
      assert.equal(replies.length, 1);
      assert.equal(replies[0]!.successful, false, JSON.stringify(channel));
      assert.equal(replies[0]!.id, 'i');
      assertError(replies[0]!.error, 405);
    }
    const missing = await send(core, [{ clientId: publisher.id, data: 1 }]);
    assertError(missing.replies[0]!.error, 402, ['channel']);
    assert.equal(engine.callsOf('publish').length, 0);
    assert.deepEqual(drained(listener), []);
  });

  test('client text echoed in an error is kept within the spec grammar, so the error splits unambiguously', async () => {
    const { core, publisher } = await setup();
    const cases: Array<[string, string]> = [
      ['/a:b', '405:/a?b:Invalid channel'],
      ['/a,b', '405:/a?b:Invalid channel'],
      ['/a\nb', '405:/a?b:Invalid channel'],
      ['/meta/x:y', '404:/meta/x?y:Unknown meta channel'],
    ];
    for (const [channel, error] of cases) {
      const { replies } = await send(core, [{ channel, clientId: publisher.id, data: 1 }]);
      assert.equal(replies[0]!.error, error);
    }
    const handshake = await send(core, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['a:b', 'c,d'] }]);
    assert.equal(handshake.replies[0]!.error, '301:a?b,c?d:Connection types not supported');
  });

  test('policy deny: 403:<channel>:publish_denied and the message reaches nobody', async () => {
    const { core, engine, publisher, listener } = await setup();
    const asked: Array<[string, string, unknown]> = [];
    core.policy = {
      canPublish: (session, channel, message) => {
        asked.push([session.id, channel, message.data]);
        return Promise.resolve(channel !== '/slideshow/change');
      },
    };
    const published: string[] = [];
    core.events.on('publish', (_s, channel) => published.push(channel));
    const { replies } = await sendAndSettle(core, [{ channel: '/slideshow/change', clientId: publisher.id, data: { slide: 9 }, id: 'x' }]);
    assert.deepEqual(replies, [{ channel: '/slideshow/change', id: 'x', successful: false, error: '403:/slideshow/change:publish_denied' }]);
    assert.deepEqual(asked, [[publisher.id, '/slideshow/change', { slide: 9 }]]);
    assert.equal(engine.callsOf('publish').length, 0);
    assert.deepEqual(drained(listener), []);
    assert.deepEqual(published, []);
  });

  test('/service/** publishes reach only server listeners, never subscribers', async () => {
    const { core, engine, publisher, listener } = await setup();
    await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: listener.id, subscription: ['/service/echo', '/service/**'] }]);
    const seen: Array<[string, string, unknown, string | undefined]> = [];
    core.events.on('publish', (session, channel, data, message) => seen.push([session.id, channel, data, message.id]));
    const { replies, scope } = await send(core, [{ channel: '/service/echo', clientId: publisher.id, data: { q: 1 }, id: 'svc' }]);
    assert.deepEqual(replies, [{ channel: '/service/echo', id: 'svc', successful: true }]);
    assert.deepEqual(seen, [], 'the publish event waits for runAfter');
    runAfter(scope);
    assert.deepEqual(seen, [[publisher.id, '/service/echo', { q: 1 }, 'svc']]);
    assert.equal(engine.callsOf('publish').length, 0);
    assert.deepEqual(drained(listener), []);
  });

  test('the publish event for broadcast channels comes after runAfter, with the full message', async () => {
    const { core, publisher } = await setup();
    const seen: Message[] = [];
    core.events.on('publish', (_s, _c, _d, message) => seen.push(message));
    const { scope } = await send(core, [{ channel: '/a', clientId: publisher.id, data: 2, id: 'e' }]);
    assert.equal(seen.length, 0);
    runAfter(scope);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.id, 'e');
  });

  test('unknown meta channels are refused and never delivered nor treated as their prefix', async () => {
    const { core, engine, publisher, listener } = await setup();
    for (const channel of ['/meta/foo', '/meta', '/meta/subscribe/x', '/meta/connect/', '/meta/handshake/x', '/meta/publish']) {
      const { replies } = await send(core, [{ channel, clientId: publisher.id, data: 1, subscription: '/a', id: 'm' }]);
      assert.equal(replies[0]!.successful, false, channel);
      assert.equal(replies[0]!.id, 'm');
      assertError(replies[0]!.error, 404);
    }
    assert.equal(engine.callsOf('publish').length, 0);
    assert.equal(engine.callsOf('subscribe').length, 0);
    assert.deepEqual(drained(listener), []);
    assert.equal(engine.sessionCount, 2);
  });

  test('publishes from unknown or missing clients are refused with 402 and handshake advice', async () => {
    const { core, engine, listener } = await setup();
    const { replies } = await send(core, [
      { channel: '/a', clientId: 'ghost', data: 1, id: '1' },
      { channel: '/a', data: 1, id: '2' },
    ]);
    for (const reply of replies) {
      assert.equal(reply.error, '402::Unknown client');
      assert.equal(reply.advice?.reconnect, 'handshake');
      assert.ok((reply.advice?.interval ?? 0) > 0);
    }
    assert.deepEqual(replies.map((r) => r.id), ['1', '2']);
    assert.equal(engine.callsOf('publish').length, 0);
    assert.deepEqual(drained(listener), []);
  });

  test('a message larger than maxMessageBytes is refused and reaches nobody', async () => {
    const { core, engine, publisher, listener } = await setup({ maxMessageBytes: 1_000 });
    const { replies } = await send(core, [{ channel: '/a', clientId: publisher.id, data: 'x'.repeat(2_000) }]);
    assertError(replies[0]!.error, 413);
    assert.equal(engine.callsOf('publish').length, 0);
    assert.deepEqual(drained(listener), []);
  });

  test('maxMessageBytes counts UTF-8 bytes, not characters', async () => {
    const { core, publisher, listener } = await setup({ maxMessageBytes: 1_000 });
    // 400 euro signs: 400 characters, 1200 bytes.
    const { replies } = await send(core, [{ channel: '/a', clientId: publisher.id, data: '€'.repeat(400) }]);
    assertError(replies[0]!.error, 413);
    assert.deepEqual(drained(listener), []);
  });

  test('a batch runs in order: publish then subscribe does not deliver to the new subscriber', async () => {
    const { core, publisher } = await setup();
    const { replies } = await sendAndSettle(core, [
      { channel: '/ordered', clientId: publisher.id, data: 'before' },
      { channel: '/meta/subscribe', clientId: publisher.id, subscription: '/ordered' },
      { channel: '/ordered', clientId: publisher.id, data: 'after' },
    ]);
    assert.deepEqual(replies.map((r) => r.successful), [true, true, true]);
    assert.deepEqual(drained(publisher).map((m) => m.data), ['after']);
  });

  test('an incoming extension refuses by setting error: the sender gets it, nobody else gets anything', async () => {
    const { core, engine, publisher, listener } = await setup();
    core.extensions.add({
      incoming(message) {
        if (message.channel === '/guarded') message.error = '403::guarded';
        return message;
      },
    });
    const { replies } = await send(core, [{ channel: '/guarded', clientId: publisher.id, data: 1, id: 'g' }]);
    assert.deepEqual(replies, [{ channel: '/guarded', id: 'g', successful: false, error: '403::guarded' }]);
    assert.equal(engine.callsOf('publish').length, 0);
    assert.deepEqual(drained(listener), []);
  });

  test('a client cannot supply the error field itself', async () => {
    const { core, engine, publisher, listener, errors } = await setup();
    for (const error of ['forged', { toString: 1 }, 7]) {
      const { replies } = await send(core, [{ channel: '/a', clientId: publisher.id, data: 1, error, id: 'f' }]);
      assert.equal(replies[0]!.successful, false);
      assert.equal(replies[0]!.id, 'f');
      assertError(replies[0]!.error, 400, ['error']);
    }
    assert.deepEqual(errors, [], 'client garbage is not a server error');
    assert.equal(engine.callsOf('publish').length, 0);
    assert.deepEqual(drained(listener), []);
  });

  test('ext must be an object and id a short string', async () => {
    const { core, engine, publisher } = await setup();
    for (const [fields, field] of [[{ ext: 'x' }, 'ext'], [{ ext: [1] }, 'ext'], [{ id: 9 }, 'id'], [{ id: 'z'.repeat(200) }, 'id'], [{ clientId: 1 }, 'clientId']] as const) {
      const { replies } = await send(core, [{ channel: '/a', clientId: publisher.id, data: 1, ...fields }]);
      assertError(replies[0]!.error, 400, [field]);
    }
    assert.equal(engine.callsOf('publish').length, 0);
  });

  test('non-object messages in a batch are answered one by one', async () => {
    const { core, engine, publisher } = await setup();
    const { replies } = await sendAndSettle(core, [5, 'x', null, [], true, { channel: '/a', clientId: publisher.id, data: 1 }]);
    assert.equal(replies.length, 6);
    for (const reply of replies.slice(0, 5)) {
      assert.equal(reply.successful, false);
      assertError(reply.error, 400);
    }
    assert.equal(replies[5]!.successful, true);
    assert.equal(engine.callsOf('publish').length, 1);
  });
});
