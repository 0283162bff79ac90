import { describe, test } from 'node:test';
import { runFanouts } from '../../server/bayeux/protocol/process';
import assert from 'node:assert/strict';
import { assertError, connectPending, connectedSession, handshake, makeCore, requestInfo, send, sendAndSettle, onlyReply } from '../helpers/protocol';

describe('/meta/connect', () => {
  test('an unknown clientId gets 402::Unknown client with handshake advice and a non-zero interval', async () => {
    const { core } = makeCore({ failureInterval: 750 });
    for (const message of [
      { channel: '/meta/connect', clientId: 'nosuchclient', connectionType: 'long-polling', id: 'c1' },
      { channel: '/meta/connect', connectionType: 'long-polling', id: 'c1' },
    ]) {
      const { replies, scope } = await send(core, [message]);
      assert.equal(scope.connect, undefined);
      const reply = onlyReply(replies, { channel: '/meta/connect', id: 'c1', successful: false });
      assert.equal(reply.error, '402::Unknown client');
      assert.equal(reply.advice?.reconnect, 'handshake');
      assert.equal(reply.advice?.interval, 750);
    }
  });

  test('the first connect is pending but answered at once, with full advice', async () => {
    const { core } = makeCore({ timeout: 20_000, interval: 100 });
    const session = await handshake(core);
    const pending = await connectPending(core, session, { id: 'c1' });
    assert.equal(pending.holdMs, 0);
    assert.equal(pending.session, session);
    assert.equal(session.state, 'connected');
    const { events, reply } = core.answerConnect(pending);
    assert.deepEqual(events, []);
    assert.equal(reply.channel, '/meta/connect');
    assert.equal(reply.id, 'c1');
    assert.equal(reply.successful, true);
    assert.deepEqual(reply.advice, { reconnect: 'retry', interval: 100, timeout: 20_000 });
  });

  test('later connects are held for the server timeout, without advice unless the client sent some', async () => {
    const { core } = makeCore({ timeout: 20_000 });
    const session = await connectedSession(core);
    const pending = await connectPending(core, session, { id: 'c2' });
    assert.equal(pending.holdMs, 20_000);
    assert.equal(pending.reply.id, 'c2');
    assert.equal(pending.reply.advice, undefined);
  });

  test('client advice.timeout is honoured only to shorten the hold', async () => {
    const { core } = makeCore({ timeout: 20_000 });
    const session = await connectedSession(core);
    const cases: Array<[unknown, number]> = [
      [0, 0], [5_000, 5_000], [19_999, 19_999], [20_000, 20_000], [60_000, 20_000], [1e12, 20_000],
      [-1, 20_000], ['0', 20_000], [null, 20_000], [true, 20_000],
    ];
    for (const [timeout, expected] of cases) {
      const pending = await connectPending(core, session, { advice: { timeout: timeout as number } });
      assert.equal(pending.holdMs, expected, `client timeout ${JSON.stringify(timeout)}`);
      assert.equal(pending.reply.advice?.timeout, 20_000, 'the reply advises the server timeout');
    }
  });

  test('a malformed advice is ignored, not fatal', async () => {
    const { core, errors } = makeCore({ timeout: 20_000 });
    const session = await connectedSession(core);
    for (const advice of ['soon', 5, [1], null]) {
      const pending = await connectPending(core, session, { advice: advice as never });
      assert.equal(pending.holdMs, 20_000);
    }
    assert.deepEqual(errors, []);
  });

  test('a missing connectionType is refused and the session is not marked connected', async () => {
    const { core } = makeCore();
    const session = await handshake(core);
    const { replies, scope } = await send(core, [{ channel: '/meta/connect', clientId: session.id, id: 'n' }]);
    assert.equal(scope.connect, undefined);
    assert.equal(replies[0]!.id, 'n');
    assert.equal(replies[0]!.successful, false);
    assertError(replies[0]!.error, 402, ['connectionType'], 'Missing required parameter');
    assert.equal(session.state, 'handshaken');
  });

  test('an unknown or not-offered connectionType is refused with 301 and handshake advice', async () => {
    const { core, errors } = makeCore({ transports: ['long-polling', 'callback-polling'], failureInterval: 400 });
    const session = await handshake(core);
    const cases: unknown[] = ['websocket', 'iframe', 5, null, ['long-polling'], { toString: 1 }, { type: 'long-polling' }];
    for (const connectionType of cases) {
      const { replies, scope } = await send(core, [{ channel: '/meta/connect', clientId: session.id, connectionType }]);
      assert.equal(scope.connect, undefined, JSON.stringify(connectionType));
      assert.equal(replies[0]!.successful, false);
      assertError(replies[0]!.error, 301);
      assert.equal(replies[0]!.advice?.reconnect, 'handshake');
      assert.equal(replies[0]!.advice?.interval, 400);
    }
    assert.deepEqual(errors, [], 'a client field never causes a server error');
    assert.equal(session.state, 'handshaken');
  });

  test('the session takes the connection type of its connects', async () => {
    const { core } = makeCore();
    const session = await handshake(core, requestInfo('long-polling'));
    await connectPending(core, session, {}, requestInfo('callback-polling'));
    assert.equal(session.connectionType, 'callback-polling');
  });

  test('only one connect per request: the second is refused', async () => {
    const { core } = makeCore();
    const session = await connectedSession(core);
    const connect = { channel: '/meta/connect', clientId: session.id, connectionType: 'long-polling' };
    const { replies, scope } = await send(core, [{ ...connect, id: 'a' }, { ...connect, id: 'b' }]);
    assert.equal(scope.connect?.reply.id, 'a');
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.id, 'b');
    assert.equal(replies[0]!.successful, false);
    assertError(replies[0]!.error, 400);
  });

  test('a connect batched with other messages stays pending while the others are answered in order', async () => {
    const { core } = makeCore();
    const session = await connectedSession(core);
    const { replies, scope } = await send(core, [
      { channel: '/meta/subscribe', clientId: session.id, subscription: '/a', id: 's' },
      { channel: '/meta/connect', clientId: session.id, connectionType: 'long-polling', id: 'c' },
      { channel: '/a', clientId: session.id, data: 1, id: 'p' },
    ]);
    assert.deepEqual(replies.map((r) => [r.id, r.successful]), [['s', true], ['p', true]]);
    assert.equal(scope.connect?.reply.id, 'c');
    runFanouts(scope); // as the long-polling transport does before answering a batched connect
    const answer = core.answerConnect(scope.connect!);
    assert.deepEqual(answer.events.map((e) => e.message), [{ channel: '/a', data: 1 }]);
  });

  test('malformed envelope fields are refused without touching the session', async () => {
    const { core } = makeCore();
    const session = await handshake(core);
    const base = { channel: '/meta/connect', clientId: session.id, connectionType: 'long-polling' };
    for (const [fields, field] of [[{ id: 12 }, 'id'], [{ ext: 'x' }, 'ext'], [{ ext: [] }, 'ext'], [{ clientId: [session.id] }, 'clientId']] as const) {
      const { replies, scope } = await send(core, [{ ...base, ...fields }]);
      assert.equal(scope.connect, undefined);
      assertError(replies[0]!.error, 400, [field]);
    }
    assert.equal(session.state, 'handshaken');
  });

  test('after a disconnect, connects are unknown', async () => {
    const { core } = makeCore();
    const session = await connectedSession(core);
    await sendAndSettle(core, [{ channel: '/meta/disconnect', clientId: session.id }]);
    const { replies, scope } = await send(core, [{ channel: '/meta/connect', clientId: session.id, connectionType: 'long-polling' }]);
    assert.equal(scope.connect, undefined);
    assert.equal(replies[0]!.error, '402::Unknown client');
    assert.equal(replies[0]!.advice?.reconnect, 'handshake');
  });
});
