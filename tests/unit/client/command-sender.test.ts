import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from 'cometd';
import { postCommand, publishOverBayeux, type Publisher } from '../../../lib/client/command-routes';
import { createCommandSender, type CommandOutcome, type CommandRoutes } from '../../../lib/client/command-sender';
import { COMMAND_STATE_EXT, type PresenterCommand, type SlideshowState } from '../../../lib/slideshow/index';
import { live } from './fixtures';

interface Sent {
  routes: CommandRoutes;
  bayeux: PresenterCommand[];
  http: PresenterCommand[];
  states: SlideshowState[];
}

function routes(over: Partial<CommandRoutes> & { connected?: boolean; answer?: CommandOutcome } = {}): Sent {
  const sent: Omit<Sent, 'routes'> = { bayeux: [], http: [], states: [] };
  const answer = over.answer ?? { ok: true };
  const all: CommandRoutes = {
    isOpen: () => true,
    isConnected: () => over.connected ?? true,
    overBayeux: async (command) => (sent.bayeux.push(command), answer),
    overHttp: async (command) => (sent.http.push(command), answer),
    stateArrived: (state) => void sent.states.push(state),
    ...over,
  };
  return { ...sent, routes: all };
}

describe('sending a presenter command', () => {
  test('goes over Bayeux while connected', async () => {
    const sent = routes({ connected: true });
    assert.deepEqual(await createCommandSender(sent.routes)({ step: 1 }), { ok: true });
    assert.deepEqual(sent.bayeux, [{ step: 1 }]);
    assert.deepEqual(sent.http, []);
  });

  test('falls back to HTTP while Bayeux is down', async () => {
    const sent = routes({ connected: false });
    assert.deepEqual(await createCommandSender(sent.routes)({ step: -1 }), { ok: true });
    assert.deepEqual(sent.http, [{ step: -1 }]);
    assert.deepEqual(sent.bayeux, []);
  });

  test('the state an answer carries goes into the stores; an answer without one is still a success', async () => {
    const withState = routes({ answer: { ok: true, state: live(2, 5) } });
    await createCommandSender(withState.routes)({ slide: 2 });
    assert.deepEqual(withState.states.map((s) => s.seq), [5]);
    const without = routes({ answer: { ok: true } });
    assert.deepEqual(await createCommandSender(without.routes)({ slide: 2 }), { ok: true });
    assert.deepEqual(without.states, []);
  });

  test('a failure is returned as a value, with whether the command left the page', async () => {
    const sent = routes({ connected: false, answer: { ok: false, error: 'The server cannot be reached', sent: false } });
    assert.deepEqual(await createCommandSender(sent.routes)({ step: 1 }), { ok: false, error: 'The server cannot be reached', sent: false });
  });

  test('nothing is sent once the connection is closed, and a late answer feeds nothing', async () => {
    const closed = routes({ isOpen: () => false });
    assert.deepEqual(await createCommandSender(closed.routes)({ step: 1 }), { ok: false, error: 'Not connected', sent: false });
    assert.deepEqual(closed.bayeux, []);
    let open = true;
    const closing = routes({ isOpen: () => open, overBayeux: async () => ((open = false), { ok: true, state: live(2, 5) }) });
    await createCommandSender(closing.routes)({ step: 1 });
    assert.deepEqual(closing.states, []);
  });
});

function publisher(reply: Partial<Message> | undefined): Publisher & { published: unknown[] } {
  const published: unknown[] = [];
  return {
    published,
    publish(channel, content, callback) {
      published.push({ channel, content });
      if (reply) callback({ channel, ...reply });
    },
  };
}

describe('a command over Bayeux', () => {
  test('publishes on /slideshow/change and takes the state from the reply ext', async () => {
    const cometd = publisher({ successful: true, ext: { [COMMAND_STATE_EXT]: live(3, 8) } });
    const outcome = await publishOverBayeux(cometd, { slide: 3 });
    assert.deepEqual(cometd.published, [{ channel: '/slideshow/change', content: { slide: 3 } }]);
    assert.equal(outcome.ok && outcome.state?.seq, 8);
  });

  test('a reply without the ext (or with garbage in it) succeeds without a state', async () => {
    assert.deepEqual(await publishOverBayeux(publisher({ successful: true }), { step: 1 }), { ok: true, state: undefined });
    assert.deepEqual(await publishOverBayeux(publisher({ successful: true, ext: { [COMMAND_STATE_EXT]: { seq: 'x' } } }), { step: 1 }), { ok: true, state: undefined });
  });

  test('a refusal is described from the Bayeux error', async () => {
    const outcome = await publishOverBayeux(publisher({ successful: false, error: '403::Presenters only' }), { step: 1 });
    assert.deepEqual(outcome, { ok: false, error: 'Presenters only', sent: true });
  });

  test('no answer in time is a failure of a command that was sent', async () => {
    assert.deepEqual(await publishOverBayeux(publisher(undefined), { step: 1 }, 10), { ok: false, error: 'The server did not answer in time', sent: true });
  });
});

describe('a command over HTTP (POST /api/live)', () => {
  const realFetch = globalThis.fetch;
  afterEach(() => void (globalThis.fetch = realFetch));
  const answer = (status: number, body: unknown) => {
    globalThis.fetch = async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };

  test('answers with the resulting state', async () => {
    answer(200, live(4, 12));
    const outcome = await postCommand({ slide: 4 });
    assert.equal(outcome.ok && outcome.state?.seq, 12);
  });

  test('an unreachable server means the command never left', async () => {
    globalThis.fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const outcome = await postCommand({ step: 1 });
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.sent, false);
  });

  test('a refusal carries the server\'s error text and code', async () => {
    answer(409, { error: 'No talk is live', code: 'not_live' });
    assert.deepEqual(await postCommand({ step: 1 }), { ok: false, error: 'No talk is live', code: 'not_live', sent: true });
  });

  test('an answer that is not a state is a failure', async () => {
    answer(200, { hello: 1 });
    assert.deepEqual(await postCommand({ step: 1 }), { ok: false, error: 'Unexpected answer from the server', sent: true });
  });
});
