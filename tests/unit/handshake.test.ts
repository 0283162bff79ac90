import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../lib/bayeux/index';
import { runAfter } from '../../server/bayeux/protocol/process';
import type { ServerSession } from '../../server/bayeux/session';
import { assertError, drained, handshake, handshakeMessage, makeCore, requestInfo, send, sendAndSettle, onlyReply } from '../helpers/protocol';

describe('/meta/handshake', () => {
  test('a handshake creates a session and answers with the fields the spec requires', async () => {
    const { core, engine } = makeCore({ timeout: 20_000, interval: 0 });
    const { replies } = await sendAndSettle(core, [handshakeMessage({ id: 'h1' })]);
    const reply = onlyReply(replies, { channel: '/meta/handshake', id: 'h1', successful: true });
    assert.equal(reply.version, '1.0');
    assert.ok(Array.isArray(reply.supportedConnectionTypes));
    assert.ok(reply.supportedConnectionTypes.includes('long-polling'));
    assert.equal(typeof reply.clientId, 'string');
    assert.match(reply.clientId!, /^[A-Za-z0-9]{32,}$/, 'clientId is alphanumeric with at least 128 bits');
    assert.equal(reply.error, undefined);
    assert.deepEqual(
      { reconnect: reply.advice?.reconnect, interval: reply.advice?.interval, timeout: reply.advice?.timeout },
      { reconnect: 'retry', interval: 0, timeout: 20_000 },
    );
    assert.deepEqual(engine.callsOf('addSession'), [{ method: 'addSession', id: reply.clientId }]);
    const session = engine.getSession(reply.clientId!)!;
    assert.equal(session.state, 'handshaken');
    assert.equal(session.connectionType, 'long-polling');
  });

  test('the reply carries no id when the request had none', async () => {
    const { core } = makeCore();
    const { replies } = await send(core, [handshakeMessage()]);
    assert.equal(replies[0]!.successful, true);
    assert.equal('id' in replies[0]!, false);
  });

  test('every handshake gets a distinct clientId', async () => {
    const { core } = makeCore();
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add((await handshake(core)).id);
    assert.equal(ids.size, 50);
  });

  test('without supportedConnectionTypes the handshake is taken as offering the transport it came on', async () => {
    for (const transport of ['long-polling', 'callback-polling', 'websocket'] as const) {
      const { core, engine } = makeCore();
      const { replies } = await send(core, [{ channel: '/meta/handshake', version: '1.0', id: '7' }], requestInfo(transport));
      const reply = replies[0]!;
      assert.equal(reply.successful, true, `${transport}: ${reply.error}`);
      assert.equal(reply.id, '7');
      assert.equal(engine.getSession(reply.clientId!)!.connectionType, transport);
    }
  });

  test('without supportedConnectionTypes, a transport the server does not offer is refused with 301', async () => {
    const { core, engine } = makeCore({ transports: ['long-polling'] });
    const { replies } = await send(core, [{ channel: '/meta/handshake', version: '1.0' }], requestInfo('websocket'));
    assertError(replies[0]!.error, 301, ['websocket']);
    assert.equal(replies[0]!.advice?.reconnect, 'none');
    assert.equal(engine.sessionCount, 0);
  });

  test('no connection type in common: 301 with the server types and reconnect none, no session', async () => {
    const { core, engine } = makeCore({ transports: ['long-polling', 'websocket'] });
    const { replies } = await sendAndSettle(core, [handshakeMessage({ id: 'x', supportedConnectionTypes: ['iframe', 'flash'] })]);
    const reply = onlyReply(replies, { channel: '/meta/handshake', id: 'x', successful: false });
    assertError(reply.error, 301, ['iframe', 'flash'], 'Connection types not supported');
    assert.equal(reply.advice?.reconnect, 'none');
    assert.deepEqual(reply.supportedConnectionTypes, ['long-polling', 'websocket']);
    assert.equal(reply.clientId, undefined);
    assert.equal(engine.sessionCount, 0);
    assert.deepEqual(engine.callsOf('addSession'), []);
  });

  test('one type in common is enough; the session takes the transport it arrived on when that is common', async () => {
    const { core, engine } = makeCore();
    const viaPolling = await send(core, [handshakeMessage({ supportedConnectionTypes: ['flash', 'long-polling', 'websocket'] })], requestInfo('long-polling'));
    assert.equal(engine.getSession(viaPolling.replies[0]!.clientId!)!.connectionType, 'long-polling');
    // Arrived on callback-polling but offers only websocket: the common type wins.
    const other = await send(core, [handshakeMessage({ supportedConnectionTypes: ['websocket'] })], requestInfo('callback-polling'));
    assert.equal(other.replies[0]!.successful, true);
    assert.equal(engine.getSession(other.replies[0]!.clientId!)!.connectionType, 'websocket');
  });

  test('malformed supportedConnectionTypes is refused, no session', async () => {
    for (const bad of ['long-polling', 5, {}, [1], ['long-polling', null], null]) {
      const { core, engine } = makeCore();
      const { replies } = await send(core, [handshakeMessage({ id: 'm', supportedConnectionTypes: bad as never })]);
      assert.equal(replies[0]!.successful, false, JSON.stringify(bad));
      assert.equal(replies[0]!.id, 'm');
      assertError(replies[0]!.error, 400, ['supportedConnectionTypes']);
      assert.equal(engine.sessionCount, 0);
    }
  });

  test('a non-string version is refused; a minimumVersion above 1 is a version mismatch with reconnect none', async () => {
    const { core, engine } = makeCore();
    const badVersion = await send(core, [handshakeMessage({ version: 1 as never })]);
    assertError(badVersion.replies[0]!.error, 400, ['version']);
    const tooNew = await send(core, [handshakeMessage({ minimumVersion: '2.0' })]);
    assert.equal(tooNew.replies[0]!.successful, false);
    assertError(tooNew.replies[0]!.error, 300, ['2.0']);
    assert.equal(tooNew.replies[0]!.advice?.reconnect, 'none');
    assert.equal(engine.sessionCount, 0);
  });

  test('policy deny: 403::handshake_denied with reconnect none, and no session is registered', async () => {
    for (const verdict of [false, Promise.resolve(false)]) {
      const { core, engine } = makeCore();
      const seen: Array<{ session: ServerSession; message: Message; transport: string | undefined }> = [];
      core.policy = {
        canHandshake(session, message, request) {
          seen.push({ session, message, transport: request?.transport });
          return verdict;
        },
      };
      const handshakes: ServerSession[] = [];
      core.events.on('handshake', (session) => handshakes.push(session));
      const { replies } = await sendAndSettle(core, [handshakeMessage({ id: 'd', ext: { auth: 'nope' } })], requestInfo('callback-polling'));
      const reply = replies[0]!;
      assert.equal(reply.successful, false);
      assert.equal(reply.error, '403::handshake_denied');
      assert.equal(reply.advice?.reconnect, 'none');
      assert.equal(reply.id, 'd');
      assert.equal(reply.clientId, undefined);
      assert.equal(engine.sessionCount, 0);
      assert.deepEqual(engine.callsOf('addSession'), []);
      assert.equal(handshakes.length, 0);
      assert.equal(seen.length, 1);
      assert.deepEqual(seen[0]!.message.ext, { auth: 'nope' });
      assert.equal(seen[0]!.transport, 'callback-polling');
      assert.equal(engine.getSession(seen[0]!.session.id), undefined);
    }
  });

  test('a policy that allows may mark the session before it is registered', async () => {
    const { core } = makeCore();
    core.policy = { canHandshake: (session) => (session.setAttribute('role', 'presenter'), true) };
    const session = await handshake(core);
    assert.equal(session.getAttribute('role'), 'presenter');
  });

  test('a throwing policy becomes a 500 reply and an error event, without a session', async () => {
    const { core, engine, errors } = makeCore();
    core.policy = { canHandshake: () => { throw new Error('policy exploded'); } };
    const { replies } = await send(core, [handshakeMessage({ id: 'e' })]);
    assert.equal(replies[0]!.successful, false);
    assert.equal(replies[0]!.id, 'e');
    assertError(replies[0]!.error, 500);
    assert.equal(engine.sessionCount, 0);
    assert.deepEqual(errors.map((e) => e.message), ['policy exploded']);
  });

  test('other messages in the same request are refused and not acted upon', async () => {
    const { core, engine } = makeCore();
    const subscriber = await handshake(core);
    await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: subscriber.id, subscription: '/chat' }]);
    engine.calls.length = 0;
    const published: string[] = [];
    core.events.on('publish', (_s, channel) => published.push(channel));

    const batch = [
      { channel: '/chat', clientId: subscriber.id, data: 'sneaky', id: 'p' },
      handshakeMessage({ id: 'h' }),
      { channel: '/meta/subscribe', clientId: subscriber.id, subscription: '/other', id: 's' },
      { channel: '/meta/connect', clientId: subscriber.id, connectionType: 'long-polling', id: 'c' },
      { channel: '/meta/disconnect', clientId: subscriber.id, id: 'd' },
    ];
    const { replies, scope } = await send(core, batch);
    runAfter(scope);
    assert.deepEqual(replies.map((r) => [r.id, r.channel, r.successful]), [
      ['p', '/chat', false],
      ['h', '/meta/handshake', true],
      ['s', '/meta/subscribe', false],
      ['c', '/meta/connect', false],
      ['d', '/meta/disconnect', false],
    ]);
    for (const reply of replies.filter((r) => r.id !== 'h')) assertError(reply.error, 400);
    // The handshake itself was honoured; nothing else happened.
    assert.deepEqual(engine.calls.map((c) => c.method), ['addSession']);
    assert.equal(engine.published.length, 0);
    assert.deepEqual(drained(subscriber), []);
    assert.deepEqual([...subscriber.subscriptions], ['/chat']);
    assert.equal(subscriber.state, 'handshaken');
    assert.equal(scope.connect, undefined);
    assert.deepEqual(published, []);
    assert.equal(engine.sessionCount, 2);
  });

  test('two handshakes in one request create one session', async () => {
    const { core, engine } = makeCore();
    const { replies } = await send(core, [handshakeMessage({ id: 'a' }), handshakeMessage({ id: 'b' })]);
    assert.deepEqual(replies.map((r) => r.successful), [true, false]);
    assert.equal(engine.sessionCount, 1);
  });

  test('beyond maxSessions (429: full, not shutting down), and while closing (503), handshakes are refused with handshake advice and a pause', async () => {
    const { core, engine } = makeCore({ maxSessions: 2, failureInterval: 300 });
    await handshake(core);
    await handshake(core);
    const full = await send(core, [handshakeMessage()]);
    assert.equal(full.replies[0]!.successful, false);
    assertError(full.replies[0]!.error, 429);
    assert.equal(full.replies[0]!.error, '429:server,2:Too many sessions');
    assert.equal(full.replies[0]!.advice?.reconnect, 'handshake');
    assert.ok((full.replies[0]!.advice?.interval ?? 0) > 0);
    assert.equal(engine.sessionCount, 2);

    const closing = makeCore();
    closing.core.closing = true;
    const refused = await send(closing.core, [handshakeMessage()]);
    assertError(refused.replies[0]!.error, 503);
    assert.equal(closing.engine.sessionCount, 0);
  });

  test('malformed envelope fields are refused before a session exists', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: 5 }, 'id'],
      [{ id: { a: 1 } }, 'id'],
      [{ id: 'x'.repeat(129) }, 'id'],
      [{ ext: 'token' }, 'ext'],
      [{ ext: [1, 2] }, 'ext'],
      [{ ext: null }, 'ext'],
      [{ clientId: 42 }, 'clientId'],
    ];
    for (const [fields, field] of cases) {
      const { core, engine } = makeCore();
      const { replies } = await send(core, [{ ...handshakeMessage(), ...fields }]);
      assert.equal(replies.length, 1);
      assert.equal(replies[0]!.successful, false, JSON.stringify(fields));
      assertError(replies[0]!.error, 400, [field]);
      assert.equal(engine.sessionCount, 0);
    }
  });

  test('the handshake event is emitted only after the transport runs the deferred listeners', async () => {
    const { core } = makeCore();
    const events: Array<[string, string | undefined]> = [];
    core.events.on('handshake', (session, message) => events.push([session.id, message.id]));
    const { replies, scope } = await send(core, [handshakeMessage({ id: 'ev' })]);
    assert.deepEqual(events, []);
    runAfter(scope);
    assert.deepEqual(events, [[replies[0]!.clientId, 'ev']]);
    runAfter(scope);
    assert.equal(events.length, 1, 'deferred listeners run once');
  });

  test('a throwing event listener becomes an error event, not a crash', async () => {
    const { core, errors } = makeCore();
    core.events.on('handshake', () => { throw new Error('listener bug'); });
    const { replies, scope } = await send(core, [handshakeMessage()]);
    assert.equal(replies[0]!.successful, true);
    runAfter(scope);
    assert.deepEqual(errors.map((e) => e.message), ['listener bug']);
  });
});
