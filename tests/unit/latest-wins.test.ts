import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../lib/bayeux/index';
import type { BayeuxCore } from '../../server/bayeux/core';
import { createBayeuxServer } from '../../server/bayeux/index';
import type { ServerSession } from '../../server/bayeux/session';
import { capture, connectPending, connectedSession, drained, makeCore, recordingSink, sendAndSettle, ticks } from '../helpers/protocol';

async function subscribed(core: BayeuxCore, ...subscriptions: string[]): Promise<ServerSession> {
  const session = await connectedSession(core);
  for (const subscription of subscriptions) {
    const { replies } = await sendAndSettle(core, [{ channel: '/meta/subscribe', clientId: session.id, subscription }]);
    assert.equal(replies[0]!.successful, true);
  }
  return session;
}

const dataOf = (messages: Message[]) => messages.map((m) => [m.channel, m.data]);

describe('latest-wins channels (a slow client gets only the newest state)', () => {
  test('a long-polling session that is behind is sent only the newest message of the channel, in its place among the others', async () => {
    const { core } = makeCore();
    core.setLatestWins('/state');
    const phone = await subscribed(core, '/state', '/chat');
    core.broadcast({ channel: '/state', data: 1 });
    core.broadcast({ channel: '/chat', data: 'a' });
    core.broadcast({ channel: '/state', data: 2 });
    core.broadcast({ channel: '/chat', data: 'b' });
    core.broadcast({ channel: '/state', data: 3 });
    assert.deepEqual(dataOf(drained(phone)), [['/chat', 'a'], ['/chat', 'b'], ['/state', 3]]);
  });

  test('other channels keep every message, and nothing is reported dropped', async () => {
    const { core } = makeCore();
    core.setLatestWins('/state');
    const phone = await subscribed(core, '/chat');
    for (const data of [1, 2, 3]) core.broadcast({ channel: '/chat', data });
    assert.deepEqual(dataOf(drained(phone)), [['/chat', 1], ['/chat', 2], ['/chat', 3]]);
    assert.equal(phone.dropped, 0);
  });

  test('a held connect woken by a burst is answered with the newest state alone', async () => {
    const { core } = makeCore({ timeout: 60_000 });
    core.setLatestWins('/state');
    const phone = await subscribed(core, '/state');
    const held = capture();
    core.holdConnect(await connectPending(core, phone), held);
    for (const data of [1, 2, 3]) core.broadcast({ channel: '/state', data });
    await ticks();
    assert.equal(held.answers.length, 1);
    assert.deepEqual(held.answers[0]!.events.map((e) => e.message.data), [3]);
    assert.equal(held.answers[0]!.reply.successful, true);
  });

  test('a WebSocket with a full buffer is written only the newest state once it drains; what it was already written stays', async () => {
    const { core } = makeCore();
    core.setLatestWins('/state');
    const phone = await subscribed(core, '/state');
    const sink = recordingSink();
    phone.sink = sink;
    core.broadcast({ channel: '/state', data: 1 });
    sink.writable = false;
    for (const data of [2, 3, 4]) core.broadcast({ channel: '/state', data });
    assert.equal(phone.queueLength, 1, 'one state waits, not three');
    sink.drain();
    assert.deepEqual(sink.frames.map((frame) => JSON.parse(frame)[0].data), [1, 4]);
  });

  test('a fold combines the skipped message with the newer one, made once and shared by every session behind by the same message', async () => {
    const { core } = makeCore();
    const folds: Array<[unknown, unknown]> = [];
    core.setLatestWins('/state', (older, newer) => {
      folds.push([older.data, newer.data]);
      return { ...newer, data: { skipped: older.data, now: newer.data } };
    });
    const phones = [await subscribed(core, '/state'), await subscribed(core, '/state')];
    core.broadcast({ channel: '/state', data: 1 });
    core.broadcast({ channel: '/state', data: 2 });
    const [first, second] = phones.map((phone) => phone.drain());
    assert.deepEqual(first!.map((e) => e.message.data), [{ skipped: 1, now: 2 }]);
    assert.equal(first![0], second![0], 'both phones share one folded event (and its bytes)');
    assert.deepEqual(folds, [[1, 2]]);
  });

  test('folds chain: a session behind by three messages gets the third folded over the fold of the first two', async () => {
    const { core } = makeCore();
    core.setLatestWins('/state', (older, newer) => ({ ...newer, data: [...[older.data].flat(), newer.data] }));
    const phone = await subscribed(core, '/state');
    for (const data of [1, 2, 3]) core.broadcast({ channel: '/state', data });
    assert.deepEqual(dataOf(drained(phone)), [['/state', [1, 2, 3]]]);
  });

  test('a throwing fold is reported as an error and the newer message is sent as it is', async () => {
    const { core, errors } = makeCore();
    core.setLatestWins('/state', () => {
      throw new Error('fold failed');
    });
    const phone = await subscribed(core, '/state');
    core.broadcast({ channel: '/state', data: 1 });
    core.broadcast({ channel: '/state', data: 2 });
    assert.deepEqual(dataOf(drained(phone)), [['/state', 2]]);
    assert.deepEqual(errors.map((e) => e.message), ['fold failed']);
  });

  test('the server refuses to make meta, service or wildcard channels latest-wins', async () => {
    const server = createBayeuxServer();
    try {
      for (const channel of ['/meta/connect', '/service/x', '/state/*', '/state/**', 'state']) {
        assert.throws(() => server.setLatestWins(channel), TypeError, channel);
      }
      server.setLatestWins('/state');
    } finally {
      await server.close();
    }
  });
});
