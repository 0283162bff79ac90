import { describe, test } from 'node:test';
import { decodeTextFrame } from '../helpers/ws-frame';
import assert from 'node:assert/strict';
import type { ServerSession } from '../../server/bayeux/session';
import { BayeuxCore } from '../../server/bayeux/core';
import { MemoryEngine } from '../../server/bayeux/engine/memory';
import { resolveOptions } from '../../server/bayeux/options';
import { until } from '../../support/wait';
import {
  assertError, capture, connectPending, connectedSession, makeCore, recordingSink, requestInfo, send, sendAndSettle, ticks,
} from '../helpers/protocol';

async function subscribe(core: BayeuxCore, session: ServerSession, subscription: string): Promise<void> {
  const { replies } = await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: session.id, subscription }]);
  assert.equal(replies[0]!.successful, true);
}

async function publish(core: BayeuxCore, from: ServerSession, channel: string, ...data: unknown[]): Promise<void> {
  const { replies } = await sendAndSettle(core, data.map((d) => ({ channel, clientId: from.id, data: d })));
  assert.ok(replies.every((r) => r.successful), JSON.stringify(replies));
}

describe('the /meta/connect hold-and-flush cycle', () => {
  test('a held connect is released by a publish, with every queued message in one reply', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const listener = await connectedSession(core);
    const publisher = await connectedSession(core);
    await subscribe(core, listener, '/news');
    const held = capture();
    core.holdConnect(await connectPending(core, listener, { id: 'h2' }), held);
    assert.ok(listener.held, 'nothing queued: the connect is held');

    await publish(core, publisher, '/news', 1, 2);
    await publish(core, publisher, '/news', 3);
    assert.equal(held.answers.length, 0, 'the release waits a tick so publishes share one reply');
    await ticks();
    assert.equal(held.answers.length, 1);
    const { events, reply } = held.answers[0]!;
    assert.deepEqual(events.map((e) => e.message), [1, 2, 3].map((data) => ({ channel: '/news', data })));
    assert.equal(reply.channel, '/meta/connect');
    assert.equal(reply.id, 'h2');
    assert.equal(reply.successful, true);
    assert.equal(listener.queueLength, 0);
    assert.equal(listener.held, undefined);
  });

  test('a connect arriving with messages already queued is answered at once', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const listener = await connectedSession(core);
    await subscribe(core, listener, '/news');
    await publish(core, listener, '/news', 'queued');
    const now = capture();
    core.holdConnect(await connectPending(core, listener), now);
    assert.equal(now.answers.length, 1);
    assert.deepEqual(now.answers[0]!.events.map((e) => e.message.data), ['queued']);
    assert.equal(listener.held, undefined);
  });

  test('a held connect with nothing to send is answered empty when its time runs out', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const session = await connectedSession(core);
    const held = capture();
    const started = Date.now();
    core.holdConnect(await connectPending(core, session, { advice: { timeout: 40 } }), held);
    const { events, reply } = await held.next();
    assert.ok(Date.now() - started >= 35, 'held for about the client timeout');
    assert.deepEqual(events, []);
    assert.equal(reply.successful, true);
    assert.ok(session.lastSeen >= started + 35, 'the answer counts as the last contact (expiry starts from it)');
  });

  test('client advice timeout 0 and a closing server answer at once', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const session = await connectedSession(core);
    const zero = capture();
    core.holdConnect(await connectPending(core, session, { advice: { timeout: 0 } }), zero);
    assert.equal(zero.answers.length, 1);
    core.closing = true;
    const closing = capture();
    core.holdConnect(await connectPending(core, session), closing);
    assert.equal(closing.answers.length, 1);
    assert.equal(session.held, undefined);
  });

  test('a new connect replaces the held one, which gets an error reply; events go to the new one', async () => {
    const { core } = makeCore({ timeout: 60_000, failureInterval: 250 });
    const session = await connectedSession(core);
    await subscribe(core, session, '/news');
    const first = capture();
    core.holdConnect(await connectPending(core, session, { id: 'old' }), first);
    const second = capture();
    core.holdConnect(await connectPending(core, session, { id: 'new' }), second);
    assert.equal(first.answers.length, 1);
    const replaced = first.answers[0]!;
    assert.deepEqual(replaced.events, []);
    assert.equal(replaced.reply.id, 'old');
    assert.equal(replaced.reply.successful, false);
    assertError(replaced.reply.error, 409);
    assert.equal(replaced.reply.advice?.reconnect, 'retry');
    assert.equal(replaced.reply.advice?.interval, 250);
    assert.equal(second.answers.length, 0, 'the new connect is held');

    await publish(core, session, '/news', 'x');
    await ticks();
    assert.equal(first.answers.length, 1);
    assert.equal(second.answers.length, 1);
    assert.equal(second.answers[0]!.reply.id, 'new');
    assert.deepEqual(second.answers[0]!.events.map((e) => e.message.data), ['x']);
  });

  test('removal releases the held connect: disconnect and server removal say none, expiry says handshake', async () => {
    for (const [reason, reconnect] of [['disconnect', 'none'], ['server', 'none'], ['expired', 'handshake']] as const) {
      const { core, engine } = makeCore({ timeout: 60_000 });
      const session = await connectedSession(core);
      const held = capture();
      core.holdConnect(await connectPending(core, session), held);
      const removals: string[] = [];
      core.events.on('disconnect', (_s, why) => removals.push(why));
      core.removeSession(session, reason);
      assert.equal(held.answers.length, 1, reason);
      assert.equal(held.answers[0]!.reply.advice?.reconnect, reconnect, reason);
      assert.equal(session.held, undefined);
      assert.equal(engine.getSession(session.id), undefined);
      assert.deepEqual(removals, [reason]);
      core.removeSession(session, reason);
      assert.deepEqual(removals, [reason], 'removing twice is a no-op');
    }
  });

  test('a disconnect releases the held connect with the messages still queued', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const session = await connectedSession(core);
    await subscribe(core, session, '/news');
    const held = capture();
    core.holdConnect(await connectPending(core, session), held);
    await publish(core, session, '/news', 'last words');
    await sendAndSettle(core, [{ channel: '/meta/disconnect', clientId: session.id }]);
    assert.equal(held.answers.length, 1);
    assert.equal(held.answers[0]!.reply.advice?.reconnect, 'none');
    assert.deepEqual(held.answers[0]!.events.map((e) => e.message.data), ['last words']);
    await ticks();
    assert.equal(held.answers.length, 1, 'the scheduled flush finds nothing more to answer');
  });

  test('a connect sent in the same request as a disconnect is not held', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const session = await connectedSession(core);
    const { replies, scope } = await send(core, [
      { channel: '/meta/connect', clientId: session.id, connectionType: 'websocket', id: 'c' },
      { channel: '/meta/disconnect', clientId: session.id, id: 'd' },
    ], requestInfo('websocket'));
    assert.deepEqual(replies.map((r) => [r.id, r.successful]), [['d', true]]);
    assert.ok(scope.connect);
    const answer = capture();
    core.holdConnect(scope.connect, answer);
    assert.equal(answer.answers.length, 1, 'answered at once: nothing will ever wake it');
    assert.equal(session.held, undefined);
  });

  test('queue overflow drops the oldest messages and reports 409 in the next connect reply', async () => {
    const { core } = makeCore({ timeout: 60_000, maxQueue: 3 });
    const listener = await connectedSession(core);
    await subscribe(core, listener, '/news');
    await publish(core, listener, '/news', 1, 2, 3, 4, 5);
    assert.equal(listener.queueLength, 3);
    assert.equal(listener.dropped, 2);
    const next = capture();
    core.holdConnect(await connectPending(core, listener, { id: 'n' }), next);
    assert.equal(next.answers.length, 1, 'a drop to report is something to send');
    const { events, reply } = next.answers[0]!;
    assert.deepEqual(events.map((e) => e.message.data), [3, 4, 5]);
    assert.equal(reply.id, 'n');
    assertError(reply.error, 409, ['2']);
    assert.equal(listener.dropped, 0);

    const after = capture();
    core.holdConnect(await connectPending(core, listener, { advice: { timeout: 0 } }), after);
    assert.equal(after.answers[0]!.reply.error, undefined, 'reported once');
  });

  test('a drop alone (queue drained elsewhere) still wakes the next connect', async () => {
    const { core } = makeCore({ timeout: 60_000, maxQueue: 1 });
    const listener = await connectedSession(core);
    await subscribe(core, listener, '/news');
    await publish(core, listener, '/news', 1, 2);
    listener.drain();
    const next = capture();
    core.holdConnect(await connectPending(core, listener), next);
    assert.equal(next.answers.length, 1);
    assertError(next.answers[0]!.reply.error, 409, ['1']);
  });

  test('multiple-clients: a second session of the same browser cannot hold a long poll too', async () => {
    const { core } = makeCore({ timeout: 60_000, maxSessionsPerBrowser: 1, multiSessionInterval: 1_500 });
    const tab1 = await connectedSession(core);
    const tab2 = await connectedSession(core);
    const other = await connectedSession(core);
    const first = capture();
    core.holdConnect(await connectPending(core, tab1), first, 'browser-a');
    assert.ok(tab1.held);

    const second = capture();
    core.holdConnect(await connectPending(core, tab2, { id: 't2' }), second, 'browser-a');
    assert.equal(second.answers.length, 1, 'answered at once');
    const advice = second.answers[0]!.reply.advice;
    assert.equal(second.answers[0]!.reply.id, 't2');
    assert.equal(second.answers[0]!.reply.successful, true);
    assert.equal(advice?.['multiple-clients'], true);
    assert.equal(advice?.reconnect, 'retry');
    assert.equal(advice?.interval, 1_500);
    assert.equal(tab2.held, undefined);

    const unrelated = capture();
    core.holdConnect(await connectPending(core, other), unrelated, 'browser-b');
    assert.ok(other.held, 'another browser is not affected');

    // The same session re-polling replaces its own hold: not a second client.
    const again = capture();
    core.holdConnect(await connectPending(core, tab1), again, 'browser-a');
    assert.ok(tab1.held);
    assert.equal(again.answers.length, 0);
    assert.equal(again.answers.length + first.answers.length, 1);

    // Once tab1's poll is gone, tab2 may hold.
    core.dropHeld(tab1);
    const later = capture();
    core.holdConnect(await connectPending(core, tab2), later, 'browser-a');
    assert.ok(tab2.held);
    assert.equal(later.answers.length, 0);
    core.releaseHeld(tab2);
    core.releaseHeld(other);
  });

  test('connects without a browser id (WebSocket) are never counted', async () => {
    const { core } = makeCore({ timeout: 60_000, maxSessionsPerBrowser: 1 });
    const a = await connectedSession(core);
    const b = await connectedSession(core);
    core.holdConnect(await connectPending(core, a), capture());
    core.holdConnect(await connectPending(core, b), capture());
    assert.ok(a.held && b.held);
    core.releaseHeld(a);
    core.releaseHeld(b);
  });

  test('dropHeld forgets the connect without answering it', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const session = await connectedSession(core);
    const held = capture();
    core.holdConnect(await connectPending(core, session), held);
    core.dropHeld(session);
    assert.equal(session.held, undefined);
    await publish(core, session, '/x', 1);
    await ticks();
    assert.equal(held.answers.length, 0);
  });

  describe('a session with a push sink (WebSocket)', () => {
    /** A connected session with a recording push sink, subscribed to /news. */
    async function subscribedWithSink() {
      const { core } = makeCore({ timeout: 60_000 });
      const session = await connectedSession(core);
      const sink = recordingSink();
      session.sink = sink;
      await subscribe(core, session, '/news');
      return { core, session, sink };
    }

    test('events are pushed at once, without waking the held connect', async () => {
      const { core, session, sink } = await subscribedWithSink();
      const held = capture();
      core.holdConnect(await connectPending(core, session), held);
      await publish(core, session, '/news', 'a', 'b');
      await ticks();
      assert.deepEqual(sink.frames, ['[{"channel":"/news","data":"a"}]', '[{"channel":"/news","data":"b"}]']);
      assert.equal(held.answers.length, 0);
      assert.equal(session.queueLength, 0);
      core.releaseHeld(session);
    });

    test('a full socket keeps events queued, in order, until it drains', async () => {
      const { core, session, sink } = await subscribedWithSink();
      sink.writable = false;
      await publish(core, session, '/news', 1, 2);
      assert.equal(session.queueLength, 2);
      assert.deepEqual(sink.frames, []);
      sink.writable = true;
      await publish(core, session, '/news', 3);
      assert.deepEqual(sink.frames, [], 'a new event never overtakes queued ones');
      sink.drain();
      assert.deepEqual(sink.frames.map((f) => JSON.parse(f)[0].data), [1, 2, 3]);
      assert.equal(session.queueLength, 0);
    });
  });
});

describe('woken connects wait for fan-outs still going out', () => {
  test('publishes in a row to more phones than one slice reaches: each held connect is answered once, with all of them', async () => {
    // A 0 ms slice yields after every 64 deliveries, as a fan-out to thousands of phones does after 4 ms.
    // 300 phones from one test address: more than its handshake burst, which is not under test here.
    const core = new BayeuxCore(resolveOptions({ timeout: 60_000, handshakeBurstPerAddress: 1_000 }), new MemoryEngine({ fanOutSliceMs: 0 }));
    const phones: Array<{ session: ServerSession; held: ReturnType<typeof capture> }> = [];
    for (let i = 0; i < 300; i++) {
      const session = await connectedSession(core);
      await subscribe(core, session, '/news');
      const held = capture();
      core.holdConnect(await connectPending(core, session), held);
      phones.push({ session, held });
    }
    for (const data of [1, 2, 3]) core.broadcast({ channel: '/news', data });
    assert.ok(core.sessions.fanOutBacklog > 0, 'the fan-outs go out in slices');
    await until(() => phones.every(({ held }) => held.answers.length > 0), 'every phone answered');
    await ticks(5);
    for (const { held } of phones) {
      assert.equal(held.answers.length, 1, 'one reply per phone');
      assert.deepEqual(held.answers[0]!.events.map((e) => e.message.data), [1, 2, 3]);
    }
  });
});

describe('shared WebSocket frames', () => {
  test('an event is framed once, with the right header for every payload size', async () => {
    const { Outgoing } = await import('../../server/bayeux/outgoing');
    for (const size of [10, 125, 126, 65_535, 70_000]) {
      const event = new Outgoing({ channel: '/a', data: 'x'.repeat(size) });
      assert.equal(event.frame, event.frame, 'built once and shared');
      assert.equal(decodeTextFrame(event.frame), `[${event.json}]`);
    }
  });
});
