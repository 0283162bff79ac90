import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../lib/bayeux/index';
import { AckState, ackExtension, ackStateOf } from '../../server/bayeux/ext/ack';
import { Outgoing } from '../../server/bayeux/outgoing';
import type { ServerSession } from '../../server/bayeux/session';
import type { BayeuxCore } from '../../server/bayeux/core';
import { capture, connectPending, handshake, makeCore, sendAndSettle, ticks } from '../helpers/protocol';

function ackCore(maxUnacknowledged = 1_000) {
  const test = makeCore({ timeout: 60_000 });
  test.core.extensions.add(ackExtension(maxUnacknowledged));
  return test;
}

async function publish(core: BayeuxCore, from: ServerSession, ...data: unknown[]): Promise<void> {
  const { replies } = await sendAndSettle(core, data.map((d) => ({ channel: '/news', clientId: from.id, data: d })));
  assert.ok(replies.every((r) => r.successful));
}

/** Send a connect carrying `ext.ack = ack` and let the core answer or hold it. */
async function connect(core: BayeuxCore, session: ServerSession, ack: unknown) {
  const pending = await connectPending(core, session, { ext: { ack } });
  const answer = capture();
  core.holdConnect(pending, answer);
  return answer;
}

const dataOf = (events: readonly Outgoing[]) => events.map((e) => e.message.data);

describe('ack extension', () => {
  test('a handshake asking with ext.ack: true is answered with ext.ack: true and switches the session on', async () => {
    const { core } = ackCore();
    const { replies } = await sendAndSettle(core, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], ext: { ack: true } }]);
    assert.equal(replies[0]!.successful, true);
    assert.equal(replies[0]!.ext?.ack, true);
    assert.ok(ackStateOf(core.sessions.getSession(replies[0]!.clientId!)!));
  });

  test('without ext.ack: true, nothing changes', async () => {
    const { core } = ackCore();
    for (const ext of [undefined, { ack: false }, { ack: 'true' }, { ack: 1 }]) {
      const { replies } = await sendAndSettle(core, [{ channel: '/meta/handshake', version: '1.0', ...(ext ? { ext } : {}) }]);
      assert.equal(replies[0]!.ext?.ack, undefined, JSON.stringify(ext));
      assert.equal(ackStateOf(core.sessions.getSession(replies[0]!.clientId!)!), undefined);
    }
  });

  test('a denied handshake does not enable ack', async () => {
    const { core, engine } = ackCore();
    core.policy = { canHandshake: () => false };
    const { replies } = await sendAndSettle(core, [{ channel: '/meta/handshake', version: '1.0', ext: { ack: true } }]);
    assert.equal(replies[0]!.successful, false);
    assert.equal(replies[0]!.ext?.ack, undefined);
    assert.equal(engine.sessionCount, 0);
  });

  test('connect replies are numbered, unacknowledged batches are sent again, acknowledged ones never', async () => {
    const { core } = ackCore();
    const session = await handshake(core, undefined, { ext: { ack: true } });
    await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: session.id, subscription: '/news' }]);
    const batches: number[] = [];
    const first = await connect(core, session, 0);
    assert.equal(first.answers.length, 1, 'first connect answered at once');
    batches.push(first.answers[0]!.reply.ext?.ack as number);

    await publish(core, session, 'a', 'b');
    const second = await connect(core, session, batches.at(-1));
    assert.equal(second.answers.length, 1, 'queued events: answered at once');
    assert.deepEqual(dataOf(second.answers[0]!.events), ['a', 'b']);
    batches.push(second.answers[0]!.reply.ext?.ack as number);

    // The client lost that reply: it acknowledges the older batch, and gets a and b again.
    const retry = await connect(core, session, batches[0]);
    assert.equal(retry.answers.length, 1, 'unacknowledged events: answered at once');
    assert.deepEqual(dataOf(retry.answers[0]!.events), ['a', 'b']);
    batches.push(retry.answers[0]!.reply.ext?.ack as number);

    // Now it acknowledges: the next connect is held, and a new event arrives alone.
    const held = await connect(core, session, batches.at(-1));
    assert.equal(held.answers.length, 0, 'nothing unacknowledged: held');
    await publish(core, session, 'c');
    await ticks();
    assert.equal(held.answers.length, 1);
    assert.deepEqual(dataOf(held.answers[0]!.events), ['c']);
    batches.push(held.answers[0]!.reply.ext?.ack as number);

    assert.ok(batches.every((b) => Number.isInteger(b)), JSON.stringify(batches));
    assert.deepEqual([...batches].sort((x, y) => x - y), batches, 'batch numbers increase');
    assert.equal(new Set(batches).size, batches.length);

    const last = await connect(core, session, batches.at(-1));
    assert.equal(last.answers.length, 0);
    core.releaseHeld(session);
    assert.deepEqual(last.answers[0]!.events, []);
  });

  test('events sent again are the very Outgoings fanned out: every phone resends the shared bytes', async () => {
    const { core } = ackCore();
    const phones = [await handshake(core, undefined, { ext: { ack: true } }), await handshake(core, undefined, { ext: { ack: true } })];
    for (const phone of phones) {
      await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: phone.id, subscription: '/news' }]);
      await connect(core, phone, 0);
    }
    await publish(core, phones[0]!, 'shared');
    const sent = await Promise.all(phones.map((phone) => connect(core, phone, 0)));
    const again = await Promise.all(phones.map((phone) => connect(core, phone, 0)));
    const events = [...sent, ...again].map((answer) => answer.answers[0]!.events);
    assert.ok(events.every((each) => each.length === 1 && each[0] === events[0]![0]), 'one Outgoing for both phones, first time and again');
  });

  test('a malformed client ack is ignored: the batch stays unacknowledged', async () => {
    const { core } = ackCore();
    const session = await handshake(core, undefined, { ext: { ack: true } });
    await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: session.id, subscription: '/news' }]);
    await connect(core, session, 0);
    await publish(core, session, 'x');
    const sent = await connect(core, session, 0);
    const batch = sent.answers[0]!.reply.ext?.ack;
    for (const bad of ['' + batch, null, { batch }, [batch]]) {
      const again = await connect(core, session, bad);
      assert.equal(again.answers.length, 1, JSON.stringify(bad));
      assert.deepEqual(dataOf(again.answers[0]!.events), ['x']);
    }
  });

  /** A socket that records the frames written to it. */
  function socket() {
    const frames: Buffer[] = [];
    return { frames, sink: { isOpen: () => true, canWrite: () => true, write: (f: Buffer) => void frames.push(f), onWritable: () => {} } };
  }

  async function ackedOnSocket() {
    const { core, engine } = ackCore();
    const session = await handshake(core, undefined, { ext: { ack: true } });
    const first = socket();
    session.sink = first.sink;
    await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: session.id, subscription: '/news' }]);
    const opening = await connect(core, session, 0);
    return { core, engine, session, first, lastBatch: opening.answers[0]!.reply.ext?.ack as number };
  }

  test('on a socket, an acked event is pushed at once as its shared frame; the connect stays held', async () => {
    const { core, engine, session, first, lastBatch } = await ackedOnSocket();
    const held = await connect(core, session, lastBatch);
    await publish(core, session, 'p');
    await ticks();
    assert.equal(first.frames.length, 1, 'pushed at once');
    assert.equal(first.frames[0], engine.published.at(-1)!.frame, 'the one shared frame');
    assert.equal(held.answers.length, 0, 'no connect per event');
  });

  test('on a socket, the next connect reply numbers what was pushed without sending it again; acknowledged, it is forgotten', async () => {
    const { core, session, first, lastBatch } = await ackedOnSocket();
    const held = await connect(core, session, lastBatch);
    await publish(core, session, 'p');
    core.releaseHeld(session);
    const batch = held.answers[0]!.reply.ext?.ack as number;
    assert.deepEqual(dataOf(held.answers[0]!.events), [], 'already on this socket, before this reply');
    assert.equal(batch, lastBatch + 1);
    assert.equal(first.frames.length, 1);
    const next = await connect(core, session, batch);
    assert.equal(next.answers.length, 0, 'acknowledged: nothing to send again, the connect is held');
    core.releaseHeld(session);
    assert.deepEqual(dataOf(next.answers[0]!.events), []);
  });

  test('on a socket, a reply that was never acknowledged is followed by its events again', async () => {
    const { core, session, lastBatch } = await ackedOnSocket();
    const held = await connect(core, session, lastBatch);
    await publish(core, session, 'p');
    core.releaseHeld(session);
    const again = await connect(core, session, lastBatch);
    assert.equal(again.answers.length, 1, 'answered at once');
    assert.deepEqual(dataOf(again.answers[0]!.events), ['p']);
    assert.ok(held.answers[0]!.reply.ext?.ack);
  });

  test('pushed to a socket that died before the next reply: sent again at once on the new socket', async () => {
    const { core, session, first, lastBatch } = await ackedOnSocket();
    const held = await connect(core, session, lastBatch);
    await publish(core, session, 'lost', 'also lost');
    assert.equal(first.frames.length, 2);
    core.dropHeld(session);
    session.sink = undefined;
    await publish(core, session, 'queued');
    const second = socket();
    session.sink = second.sink;
    const back = await connect(core, session, lastBatch);
    assert.equal(back.answers.length, 1, 'answered at once');
    assert.deepEqual(dataOf(back.answers[0]!.events), ['lost', 'also lost', 'queued'], 'in order');
    assert.equal(held.answers.length, 0);
    const after = await connect(core, session, back.answers[0]!.reply.ext?.ack);
    assert.equal(after.answers.length, 0, 'acknowledged: held');
  });

  test('without a socket (polling), acked events wait for the numbered connect reply and never ride on another reply', async () => {
    const { core } = ackCore();
    const session = await handshake(core, undefined, { ext: { ack: true } });
    await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: session.id, subscription: '/news' }]);
    const first = await connect(core, session, 0);
    const held = await connect(core, session, first.answers[0]!.reply.ext?.ack);
    await publish(core, session, 'p');
    await ticks();
    assert.equal(session.mayPiggyback, false);
    assert.equal(held.answers.length, 1, 'the held connect is woken');
    assert.deepEqual(dataOf(held.answers[0]!.events), ['p']);
  });

  test('the ack key of a publisher ext is not forwarded to subscribers', async () => {
    const { core } = ackCore();
    const session = await handshake(core);
    await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: session.id, subscription: '/news' }]);
    await sendAndSettle(core, [{ channel: '/news', clientId: session.id, data: 1, ext: { ack: 99, keep: true } }]);
    assert.deepEqual(session.drain().map((e) => e.message), [{ channel: '/news', data: 1, ext: { keep: true } }]);
  });
});

describe('AckState', () => {
  const event = (data: number) => new Outgoing({ channel: '/a', data });
  const reply = (): Message => ({ channel: '/meta/connect', successful: true });

  test('stamp numbers replies and keeps other ext keys', () => {
    const state = new AckState(10);
    const r = { ...reply(), ext: { timesync: { tc: 1 } } };
    assert.deepEqual(state.stamp([], r), []);
    assert.deepEqual(r.ext, { timesync: { tc: 1 }, ack: 1 });
    const r2 = reply();
    state.stamp([], r2);
    assert.equal(r2.ext?.ack, 2);
    assert.equal(state.hasUnacknowledged, false, 'empty batches are not remembered');
  });

  test('acknowledge drops batches up to and including the given one', () => {
    const state = new AckState(10);
    state.stamp([event(1)], reply());
    state.stamp([event(2)], reply());
    state.acknowledge(1);
    assert.equal(state.hasUnacknowledged, true);
    assert.deepEqual(state.stamp([event(3)], reply()).map((e) => e.message.data), [2, 3]);
    state.acknowledge(3);
    assert.equal(state.hasUnacknowledged, false);
  });

  test('unacknowledged events are bounded: the oldest batches go first, the newest always stays', () => {
    const state = new AckState(3);
    state.stamp([event(1), event(2)], reply());
    assert.deepEqual(state.stamp([event(3), event(4)], reply()).map((e) => e.message.data), [3, 4]);
    assert.deepEqual(state.stamp([event(5), event(6), event(7), event(8)], reply()).map((e) => e.message.data), [5, 6, 7, 8]);
  });
});
