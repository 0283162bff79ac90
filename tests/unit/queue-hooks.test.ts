/**
 * The generic parts an extension builds on: queue hooks a session runs (connect-only delivery,
 * pending work of its own, the making of a connect reply) and the extension lifecycle
 * (`added`/`removed`). The ack extension is the one standard user; it is tested in ack.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../lib/bayeux/index';
import { ServerSession, type QueueHooks } from '../../server/bayeux/session';
import type { BayeuxCore } from '../../server/bayeux/core';
import type { Extension, ExtensionHost } from '../../server/bayeux/extensions';
import { ackExtension, ackStateOf } from '../../server/bayeux/ext/ack';
import { Outgoing } from '../../server/bayeux/outgoing';
import { BARE_HOST } from '../helpers/session-host';
import { capture, connectPending, handshake, makeCore, recordingSink, sendAndSettle, ticks } from '../helpers/protocol';

const event = (data: unknown) => new Outgoing({ channel: '/news', data });

async function subscribe(core: BayeuxCore, session: ServerSession): Promise<void> {
  const { replies } = await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: session.id, subscription: '/news' }]);
  assert.equal(replies[0]!.successful, true);
}

async function publish(core: BayeuxCore, from: ServerSession, data: unknown): Promise<void> {
  const { replies } = await sendAndSettle(core, [{ channel: '/news', clientId: from.id, data }]);
  assert.equal(replies[0]!.successful, true);
}

/** A connected session with a held connect (the first connect answered at once, the second held). */
async function heldSession(core: BayeuxCore, extra: Partial<Message> = {}) {
  const session = await handshake(core, undefined, extra);
  await subscribe(core, session);
  const first = capture();
  core.holdConnect(await connectPending(core, session, { ext: { ack: 0 } }), first);
  const held = capture();
  core.holdConnect(await connectPending(core, session, { ext: { ack: first.answers[0]!.reply.ext?.ack ?? 0 } }), held);
  return { session, first, held };
}

describe('session queue hooks', () => {
  test('hasPending: queued events, a drop to report, or what a hook holds; nothing else', () => {
    const session = new ServerSession(BARE_HOST, 2, 'long-polling');
    assert.equal(session.hasPending, false, 'a new session has nothing to send');
    session.deliver(event(1));
    assert.equal(session.hasPending, true, 'a queued event');
    session.drain();
    assert.equal(session.hasPending, false);
    session.dropped = 1;
    assert.equal(session.hasPending, true, 'a drop to report');
    session.dropped = 0;
    let pending = false;
    const remove = session.addQueueHooks({ hasPending: () => pending });
    assert.equal(session.hasPending, false, 'a hook with nothing pending adds nothing');
    pending = true;
    assert.equal(session.hasPending, true, 'a hook with something pending');
    remove();
    assert.equal(session.hasPending, false, 'a removed hook is not asked');
    assert.deepEqual(session.queueHooks, []);
  });

  test('a connect is answered at once while a hook has something pending', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const session = await handshake(core);
    core.holdConnect(await connectPending(core, session), capture());
    session.addQueueHooks({ hasPending: () => true });
    const answer = capture();
    core.holdConnect(await connectPending(core, session), answer);
    assert.equal(answer.answers.length, 1, 'not held');
  });

  test('connect-only hooks keep events from the socket, and removing them sends what waited', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const { session, held } = await heldSession(core);
    const sink = recordingSink();
    session.sink = sink;
    const remove = session.addQueueHooks({ connectOnly: true });
    assert.equal(session.connectOnly, true);
    await publish(core, session, 'a');
    await ticks();
    assert.deepEqual(sink.frames, [], 'never pushed');
    assert.deepEqual(held.answers[0]!.events.map((e) => e.message.data), ['a'], 'woke the held connect');

    core.holdConnect(await connectPending(core, session), capture());
    session.deliver(event('b'));
    remove();
    assert.equal(session.connectOnly, false);
    assert.deepEqual(sink.frames, ['[{"channel":"/news","data":"b"}]'], 'what waited goes to the socket');
    assert.equal(session.queueLength, 0);
  });

  test('connectReply hooks run in the order added, may edit the reply, and see the shared events', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const session = await handshake(core);
    const seen: string[] = [];
    const again = event('again');
    const first: QueueHooks = {
      connectReply(events, reply) {
        seen.push(`first:${events.length}`);
        reply.ext = { ...reply.ext, first: true };
        return [again, ...events];
      },
    };
    const second: QueueHooks = {
      connectReply(events) {
        seen.push(`second:${events.length}`);
        return events;
      },
    };
    session.addQueueHooks(first);
    session.addQueueHooks(second);
    const fresh = event('fresh');
    session.deliver(fresh);
    const answer = capture();
    core.holdConnect(await connectPending(core, session), answer);
    assert.deepEqual(seen, ['first:1', 'second:2']);
    assert.equal(answer.answers[0]!.reply.ext?.first, true);
    assert.equal(answer.answers[0]!.events[0], again);
    assert.equal(answer.answers[0]!.events[1], fresh, 'the very Outgoing delivered, not a copy');
  });
});

describe('extension lifecycle', () => {
  test('added and removed are called once each, with the server as host', async () => {
    const { core } = makeCore();
    const session = await handshake(core);
    const calls: Array<[string, ServerSession[]]> = [];
    const extension: Extension = {
      added: (host: ExtensionHost) => void calls.push(['added', [...host.sessions()]]),
      removed: (host: ExtensionHost) => void calls.push(['removed', [...host.sessions()]]),
    };
    const remove = core.extensions.add(extension);
    assert.deepEqual(calls, [['added', [session]]]);
    remove();
    remove();
    core.extensions.remove(extension);
    assert.deepEqual(calls, [['added', [session]], ['removed', [session]]], 'removing again does nothing');
    assert.equal(core.extensions.size, 0);
  });

  test('removing the ack extension returns its sessions to ordinary delivery', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    const remove = core.extensions.add(ackExtension(100));
    const { session, held } = await heldSession(core, { ext: { ack: true } });
    const sink = recordingSink();
    session.sink = sink;
    assert.ok(ackStateOf(session));
    remove();
    assert.equal(ackStateOf(session), undefined, 'its queue hooks are taken back');
    assert.equal(session.connectOnly, false);
    await publish(core, session, 'pushed');
    await ticks();
    assert.deepEqual(sink.frames, ['[{"channel":"/news","data":"pushed"}]']);
    assert.equal(held.answers.length, 0, 'a pushing socket does not wake its connect');
    core.releaseHeld(session);
    assert.equal(held.answers[0]!.reply.ext?.ack, undefined, 'no longer numbered');
  });

  test('removing one ack extension leaves the sessions of another alone', async () => {
    const { core } = makeCore();
    const one = ackExtension(100);
    const other = ackExtension(100);
    core.extensions.add(one);
    const session = await handshake(core, undefined, { ext: { ack: true } });
    core.extensions.remove(one);
    core.extensions.add(other);
    const later = await handshake(core, undefined, { ext: { ack: true } });
    assert.equal(ackStateOf(session), undefined);
    assert.equal(ackStateOf(later)?.owner, other);
    core.extensions.remove(one);
    assert.equal(ackStateOf(later)?.owner, other);
  });
});
