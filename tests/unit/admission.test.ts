/**
 * Session and handshake limits (admission.ts): per WebSocket, per client address (an IPv6 /64 as
 * one), handshakes per second per address, subscribes per second per session. Each refusal is a
 * 429 with handshake advice and a pause; a removed session gives its place back; 503 only while closing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestInfo } from '../../server/bayeux/request';
import { limitKey } from '../../server/bayeux/client-address';
import { assertError, handshakeMessage, makeCore, requestInfo, send, sendAndSettle } from '../helpers/protocol';

function from(address: string, socket?: object): RequestInfo {
  return { ...requestInfo('websocket'), remoteAddress: address, ...(socket ? { socket } : {}) };
}

describe('admission limits', () => {
  test('one socket holds at most maxSessionsPerSocket sessions; another socket from the same address is unaffected', async () => {
    const { core, engine } = makeCore({ maxSessionsPerSocket: 3, refusedInterval: 4_000 });
    const socket = {};
    for (let i = 0; i < 3; i++) assert.equal((await send(core, [handshakeMessage()], from('10.0.0.1', socket))).replies[0]!.successful, true);
    const refused = (await send(core, [handshakeMessage()], from('10.0.0.1', socket))).replies[0]!;
    assert.equal(refused.successful, false);
    assertError(refused.error, 429, ['socket', '3'], 'Too many sessions');
    assert.deepEqual(refused.advice, { reconnect: 'handshake', interval: 4_000 });
    assert.equal(engine.sessionCount, 3);
    assert.equal((await send(core, [handshakeMessage()], from('10.0.0.1', {}))).replies[0]!.successful, true);
  });

  test('a removed session gives its place on the socket and the address back', async () => {
    const { core } = makeCore({ maxSessionsPerSocket: 1, maxSessionsPerAddress: 1 });
    const socket = {};
    const first = (await send(core, [handshakeMessage()], from('10.0.0.2', socket))).replies[0]!;
    assert.equal((await send(core, [handshakeMessage()], from('10.0.0.2', socket))).replies[0]!.successful, false);
    await sendAndSettle(core, [{ channel: '/meta/disconnect', clientId: first.clientId }], from('10.0.0.2', socket));
    assert.equal(core.admission.sessionsFrom('10.0.0.2'), 0);
    assert.equal((await send(core, [handshakeMessage()], from('10.0.0.2', socket))).replies[0]!.successful, true);
  });

  test('one address holds at most maxSessionsPerAddress sessions, whatever the sockets; other addresses join', async () => {
    const { core } = makeCore({ maxSessionsPerAddress: 5 });
    for (let i = 0; i < 5; i++) assert.equal((await send(core, [handshakeMessage()], from('10.0.0.3', {}))).replies[0]!.successful, true);
    assertError((await send(core, [handshakeMessage()], from('10.0.0.3', {}))).replies[0]!.error, 429, ['address', '5']);
    assert.equal((await send(core, [handshakeMessage()], from('10.0.0.4', {}))).replies[0]!.successful, true);
  });

  test('handshakes per address are a token bucket: the burst, then the steady rate', async () => {
    const { core } = makeCore({ handshakeBurstPerAddress: 4, handshakesPerSecondPerAddress: 2 });
    let now = 1_000_000;
    core.now = () => now;
    const results: boolean[] = [];
    for (let i = 0; i < 6; i++) results.push((await send(core, [handshakeMessage()], from('10.0.0.5'))).replies[0]!.successful === true);
    assert.deepEqual(results, [true, true, true, true, false, false]);
    assertError((await send(core, [handshakeMessage()], from('10.0.0.5'))).replies[0]!.error, 429, ['2'], 'Too many handshakes');
    now += 500; // one token back at 2 a second
    assert.equal((await send(core, [handshakeMessage()], from('10.0.0.5'))).replies[0]!.successful, true);
    assert.equal((await send(core, [handshakeMessage()], from('10.0.0.5'))).replies[0]!.successful, false);
    assert.equal((await send(core, [handshakeMessage()], from('10.0.0.6'))).replies[0]!.successful, true, 'another address has its own budget');
  });

  test('a handshake refused for its socket costs its address nothing', async () => {
    const { core } = makeCore({ maxSessionsPerSocket: 1, handshakeBurstPerAddress: 3, handshakesPerSecondPerAddress: 1 });
    core.now = () => 5_000;
    const socket = {};
    await send(core, [handshakeMessage()], from('10.0.0.7', socket));
    for (let i = 0; i < 100; i++) assertError((await send(core, [handshakeMessage()], from('10.0.0.7', socket))).replies[0]!.error, 429, ['socket', '1']);
    assert.equal((await send(core, [handshakeMessage()], from('10.0.0.7', {}))).replies[0]!.successful, true);
  });

  test('a policy that refuses, or throws, gives the place back', async () => {
    const { core } = makeCore({ maxSessionsPerAddress: 1 });
    let verdict: 'deny' | 'throw' | 'allow' = 'deny';
    core.policy = { canHandshake: async () => {
      if (verdict === 'throw') throw new Error('policy broke');
      return verdict === 'allow';
    } };
    assertError((await send(core, [handshakeMessage()], from('10.0.0.8'))).replies[0]!.error, 403);
    verdict = 'throw';
    assertError((await send(core, [handshakeMessage()], from('10.0.0.8'))).replies[0]!.error, 500);
    verdict = 'allow';
    assert.equal((await send(core, [handshakeMessage()], from('10.0.0.8'))).replies[0]!.successful, true);
  });

  test('subscribes per session are a token bucket: 429 beyond it, and the budget refills', async () => {
    const { core } = makeCore({ subscribeBurstPerSession: 3, subscribesPerSecondPerSession: 1 });
    let now = 2_000_000;
    core.now = () => now;
    const { clientId } = (await send(core, [handshakeMessage()])).replies[0]!;
    const subscribe = async (n: number) => (await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId, subscription: `/c/${n}` }])).replies[0]!;
    for (let i = 0; i < 3; i++) assert.equal((await subscribe(i)).successful, true);
    const refused = await subscribe(3);
    assertError(refused.error, 429, ['1'], 'Too many subscribes');
    assert.equal(refused.subscription, '/c/3');
    now += 1_000;
    assert.equal((await subscribe(4)).successful, true);
  });

  test('IPv6 addresses count per /64; IPv4-mapped addresses as their IPv4', () => {
    assert.equal(limitKey('2001:db8:0:1::5'), limitKey('2001:0db8:0000:0001:ffff:1:2:3'));
    assert.notEqual(limitKey('2001:db8:0:1::5'), limitKey('2001:db8:0:2::5'));
    assert.equal(limitKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(limitKey('192.0.2.7'), '192.0.2.7');
  });
});
