import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ackExtension } from '../../server/bayeux/ext/ack';
import { timesyncExtension } from '../../server/bayeux/ext/timesync';
import { capture, connectPending, handshake, makeCore, send, sendAndSettle } from '../helpers/protocol';

/** A core with the timesync extension on a clock the test moves. */
function timesyncCore(accuracyTarget = 25) {
  const clock = { now: 10_000 };
  const test = makeCore({ timeout: 60_000 });
  test.core.extensions.add(timesyncExtension(accuracyTarget, () => clock.now));
  return { ...test, clock };
}

const handshakeWith = (timesync: unknown) => ({ channel: '/meta/handshake', version: '1.0', ext: { timesync } });

describe('timesync extension', () => {
  test('a first sync (l = 0) gets {tc, ts, p, a}', async () => {
    const { core, clock } = timesyncCore();
    clock.now = 10_000;
    const { replies } = await send(core, [handshakeWith({ tc: 9_900, l: 0, o: 0 })]);
    assert.equal(replies[0]!.successful, true);
    // a = tc + o + l - ts
    assert.deepEqual(replies[0]!.ext?.timesync, { tc: 9_900, ts: 10_000, p: 0, a: -100 });
  });

  test('without l and o the reply has no accuracy', async () => {
    const { core } = timesyncCore();
    const { replies } = await send(core, [handshakeWith({ tc: 9_990 })]);
    assert.deepEqual(replies[0]!.ext?.timesync, { tc: 9_990, ts: 10_000, p: 0 });
  });

  test('an estimate already accurate to the target is not answered; an inaccurate one is', async () => {
    const { core } = timesyncCore(25);
    // tc + o + l - ts = 9_980 + 0 + 10 - 10_000 = -10: accurate enough.
    const accurate = await send(core, [handshakeWith({ tc: 9_980, l: 10, o: 0 })]);
    assert.equal(accurate.replies[0]!.ext?.timesync, undefined);
    // 9_900 + 50 + 10 - 10_000 = -40.
    const off = await send(core, [handshakeWith({ tc: 9_900, l: 10, o: 50 })]);
    assert.deepEqual(off.replies[0]!.ext?.timesync, { tc: 9_900, ts: 10_000, p: 0, a: -40 });
    // exactly the target counts as inaccurate (|a| >= target)
    const edge = await send(core, [handshakeWith({ tc: 9_965, l: 10, o: 0 })]);
    assert.equal((edge.replies[0]!.ext?.timesync as { a: number }).a, -25);
  });

  test('p is the time a connect was held', async () => {
    const { core, clock } = timesyncCore();
    const session = await handshake(core);
    core.answerConnect(await connectPending(core, session));
    clock.now = 20_000;
    const pending = await connectPending(core, session, { ext: { timesync: { tc: 19_995, l: 0, o: 0 } } });
    const held = capture();
    core.holdConnect(pending, held);
    assert.equal(held.answers.length, 0);
    clock.now = 20_300;
    core.releaseHeld(session);
    assert.deepEqual(held.answers[0]!.reply.ext?.timesync, { tc: 19_995, ts: 20_000, p: 300, a: -5 });
  });

  test('malformed timesync data is ignored', async () => {
    const { core, errors } = timesyncCore();
    for (const timesync of [null, 5, 'x', [], {}, { tc: 'x' }, { tc: null }, { tc: [1] }, { l: 0, o: 0 }]) {
      const { replies } = await send(core, [handshakeWith(timesync)]);
      assert.equal(replies[0]!.successful, true, JSON.stringify(timesync));
      assert.equal(replies[0]!.ext?.timesync, undefined, JSON.stringify(timesync));
    }
    // Non-finite l or o count as missing.
    const partial = await send(core, [handshakeWith({ tc: 1, l: 'x', o: 0 })]);
    assert.deepEqual(partial.replies[0]!.ext?.timesync, { tc: 1, ts: 10_000, p: 0 });
    assert.deepEqual(errors, []);
  });

  test('only handshake and connect are synced', async () => {
    const { core } = timesyncCore();
    const session = await handshake(core);
    const { replies } = await sendAndSettle(core, [
      { channel: '/meta/subscribe', clientId: session.id, subscription: '/a', ext: { timesync: { tc: 1, l: 0, o: 0 } } },
      { channel: '/a', clientId: session.id, data: 1, ext: { timesync: { tc: 1, l: 0, o: 0 } } },
    ]);
    for (const reply of replies) assert.equal(reply.ext?.timesync, undefined, reply.channel);
    assert.deepEqual(session.drain().map((e) => e.message), [{ channel: '/a', data: 1 }], 'timesync is not forwarded');
  });

  test('works beside the ack extension on the same reply', async () => {
    const { core } = timesyncCore();
    core.extensions.add(ackExtension(100));
    const { replies } = await send(core, [{ channel: '/meta/handshake', version: '1.0', ext: { ack: true, timesync: { tc: 9_000, l: 0, o: 0 } } }]);
    assert.equal(replies[0]!.ext?.ack, true);
    assert.deepEqual(replies[0]!.ext?.timesync, { tc: 9_000, ts: 10_000, p: 0, a: -1_000 });
  });
});
