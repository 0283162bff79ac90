import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runAfter } from '../../server/bayeux/protocol/process';
import { assertError, handshake, makeCore, send, sendAndSettle } from '../helpers/protocol';

const sub = (clientId: string, subscription: unknown, extra: Record<string, unknown> = {}) =>
  ({ channel: '/meta/subscribe', clientId, subscription, ...extra });
const unsub = (clientId: string, subscription: unknown, extra: Record<string, unknown> = {}) =>
  ({ channel: '/meta/unsubscribe', clientId, subscription, ...extra });

describe('/meta/subscribe', () => {
  test('a subscribe is recorded and the reply echoes id and subscription', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    const { replies } = await sendAndSettle(core, [sub(session.id, '/chat/room', { id: 's1' })]);
    assert.deepEqual(replies, [{ channel: '/meta/subscribe', id: 's1', successful: true, subscription: '/chat/room' }]);
    assert.deepEqual(engine.callsOf('subscribe'), [{ method: 'subscribe', id: session.id, subscription: '/chat/room', result: true }]);
    assert.deepEqual([...session.subscriptions], ['/chat/room']);
  });

  test('wildcard patterns are valid subscriptions', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    for (const pattern of ['/a/*', '/a/**', '/*', '/**', '/a/b/*']) {
      const { replies } = await send(core, [sub(session.id, pattern)]);
      assert.equal(replies[0]!.successful, true, pattern);
      assert.equal(replies[0]!.subscription, pattern);
    }
    assert.equal(engine.callsOf('subscribe').length, 5);
  });

  test('an array subscribes to every name and is echoed as sent', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    const names = ['/a', '/b/*', '/c/**'];
    const { replies } = await sendAndSettle(core, [sub(session.id, names, { id: 'arr' })]);
    assert.equal(replies[0]!.successful, true);
    assert.equal(replies[0]!.id, 'arr');
    assert.deepEqual(replies[0]!.subscription, names);
    assert.deepEqual(engine.callsOf('subscribe').map((c) => c.subscription), names);
    assert.deepEqual([...session.subscriptions].sort(), [...names].sort());
  });

  test('subscribe events are emitted after runAfter, once per new subscription', async () => {
    const { core } = makeCore();
    const session = await handshake(core);
    const events: string[] = [];
    core.events.on('subscribe', (s, name) => {
      assert.equal(s, session);
      events.push(name);
    });
    const first = await send(core, [sub(session.id, ['/a', '/a', '/b'])]);
    assert.deepEqual(events, [], 'nothing before the transport writes the reply');
    runAfter(first.scope);
    assert.deepEqual(events, ['/a', '/b']);
    const again = await sendAndSettle(core, [sub(session.id, '/a')]);
    assert.equal(again.replies[0]!.successful, true, 'subscribing twice is not an error');
    assert.deepEqual(events, ['/a', '/b'], 'no event for an existing subscription');
  });

  test('a missing or empty subscription is refused', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    for (const subscription of [undefined, []]) {
      const { replies } = await send(core, [sub(session.id, subscription, { id: 'm' })]);
      assert.equal(replies[0]!.successful, false);
      assert.equal(replies[0]!.id, 'm');
      assertError(replies[0]!.error, 402, ['subscription'], 'Missing required parameter');
    }
    assert.equal(engine.callsOf('subscribe').length, 0);
  });

  test('invalid channel names and patterns are refused with 405, all or nothing', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    const invalid: unknown[] = [
      'chat', '/', '//a', '/a/', '/a//b', '/a b', '/a/*/b', '/a/***', '/**/a', '/a*', '/é', '/a\u0000',
      '/' + 'x'.repeat(300), 5, null, {}, ['/ok', 7], [['/nested']], ['/ok', '/not ok'],
    ];
    for (const subscription of invalid) {
      const { replies } = await send(core, [sub(session.id, subscription, { id: 'i' })]);
      assert.equal(replies[0]!.successful, false, JSON.stringify(subscription));
      assert.equal(replies[0]!.id, 'i');
      assertError(replies[0]!.error, 405);
      assert.deepEqual(replies[0]!.subscription, subscription, 'the reply echoes the subscription as sent');
    }
    assert.equal(engine.callsOf('subscribe').length, 0);
    assert.equal(session.subscriptions.size, 0);
  });

  test('meta channels cannot be subscribed to', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    for (const name of ['/meta/**', '/meta/*', '/meta/connect', '/meta/handshake', '/meta/foo', '/meta']) {
      const { replies } = await send(core, [sub(session.id, name)]);
      assert.equal(replies[0]!.successful, false, name);
      assertError(replies[0]!.error, 403, [name]);
    }
    const mixed = await send(core, [sub(session.id, ['/ok', '/meta/**'])]);
    assert.equal(mixed.replies[0]!.successful, false);
    assert.equal(engine.callsOf('subscribe').length, 0);
  });

  test('service channels are accepted but not recorded', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    const events: string[] = [];
    core.events.on('subscribe', (_s, name) => events.push(name));
    const { replies } = await sendAndSettle(core, [sub(session.id, ['/service/echo', '/service/**', '/news'], { id: 'sv' })]);
    assert.equal(replies[0]!.successful, true);
    assert.deepEqual(replies[0]!.subscription, ['/service/echo', '/service/**', '/news']);
    assert.deepEqual(engine.callsOf('subscribe').map((c) => c.subscription), ['/news']);
    assert.deepEqual([...session.subscriptions], ['/news']);
    assert.deepEqual(events, ['/news']);
  });

  test('policy deny: 403:<channel>:subscribe_denied and nothing recorded, even for the allowed names', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    const asked: string[] = [];
    core.policy = {
      canSubscribe(s, name, message) {
        assert.equal(s, session);
        assert.equal(message.channel, '/meta/subscribe');
        asked.push(name);
        return Promise.resolve(name !== '/secret/**');
      },
    };
    const events: string[] = [];
    core.events.on('subscribe', (_s, name) => events.push(name));
    const { replies } = await sendAndSettle(core, [sub(session.id, ['/public', '/secret/**'], { id: 'p' })]);
    assert.equal(replies[0]!.successful, false);
    assert.equal(replies[0]!.id, 'p');
    assert.equal(replies[0]!.error, '403:/secret/**:subscribe_denied');
    assert.deepEqual(replies[0]!.subscription, ['/public', '/secret/**']);
    assert.deepEqual(asked, ['/public', '/secret/**']);
    assert.equal(engine.callsOf('subscribe').length, 0);
    assert.equal(session.subscriptions.size, 0);
    assert.deepEqual(events, []);
  });

  test('a session may hold at most maxSubscriptionsPerSession subscriptions', async () => {
    const { core } = makeCore({ maxSubscriptionsPerSession: 3 });
    const session = await handshake(core);
    assert.equal((await send(core, [sub(session.id, ['/a', '/b'])])).replies[0]!.successful, true);
    const over = await send(core, [sub(session.id, ['/a', '/c', '/d'])]);
    assert.equal(over.replies[0]!.successful, false);
    assertError(over.replies[0]!.error, 429);
    assert.deepEqual([...session.subscriptions].sort(), ['/a', '/b']);
    assert.equal((await send(core, [sub(session.id, ['/a', '/c'])])).replies[0]!.successful, true, 'duplicates do not count twice');
  });

  test('an unknown client gets 402 with handshake advice', async () => {
    const { core, engine } = makeCore();
    const { replies } = await send(core, [sub('ghost', '/a', { id: 'g' }), { channel: '/meta/subscribe', subscription: '/a' }]);
    for (const reply of replies) {
      assert.equal(reply.error, '402::Unknown client');
      assert.equal(reply.advice?.reconnect, 'handshake');
      assert.ok((reply.advice?.interval ?? 0) > 0);
    }
    assert.equal(replies[0]!.id, 'g');
    assert.equal(engine.callsOf('subscribe').length, 0);
  });

  test('/meta/subscribe/x is an unknown meta channel, never a subscribe', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    for (const channel of ['/meta/subscribe/x', '/meta/subscribe/', '/meta/subscribex', '/meta/Subscribe']) {
      const { replies } = await send(core, [{ channel, clientId: session.id, subscription: '/a', id: 'u' }]);
      assert.equal(replies[0]!.successful, false, channel);
      assert.equal(replies[0]!.channel, channel);
      assert.equal(replies[0]!.id, 'u');
      assertError(replies[0]!.error, 404);
    }
    assert.equal(engine.callsOf('subscribe').length, 0);
    assert.equal(session.subscriptions.size, 0);
  });

  test('ext must be an object and id a short string', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    for (const [fields, field] of [[{ ext: 1 }, 'ext'], [{ ext: 'a' }, 'ext'], [{ id: 3 }, 'id'], [{ id: ['x'] }, 'id']] as const) {
      const { replies } = await send(core, [sub(session.id, '/a', fields)]);
      assertError(replies[0]!.error, 400, [field]);
    }
    assert.equal(engine.callsOf('subscribe').length, 0);
  });
});

describe('/meta/unsubscribe', () => {
  test('unsubscribe removes the subscription and echoes id and subscription', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    await sendAndSettle(core, [sub(session.id, ['/a', '/b/**'])]);
    const events: string[] = [];
    core.events.on('unsubscribe', (s, name) => {
      assert.equal(s, session);
      events.push(name);
    });
    const { replies, scope } = await send(core, [unsub(session.id, ['/b/**', '/never'], { id: 'u1' })]);
    assert.deepEqual(replies, [{ channel: '/meta/unsubscribe', id: 'u1', successful: true, subscription: ['/b/**', '/never'] }]);
    assert.deepEqual(engine.callsOf('unsubscribe').map((c) => [c.subscription, c.result]), [['/b/**', true], ['/never', false]]);
    assert.deepEqual([...session.subscriptions], ['/a']);
    assert.deepEqual(events, [], 'events wait for runAfter');
    runAfter(scope);
    assert.deepEqual(events, ['/b/**'], 'only a subscription that existed is reported');
  });

  test('invalid or missing subscriptions are refused', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    const missing = await send(core, [unsub(session.id, undefined)]);
    assertError(missing.replies[0]!.error, 402, ['subscription']);
    const invalid = await send(core, [unsub(session.id, 'nope', { id: 'x' })]);
    assertError(invalid.replies[0]!.error, 405);
    assert.equal(invalid.replies[0]!.id, 'x');
    assert.equal(invalid.replies[0]!.subscription, 'nope');
    const meta = await send(core, [unsub(session.id, '/meta/**')]);
    assertError(meta.replies[0]!.error, 403);
    assert.equal(engine.callsOf('unsubscribe').length, 0);
  });

  test('an unknown client gets 402', async () => {
    const { core } = makeCore();
    const { replies } = await send(core, [unsub('ghost', '/a')]);
    assert.equal(replies[0]!.error, '402::Unknown client');
    assert.equal(replies[0]!.advice?.reconnect, 'handshake');
  });
});
