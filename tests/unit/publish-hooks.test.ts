import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../lib/bayeux/index';
import type { PublishDecision } from '../../server/bayeux/publish-hooks';
import type { ServerSession } from '../../server/bayeux/session';
import { assertError, drained, handshake, makeCore, sendAndSettle, type TestCore } from '../helpers/protocol';

/** A core with a publisher and a listener subscribed to `/**` (it would see anything that leaks). */
async function setup(): Promise<TestCore & { publisher: ServerSession; listener: ServerSession }> {
  const test = makeCore({ maxMessageBytes: 1_000 });
  const publisher = await handshake(test.core);
  const listener = await handshake(test.core);
  await sendAndSettle(test.core, [{ channel: '/meta/subscribe', clientId: listener.id, subscription: '/**' }]);
  test.engine.calls.length = 0;
  return { ...test, publisher, listener };
}

/** A barrier a hook waits on, so a test can act while the hook is running. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('publish hooks', () => {
  test('deliver with new data: subscribers get the hook\'s data, the publisher the hook\'s reply ext', async () => {
    const { core, publisher, listener } = await setup();
    const seen: unknown[] = [];
    core.publishHooks.set('/cmd', (message) => {
      seen.push(message.data);
      return { outcome: 'deliver', data: { done: message.data }, replyExt: { result: 7 } };
    });
    const { replies } = await sendAndSettle(core, [{ channel: '/cmd', clientId: publisher.id, id: '1', data: 'go' }]);
    assert.deepEqual(replies, [{ channel: '/cmd', id: '1', successful: true, ext: { result: 7 } }]);
    assert.deepEqual(seen, ['go']);
    assert.deepEqual(drained(listener), [{ channel: '/cmd', data: { done: 'go' } }]);
  });

  test('handled: the publisher is answered and nothing is fanned out', async () => {
    const { core, engine, publisher, listener } = await setup();
    core.publishHooks.set('/cmd', () => ({ outcome: 'handled', replyExt: { state: 'x' } }));
    const { replies } = await sendAndSettle(core, [{ channel: '/cmd', clientId: publisher.id, id: '2', data: 1 }]);
    assert.deepEqual(replies, [{ channel: '/cmd', id: '2', successful: true, ext: { state: 'x' } }]);
    assert.equal(engine.callsOf('publish').length, 0);
    assert.deepEqual(drained(listener), []);
  });

  test('refused: the publisher gets the hook\'s error and nobody gets anything', async () => {
    const { core, engine, publisher, listener } = await setup();
    core.publishHooks.set('/cmd', async () => ({ outcome: 'refused', error: '409::no talk is live' }));
    const { replies } = await sendAndSettle(core, [{ channel: '/cmd', clientId: publisher.id, id: '3', data: 1 }]);
    assert.deepEqual(replies, [{ channel: '/cmd', id: '3', successful: false, error: '409::no talk is live' }]);
    assert.equal(engine.callsOf('publish').length, 0);
    assert.deepEqual(drained(listener), []);
  });

  test('a hook runs only after the policy consented and for a known session', async () => {
    const { core, publisher } = await setup();
    const called: unknown[] = [];
    core.publishHooks.set('/cmd', (message) => (called.push(message.data), { outcome: 'handled' }));
    core.policy = { canPublish: async (_session, _channel, message) => message.data !== 'denied' };
    const denied = await sendAndSettle(core, [{ channel: '/cmd', clientId: publisher.id, data: 'denied' }]);
    assertError(denied.replies[0]!.error, 403, ['/cmd'], 'publish_denied');
    const unknown = await sendAndSettle(core, [{ channel: '/cmd', clientId: 'nobody', data: 'unknown' }]);
    assertError(unknown.replies[0]!.error, 402);
    const missing = await sendAndSettle(core, [{ channel: '/cmd', clientId: publisher.id }]);
    assertError(missing.replies[0]!.error, 402, ['data']);
    assert.deepEqual(called, []);
  });

  test('what a hook decided stands when its publisher is removed while it runs', async () => {
    const { core, engine, publisher, listener } = await setup();
    const running = gate();
    const release = gate();
    core.publishHooks.set('/cmd', async (message): Promise<PublishDecision> => {
      running.open();
      await release.opened;
      return { outcome: 'deliver', data: { applied: message.data } };
    });
    const sent = sendAndSettle(core, [{ channel: '/cmd', clientId: publisher.id, id: '4', data: 'x' }]);
    await running.opened;
    core.removeSession(publisher, 'server');
    release.open();
    const { replies } = await sent;
    assert.equal(replies[0]!.successful, true, 'the publish was accepted before the session went');
    assert.equal(engine.callsOf('publish').length, 1);
    assert.deepEqual(drained(listener), [{ channel: '/cmd', data: { applied: 'x' } }]);
  });

  test('a hook that throws refuses the publish with 500 and is reported', async () => {
    const { core, errors, publisher, listener } = await setup();
    core.publishHooks.set('/cmd', () => {
      throw new Error('boom');
    });
    const { replies } = await sendAndSettle(core, [{ channel: '/cmd', clientId: publisher.id, data: 1 }]);
    assertError(replies[0]!.error, 500);
    assert.equal(errors[0]?.message, 'boom');
    assert.deepEqual(drained(listener), []);
  });

  test('a message over the size limit is refused before its hook sees it', async () => {
    const { core, publisher } = await setup();
    let called = false;
    core.publishHooks.set('/cmd', () => ((called = true), { outcome: 'handled' }));
    const { replies } = await sendAndSettle(core, [{ channel: '/cmd', clientId: publisher.id, data: 'x'.repeat(2_000) }]);
    assertError(replies[0]!.error, 413);
    assert.equal(called, false);
  });

  test('one hook per channel; removing it restores plain delivery', async () => {
    const { core, publisher, listener } = await setup();
    const remove = core.publishHooks.set('/cmd', () => ({ outcome: 'handled' }));
    assert.throws(() => core.publishHooks.set('/cmd', () => ({ outcome: 'handled' })), /already has a publish hook/);
    remove();
    await sendAndSettle(core, [{ channel: '/cmd', clientId: publisher.id, data: 'plain' } satisfies Message]);
    assert.deepEqual(drained(listener), [{ channel: '/cmd', data: 'plain' }]);
  });
});
