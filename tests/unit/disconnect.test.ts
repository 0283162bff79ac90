import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RemovalReason } from '../../server/bayeux/events';
import { runAfter } from '../../server/bayeux/protocol/process';
import {
  assertError, capture, connectPending, connectedSession, handshake, makeCore, send, sendAndSettle,
} from '../helpers/protocol';

describe('/meta/disconnect', () => {
  test('a disconnect removes the session and answers with the request id', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: session.id, subscription: ['/a', '/b/*'] }]);
    const { replies } = await sendAndSettle(core, [{ channel: '/meta/disconnect', clientId: session.id, id: 'd1' }]);
    assert.deepEqual(replies, [{ channel: '/meta/disconnect', id: 'd1', successful: true }]);
    assert.deepEqual(engine.callsOf('removeSession'), [{ method: 'removeSession', id: session.id, result: true }]);
    assert.equal(engine.getSession(session.id), undefined);
    assert.equal(session.state, 'removed');
    assert.equal(engine.subscriberCount('/a'), 0);
    assert.equal(engine.subscriberCount('/b/c'), 0);
  });

  test('the held connect is released at once with reconnect none', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const session = await connectedSession(core);
    const pending = await connectPending(core, session, { id: 'held' });
    const held = capture();
    core.holdConnect(pending, held);
    assert.equal(held.answers.length, 0, 'the connect is held');
    await sendAndSettle(core, [{ channel: '/meta/disconnect', clientId: session.id }]);
    assert.equal(held.answers.length, 1);
    const { reply } = held.answers[0]!;
    assert.equal(reply.id, 'held');
    assert.equal(reply.channel, '/meta/connect');
    assert.equal(reply.advice?.reconnect, 'none');
    assert.equal(session.held, undefined, 'no timer is left behind');
  });

  test('a session the server removed is told to stop, not to re-handshake, even with no connect held', async () => {
    const { core } = makeCore();
    const removed = await connectedSession(core);
    core.removeSession(removed, 'server');
    const next = await send(core, [{ channel: '/meta/connect', clientId: removed.id, connectionType: 'long-polling' }]);
    assert.equal(next.replies[0]!.error, '402::Unknown client');
    assert.deepEqual(next.replies[0]!.advice, { reconnect: 'none' });
    const expired = await connectedSession(core);
    core.removeSession(expired, 'expired');
    const after = await send(core, [{ channel: '/meta/connect', clientId: expired.id, connectionType: 'long-polling' }]);
    assert.equal(after.replies[0]!.advice?.reconnect, 'handshake', 'an expired session may come back');
  });

  test('the disconnect event (reason disconnect) is emitted only after runAfter', async () => {
    const { core } = makeCore();
    const session = await handshake(core);
    const events: Array<[string, RemovalReason]> = [];
    core.events.on('disconnect', (s, reason) => events.push([s.id, reason]));
    const { scope } = await send(core, [{ channel: '/meta/disconnect', clientId: session.id }]);
    assert.deepEqual(events, []);
    runAfter(scope);
    assert.deepEqual(events, [[session.id, 'disconnect']]);
  });

  test('an unknown clientId gets 402 with handshake advice; a missing one is a missing parameter', async () => {
    const { core, engine } = makeCore();
    const unknown = await send(core, [{ channel: '/meta/disconnect', clientId: 'ghost', id: 'g' }]);
    assert.equal(unknown.replies[0]!.error, '402::Unknown client');
    assert.equal(unknown.replies[0]!.id, 'g');
    assert.equal(unknown.replies[0]!.advice?.reconnect, 'handshake');
    assert.ok((unknown.replies[0]!.advice?.interval ?? 0) > 0);
    const missing = await send(core, [{ channel: '/meta/disconnect', id: 'm' }]);
    assert.equal(missing.replies[0]!.successful, false);
    assertError(missing.replies[0]!.error, 402, ['clientId'], 'Missing required parameter');
    assert.equal(engine.callsOf('removeSession').length, 0);
  });

  test('messages after a disconnect in the same batch find no session', async () => {
    const { core, engine } = makeCore();
    const listener = await handshake(core);
    await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: listener.id, subscription: '/a' }]);
    const session = await handshake(core);
    const { replies } = await sendAndSettle(core, [
      { channel: '/meta/disconnect', clientId: session.id, id: '1' },
      { channel: '/a', clientId: session.id, data: 'late', id: '2' },
      { channel: '/meta/disconnect', clientId: session.id, id: '3' },
    ]);
    assert.deepEqual(replies.map((r) => [r.id, r.successful, r.error]), [
      ['1', true, undefined],
      ['2', false, '402::Unknown client'],
      ['3', false, '402::Unknown client'],
    ]);
    assert.equal(engine.published.length, 0);
    assert.equal(listener.queueLength, 0);
  });

  test('ext must be an object and id a short string', async () => {
    const { core, engine } = makeCore();
    const session = await handshake(core);
    for (const [fields, field] of [[{ ext: true }, 'ext'], [{ id: 1 }, 'id']] as const) {
      const { replies } = await send(core, [{ channel: '/meta/disconnect', clientId: session.id, ...fields }]);
      assertError(replies[0]!.error, 400, [field]);
    }
    assert.equal(engine.getSession(session.id), session);
  });
});
