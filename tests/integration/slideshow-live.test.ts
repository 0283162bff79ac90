/**
 * The live slideshow end to end, through HTTP and Bayeux with the official CometD client: a
 * presenter's commands become full states broadcast to the audience (over WebSocket and
 * long-polling), slide images appear only once shown, the audience cannot steer, late joiners
 * and restarted servers resume on the current slide, presenters see the audience count, and
 * BAYEUX_PUBLIC_CHANNELS opens only what it names.
 *
 * "Nobody received anything" is proven without sleeping: after the refused action the presenter
 * makes one valid change (a sentinel); every session delivers in order, so once the sentinel has
 * arrived anything broadcast before it would have arrived too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CometD, Message as CometDMessage } from 'cometd';
import type { DeckDetail, DeckSummary, ShownSlide } from '../../lib/slideshow/index';
import type { StoredDeck } from '../../server/slides/index';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import {
  STEP_MS, TEST_MS, bearer, connected, disconnect, disconnectAll, follower, getJson, newClient, presenterClient,
  presenterToken, publish, recordWire, sendJson, signIn, snapshot, subscribe, tokenOf, trySubscribe, until, uploadDeck,
  type Follower, type Mode,
} from '../helpers/slideshow-clients';
import { RawBayeux } from '../helpers/raw-bayeux';

const BAYEUX = { timeout: 2_000 };

const png = (width: number, height = 135) => makeImage({ width, height, format: 'png' });

async function slidesDeck(server: SlideshowTestServer, count: number, title: string): Promise<{ summary: DeckSummary; detail: DeckDetail }> {
  const files = await Promise.all(Array.from({ length: count }, async (_, i) => ({ name: `s${i + 1}.png`, data: await png(200 + i) })));
  const summary = await uploadDeck(server, files, title);
  const { status, body } = await getJson<DeckDetail>(`${server.url}/api/decks/${summary.id}`, bearer(server));
  assert.equal(status, 200);
  return { summary, detail: body };
}

/** What the audience may know of a slide: the deck detail's slide without the presenter-only fields. */
function shownOf(detail: DeckDetail, n: number): ShownSlide {
  const { thumbnail: _thumbnail, name: _name, ...shown } = detail.slides[n - 1]!;
  return shown;
}

/** Publishes a command as the presenter and waits until every follower has one more state; returns it. */
async function change(presenter: CometD, followers: Follower[], command: object): Promise<any> {
  const counts = followers.map((f) => f.states.length);
  const reply = await publish(presenter, '/slideshow/change', command);
  assert.equal(reply.successful, true, `publish ${JSON.stringify(command)}: ${JSON.stringify(reply)}`);
  await until(() => followers.every((f, i) => f.states.length > counts[i]!), `the broadcast of ${JSON.stringify(command)}`);
  const states = followers.map((f, i) => f.states[counts[i]!]);
  for (const state of states.slice(1)) assert.deepEqual(state, states[0], 'every follower receives the same state');
  return states[0];
}

/**
 * Runs `refused` (which must broadcast nothing), then a sentinel change; asserts that the sentinel,
 * recognised by its seq, is all anyone received.
 */
async function nothingBroadcastBy(server: SlideshowTestServer, presenter: CometD, followers: Follower[], refused: () => Promise<void>, sentinel: object): Promise<any> {
  const counts = followers.map((f) => f.states.length);
  await refused();
  const reply = await publish(presenter, '/slideshow/change', sentinel);
  assert.equal(reply.successful, true, `sentinel ${JSON.stringify(sentinel)}: ${JSON.stringify(reply)}`);
  const { seq } = (await getJson<{ seq: number }>(`${server.url}/api/live`)).body;
  await until(() => followers.every((f) => f.states.some((state) => state.seq === seq)), 'the sentinel at every follower');
  for (const [i, f] of followers.entries()) {
    assert.deepEqual(f.states.slice(counts[i]!).map((state) => state.seq), [seq], `the ${f.mode} follower received only the sentinel: ${JSON.stringify(f.states.slice(counts[i]!))}`);
  }
  return followers[0]!.states.at(-1);
}

async function audienceStatus(server: SlideshowTestServer, path: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${server.url}${path}`, { headers });
  await response.arrayBuffer();
  return response.status;
}

describe('live talk: presenter commands, broadcast, images, replay', () => {
  let server: SlideshowTestServer;
  let cookie: string;
  let twelve: DeckDetail;
  let presenter: CometD;
  let presenterStates: any[];
  /** The presenter's own subscription to the talk, checked like an audience client's. */
  let self: Follower;
  let ws: Follower;
  let lp: Follower;
  const shown = new Set<number>();
  const secrets: string[] = [];

  before(async () => {
    server = await startSlideshowServer({}, BAYEUX);
    cookie = await signIn(server);
    twelve = (await slidesDeck(server, 12, 'Twelve slides')).detail;
    presenter = await presenterClient(server, cookie, 'websocket');
    presenterStates = [];
    await subscribe(presenter, '/slideshow/change', (message) => presenterStates.push(message.data));
    self = { cometd: presenter, mode: 'websocket', states: presenterStates, wire: [] };
    secrets.push(server.key, await presenterToken(server, cookie));
    ws = await follower(server, 'websocket');
    lp = await follower(server, 'long-polling');
    await until(() => ws.states.length === 1 && lp.states.length === 1 && presenterStates.length === 1, 'the idle state at every subscriber');
  });

  after(async () => {
    await disconnectAll();
    await server?.close();
  });

  test('subscribers start on the idle state', { timeout: TEST_MS }, () => {
    for (const states of [ws.states, lp.states, presenterStates]) {
      assert.equal(states[0].live, false);
      assert.equal(typeof states[0].seq, 'number');
      assert.equal(typeof states[0].at, 'number');
    }
  });

  test('a presenter publishing {deck, slide} reaches both audience clients as the full state', { timeout: TEST_MS }, async () => {
    const idleSeq = ws.states[0].seq as number;
    const state = await change(presenter, [ws, lp, self], { deck: twelve.id, slide: 3 });
    shown.add(3);
    assert.deepEqual(state, {
      ...shownOf(twelve, 3), live: true, deck: twelve.id, title: 'Twelve slides', count: 12, blackout: false,
      seq: state.seq, at: state.at, startedAt: state.startedAt, key: state.key, next: state.next,
    });
    // Sealed prefetch (tests/integration/sealed-prefetch.test.ts): the shown slide's key, the next slide's sealed URLs.
    const stored = JSON.parse(await readFile(path.join(server.dataDir, twelve.id, 'deck.json'), 'utf8')) as StoredDeck;
    assert.equal(state.key, stored.slides[2]!.key);
    assert.deepEqual(state.next, { slide: 4, sealed: stored.slides[3]!.sealed!.map(({ width, webp, jpeg }) => ({ width, webp: `/sealed/${twelve.id}/${webp}.bin`, jpeg: `/sealed/${twelve.id}/${jpeg}.bin` })) });
    assert.ok(state.seq > idleSeq, 'seq grew');
    assert.equal(typeof state.at, 'number');
    assert.equal(typeof state.startedAt, 'number');
    assert.ok(!('history' in state), 'broadcasts carry no history');
    assert.match(state.src, /\.jpg$/);
    assert.ok(state.images.length >= 1);
    assert.ok(state.placeholder.startsWith('data:image/'));
    assert.equal(state.alt, 'Slide 3 of 12', 'never the file name');
  });

  test('a shown slide loads for the audience; a slide not yet shown is a 404 identical to a URL that never existed', { timeout: TEST_MS }, async () => {
    const current = lp.states.at(-1);
    const image = await fetch(`${server.url}${current.src}`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    const bytes = Buffer.from(await image.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
    for (const variant of current.images) {
      assert.equal(await audienceStatus(server, variant.webp), 200);
      assert.equal(await audienceStatus(server, variant.jpeg), 200);
    }

    const hidden = twelve.slides[3]!; // slide 4
    const neverExisted = [
      `/img/${twelve.id}/${'0'.repeat(32)}-${hidden.images[0]!.width}.jpg`, // unknown token in the live deck
      `/img/aaaaaaaaaaaaaaaa/${tokenOf(hidden.src)}-${hidden.images[0]!.width}.jpg`, // unknown deck
      `/img/${twelve.id}/${tokenOf(hidden.src)}-999.jpg`, // a width that was never made
      `/img/${twelve.id}/nothing-here`,
    ];
    const reference = await snapshot(`${server.url}${neverExisted[0]}`);
    assert.equal(reference.status, 404);
    for (const path of [...neverExisted, hidden.src, hidden.thumbnail, hidden.images[0]!.webp]) {
      assert.deepEqual(await snapshot(`${server.url}${path}`), reference, `the audience's answer to ${path}`);
    }

    // Presenters (cookie or Bearer) see every slide.
    for (const headers of [{ cookie }, bearer(server)]) {
      for (const slide of twelve.slides) {
        for (const path of [slide.src, slide.thumbnail, slide.images[0]!.webp]) {
          assert.equal(await audienceStatus(server, path, headers), 200, `presenter ${Object.keys(headers)[0]} ${path}`);
        }
      }
    }
  });

  test('jumping 3 → 10 reveals slide 10 only: 4 to 9 stay hidden', { timeout: TEST_MS }, async () => {
    assert.equal(await audienceStatus(server, twelve.slides[9]!.src), 404, 'slide 10 before it is shown');
    const state = await change(presenter, [ws, lp, self], { slide: 10 });
    shown.add(10);
    assert.equal(state.slide, 10);
    assert.deepEqual(state.images, twelve.slides[9]!.images);
    for (let n = 1; n <= 12; n++) {
      const expected = shown.has(n) ? 200 : 404;
      assert.equal(await audienceStatus(server, twelve.slides[n - 1]!.src), expected, `slide ${n}`);
      assert.equal(await audienceStatus(server, twelve.slides[n - 1]!.thumbnail), expected, `thumbnail ${n}`);
    }
  });

  test('an audience client publishing on /slideshow/change is refused (publish_denied) and nobody receives anything', { timeout: TEST_MS }, async () => {
    const state = await nothingBroadcastBy(server, presenter, [ws, lp, self], async () => {
      for (const forger of [ws, lp]) {
        for (const data of [{ deck: twelve.id, slide: 12 }, { ...lp.states.at(-1), slide: 12 }]) {
          const reply = await publish(forger.cometd, '/slideshow/change', data);
          assert.equal(reply.successful, false);
          assert.equal(reply.error, '403:/slideshow/change:publish_denied');
        }
      }
    }, { step: 1 });
    shown.add(11);
    assert.equal(state.slide, 11);
    assert.equal(await audienceStatus(server, twelve.slides[11]!.src), 404, 'slide 12 is still hidden');
  });

  test('{step: 1}, {step: -1} and {blackout} are applied and broadcast with a growing seq', { timeout: TEST_MS }, async () => {
    let seq = lp.states.at(-1).seq as number;
    const expectNext = (state: any, slide: number, blackout: boolean) => {
      assert.equal(state.slide, slide);
      assert.equal(state.blackout, blackout);
      assert.equal(state.src, twelve.slides[slide - 1]!.src);
      assert.ok(state.seq > seq, `seq ${state.seq} after ${seq}`);
      seq = state.seq;
    };
    expectNext(await change(presenter, [ws, lp, self], { step: 1 }), 12, false);
    shown.add(12);
    expectNext(await change(presenter, [ws, lp, self], { step: 1 }), 12, false); // stays on the last slide
    expectNext(await change(presenter, [ws, lp, self], { step: -1 }), 11, false);
    expectNext(await change(presenter, [ws, lp, self], { blackout: true }), 11, true);
    expectNext(await change(presenter, [ws, lp, self], { blackout: false }), 11, false);
    expectNext(await change(presenter, [ws, lp, self], { blackout: true }), 11, true);
    expectNext(await change(presenter, [ws, lp, self], { step: -1 }), 10, false); // moving on lifts the blackout
  });

  test('invalid commands fail the publish with an error and broadcast nothing', { timeout: TEST_MS }, async () => {
    const before = (await getJson(`${server.url}/api/live`)).body;
    const cases: Array<[unknown, RegExp]> = [
      [{ slide: 0 }, /^400::/],
      [{ slide: 999 }, /^400::.*999/],
      [{ deck: 'nope' }, /^404::.*nope/],
      [{ slide: 1.5 }, /^400::/],
      [{ step: 2 }, /^400::/],
      [{ slide: 2, step: 1 }, /^400::/],
      [{ live: true }, /^400::/],
      [{}, /^400::/],
      ['next', /^400::/],
      [[1], /^400::/],
    ];
    await nothingBroadcastBy(server, presenter, [ws, lp, self], async () => {
      for (const [command, error] of cases) {
        const reply = await publish(presenter, '/slideshow/change', command);
        assert.equal(reply.successful, false, `${JSON.stringify(command)} must fail: ${JSON.stringify(reply)}`);
        assert.match(String(reply.error), error, JSON.stringify(command));
      }
      const after = (await getJson(`${server.url}/api/live`)).body;
      assert.deepEqual({ ...after, at: 0 }, { ...before, at: 0 }, 'the state did not change');
    }, { slide: 10 });
    assert.equal(presenterStates.at(-1).slide, 10);
  });

  test('POST /api/live does what a publish does, and is broadcast', { timeout: TEST_MS }, async () => {
    const counts = [ws.states.length, lp.states.length, presenterStates.length];
    const answer = await sendJson('POST', `${server.url}/api/live`, { slide: 5 }, bearer(server));
    assert.equal(answer.status, 200);
    shown.add(5);
    assert.equal(answer.body.slide, 5);
    assert.equal(answer.body.src, twelve.slides[4]!.src);
    await until(() => ws.states.length > counts[0]! && lp.states.length > counts[1]! && presenterStates.length > counts[2]!, 'the broadcast of the HTTP command');
    for (const state of [ws.states.at(-1), lp.states.at(-1), presenterStates.at(-1)]) assert.deepEqual(state, answer.body);
    assert.equal(await audienceStatus(server, twelve.slides[4]!.src), 200);

    // Refused over HTTP: nothing is broadcast either.
    await nothingBroadcastBy(server, presenter, [ws, lp, self], async () => {
      assert.equal((await sendJson('POST', `${server.url}/api/live`, { slide: 999 }, bearer(server))).status, 400);
      assert.equal((await sendJson('POST', `${server.url}/api/live`, { deck: 'nope' }, bearer(server))).status, 404);
      assert.equal((await sendJson('POST', `${server.url}/api/live`, { slide: 0 }, bearer(server))).status, 400);
    }, { slide: 5 });
  });

  test('GET /api/live shows the current state, without history, to anyone', { timeout: TEST_MS }, async () => {
    const { status, body } = await getJson(`${server.url}/api/live`);
    assert.equal(status, 200);
    const last = lp.states.at(-1);
    assert.ok(!('history' in body));
    assert.deepEqual({ ...body, at: 0 }, { ...last, at: 0 });
  });

  test('a late joiner gets the current slide at once, alone, with every slide shown so far and none other', { timeout: TEST_MS }, async () => {
    for (const mode of ['long-polling', 'websocket'] as const) {
      const counts = [ws.states.length, lp.states.length, presenterStates.length];
      const late = await follower(server, mode);
      await until(() => late.states.length >= 1, `the current state at the late ${mode} joiner`);
      const [first] = late.states;
      const current = lp.states.at(-1);
      const { history, ...rest } = first;
      assert.deepEqual(rest, { ...current, at: rest.at }, 'the current slide');
      const order = [...shown].sort((a, b) => a - b);
      assert.deepEqual(history.map((s: ShownSlide) => s.slide), order, 'history: every shown slide, ascending');
      assert.deepEqual(history, order.map((n) => shownOf(twelve, n)));
      for (const entry of history as ShownSlide[]) assert.equal(await audienceStatus(server, entry.src), 200, `history slide ${entry.slide} loads`);
      const wire = late.wire.join('\n');
      for (let n = 1; n <= 12; n++) {
        if (!shown.has(n)) assert.ok(!wire.includes(tokenOf(twelve.slides[n - 1]!.src)), `slide ${n} was never shown: it must not reach the joiner`);
      }
      // Nobody else received a copy; the late joiner receives broadcasts from then on.
      await nothingBroadcastBy(server, presenter, [ws, lp, self, late], async () => {
        assert.deepEqual([ws.states.length, lp.states.length, presenterStates.length], counts);
      }, { slide: 5 });
      assert.equal(late.states.length, 2);
      assert.ok(!('history' in late.states[1]));
      await disconnect(late.cometd);
    }
  });

  test('no audience client ever received the key, a presenter token, or a slide not yet shown', { timeout: TEST_MS }, () => {
    const hidden = twelve.slides.filter((_, i) => !shown.has(i + 1)).map((slide) => tokenOf(slide.src));
    assert.ok(hidden.length >= 5, 'several slides were never shown');
    for (const f of [ws, lp]) {
      assert.ok(f.wire.length > 10, `the ${f.mode} client's wire was recorded`);
      const wire = f.wire.join('\n');
      for (const secret of secrets) assert.ok(!wire.includes(secret), `a secret reached the ${f.mode} audience client`);
      for (const token of hidden) assert.ok(!wire.includes(token), `an unshown slide reached the ${f.mode} audience client`);
    }
  });
});

describe('live talk: ending and restarting a talk', () => {
  let server: SlideshowTestServer;

  before(async () => {
    server = await startSlideshowServer({}, BAYEUX);
  });

  after(async () => {
    await disconnectAll();
    await server?.close();
  });

  test('{live: false} ends the talk: the audience sees the ended idle state, shown images stay, unshown stay hidden; a new talk reveals afresh', { timeout: TEST_MS }, async () => {
    const { detail } = await slidesDeck(server, 4, 'Twice');
    const presenter = await presenterClient(server, await signIn(server), 'long-polling');
    const watcher = await follower(server, 'websocket');
    await until(() => watcher.states.length === 1, 'the idle state');
    await change(presenter, [watcher], { deck: detail.id, slide: 2 });
    await change(presenter, [watcher], { slide: 3 });
    assert.equal(await audienceStatus(server, detail.slides[1]!.src), 200);

    const ended = await change(presenter, [watcher], { live: false });
    assert.equal(ended.live, false);
    assert.deepEqual(Object.keys(ended).sort(), ['at', 'ended', 'live', 'seq']);
    assert.equal(ended.ended, true);
    for (const [i, slide] of detail.slides.entries()) assert.equal(await audienceStatus(server, slide.src), i === 1 || i === 2 ? 200 : 404, `${slide.name} after the talk`);
    const refused = await publish(presenter, '/slideshow/change', { slide: 2 });
    assert.equal(refused.successful, false);
    assert.match(String(refused.error), /^409::/, 'moving needs a live talk');

    const again = await change(presenter, [watcher], { deck: detail.id, slide: 4 });
    assert.equal(again.slide, 4);
    assert.ok(again.startedAt >= ended.at, 'a new start time');
    assert.equal(again.ended, undefined, 'a live state is not ended');
    // Slides 2 and 3 were shown in the last talk (kept for a while, see below), 4 in this one; 1 never.
    for (const [i, slide] of detail.slides.entries()) assert.equal(await audienceStatus(server, slide.src), i === 0 ? 404 : 200, slide.name);
    const late = await follower(server, 'long-polling');
    await until(() => late.states.length === 1, 'the state at a late joiner');
    assert.deepEqual(late.states[0].history.map((s: ShownSlide) => s.slide), [4], 'the history of the new talk only');
    await Promise.all([presenter, watcher.cometd, late.cometd].map(disconnect));
  });
});

describe('live talk: the audience count', () => {
  let server: SlideshowTestServer;

  before(async () => {
    // A session that stops polling is dropped after maxInterval: short here, so the test is quick.
    server = await startSlideshowServer({}, { ...BAYEUX, maxInterval: 4_000 });
  });

  after(async () => {
    await disconnectAll();
    await server?.close();
  });

  test('presenters see the count follow audience subscribes and disconnects; presenters are not counted', { timeout: TEST_MS }, async () => {
    const cookie = await signIn(server);
    const presenter = await presenterClient(server, cookie, 'long-polling');
    const counts: number[] = [];
    await subscribe(presenter, '/slideshow/audience', (message) => counts.push((message.data as { count: number }).count));
    await until(() => counts.length >= 1, 'the count at subscribe');
    assert.deepEqual(counts, [0]);
    const last = () => counts.at(-1);

    // Presenters following the talk are not counted: one with a token, one with the key itself (scripts).
    await subscribe(presenter, '/slideshow/change', () => undefined);
    const script = newClient(server.endpoint, 'websocket');
    await connected(script, { ext: { auth: { token: server.key } } });
    await subscribe(script, '/slideshow/change', () => undefined);

    const first = await follower(server, 'websocket');
    await until(() => last() === 1, 'a count of 1');
    const second = await follower(server, 'long-polling');
    await until(() => last() === 2, 'a count of 2');

    // The audience may not watch the count.
    for (const f of [first, second]) {
      const reply = await trySubscribe(f.cometd, '/slideshow/audience', () => assert.fail('the audience received a count'));
      assert.equal(reply.successful, false);
      assert.equal(reply.error, '403:/slideshow/audience:subscribe_denied');
    }

    await disconnect(first.cometd);
    await until(() => last() === 1, 'the count back to 1');
    await disconnect(second.cometd);
    await until(() => last() === 0, 'the count back to 0');
    assert.ok(Math.max(...counts) === 2, `never more than the two audience clients: ${JSON.stringify(counts)}`);
    assert.equal(server.slideshow.bayeux.audienceCount, 0);
    await disconnect(script);
    await disconnect(presenter);
  });

  test('the count also goes down when a client unsubscribes, or vanishes without a word', { timeout: TEST_MS }, async () => {
    const presenter = await presenterClient(server, await signIn(server), 'websocket');
    const counts: number[] = [];
    await subscribe(presenter, '/slideshow/audience', (message) => counts.push((message.data as { count: number }).count));
    await until(() => counts.length >= 1, 'the count at subscribe');
    assert.deepEqual(counts, [0]);
    const last = () => counts.at(-1);

    const leaving = new RawBayeux(server.endpoint);
    const vanishing = new RawBayeux(server.endpoint);
    for (const client of [leaving, vanishing]) {
      assert.equal((await client.handshake()).successful, true);
      await client.connect(); // the first connect is answered at once
      assert.equal((await client.subscribe('/slideshow/change')).successful, true);
    }
    await until(() => last() === 2, 'a count of 2');

    const { messages } = await leaving.send([{ channel: '/meta/unsubscribe', clientId: leaving.clientId, subscription: '/slideshow/change', id: leaving.nextId() }]);
    assert.equal(messages.find((m) => m.channel === '/meta/unsubscribe')?.successful, true);
    await until(() => last() === 1, 'the count after an unsubscribe');

    // `vanishing` never polls again: the server drops its session after maxInterval.
    await until(() => last() === 0, 'the count after a silent client expired', STEP_MS * 2);
    assert.equal(server.bayeux.getSession(vanishing.clientId), undefined);
    await leaving.disconnect();
    await disconnect(presenter);
  });
});

describe('live talk: BAYEUX_PUBLIC_CHANNELS', () => {
  let server: SlideshowTestServer;

  before(async () => {
    server = await startSlideshowServer({ publicChannels: '/chat/**' }, BAYEUX);
  });

  after(async () => {
    await disconnectAll();
    await server?.close();
  });

  test('the audience publishes and subscribes in /chat/**, and still cannot change slides', { timeout: TEST_MS }, async () => {
    const presenter = await presenterClient(server, await signIn(server), 'websocket');
    const presenterStates: unknown[] = [];
    const presenterChat: unknown[] = [];
    await subscribe(presenter, '/slideshow/change', (message) => presenterStates.push(message.data));
    await subscribe(presenter, '/chat/room', (message) => presenterChat.push(message.data));
    await until(() => presenterStates.length === 1, 'the idle state at the presenter');

    const alice = newClient(server.endpoint, 'websocket');
    const bob = newClient(server.endpoint, 'long-polling');
    await connected(alice);
    await connected(bob);
    const got: Record<string, unknown[]> = { alice: [], bob: [] };
    await subscribe(alice, '/chat/room', (message) => got.alice!.push(message.data));
    await subscribe(bob, '/chat/**', (message) => got.bob!.push(message.data));

    assert.equal((await publish(alice, '/chat/room', { from: 'alice' })).successful, true);
    assert.equal((await publish(bob, '/chat/room', { from: 'bob' })).successful, true);
    await until(() => got.alice!.length === 2 && got.bob!.length === 2, 'both messages at both clients');
    assert.deepEqual(got.alice, [{ from: 'alice' }, { from: 'bob' }]);
    assert.deepEqual(got.bob, [{ from: 'alice' }, { from: 'bob' }]);

    for (const client of [alice, bob]) {
      const change = await publish(client, '/slideshow/change', { slide: 1 });
      assert.equal(change.successful, false);
      assert.equal(change.error, '403:/slideshow/change:publish_denied');
      const outside = await publish(client, '/news/room', { hi: 1 });
      assert.equal(outside.successful, false);
      assert.equal(outside.error, '403:/news/room:publish_denied');
      const watch = await trySubscribe(client, '/slideshow/audience', () => assert.fail('the audience received a count'));
      assert.equal(watch.error, '403:/slideshow/audience:subscribe_denied');
      const everything = await trySubscribe(client, '/**', () => assert.fail('the audience subscribed to everything'));
      assert.equal(everything.successful, false);
    }
    // A last chat message as the sentinel: anything broadcast on /slideshow/change before it would
    // have reached the presenter first. The presenter received the idle state and nothing since.
    assert.equal((await publish(alice, '/chat/room', { sentinel: true })).successful, true);
    await until(() => presenterChat.length === 3, 'the sentinel at the presenter');
    assert.deepEqual(presenterChat.at(-1), { sentinel: true });
    assert.equal(presenterStates.length, 1);
    await Promise.all([alice, bob, presenter].map(disconnect));
  });
});

describe('live talk: a server restart', () => {
  let first: SlideshowTestServer | undefined;
  let second: SlideshowTestServer | undefined;

  after(async () => {
    await disconnectAll();
    await first?.close();
    await second?.close();
  });

  test('clients re-handshake and land on the same slide; seq keeps growing', { timeout: TEST_MS * 2 }, async () => {
    first = await startSlideshowServer({}, BAYEUX);
    const { dataDir, port } = first;
    const { detail } = await slidesDeck(first, 6, 'Restarted');
    const cookie = await signIn(first);

    // The CometD documentation pattern: subscribe from a /meta/handshake listener, so the
    // subscription is made again after every (re-)handshake.
    const resubscribing = async (mode: Mode) => {
      const cometd = newClient(first!.endpoint, mode);
      const client = { cometd, mode, wire: recordWire(cometd), states: [] as any[], handshakes: [] as CometDMessage[] };
      cometd.addListener('/meta/handshake', (message) => {
        if (!message.successful) return;
        client.handshakes.push(message);
        cometd.batch(() => cometd.subscribe('/slideshow/change', (event) => client.states.push(event.data)));
      });
      await connected(cometd);
      await until(() => client.states.length === 1, `the idle state at the ${mode} client`);
      return client;
    };
    const audiences = [await resubscribing('long-polling'), await resubscribing('websocket')];

    const presenter = newClient(first.endpoint, 'websocket');
    const presenterHandshakes: CometDMessage[] = [];
    presenter.addListener('/meta/handshake', (message) => {
      if (message.successful) presenterHandshakes.push(message);
    });
    await connected(presenter, { ext: { auth: { token: await presenterToken(first, cookie) } } });
    assert.equal((await publish(presenter, '/slideshow/change', { deck: detail.id, slide: 2 })).successful, true);
    assert.equal((await publish(presenter, '/slideshow/change', { slide: 4 })).successful, true);
    await until(() => audiences.every((a) => a.states.at(-1)?.slide === 4), 'slide 4 at the audience');
    const before = audiences[0]!.states.at(-1);
    assert.deepEqual(audiences[1]!.states.at(-1), before);

    await first.close();
    first = undefined;
    second = await startSlideshowServer({ dataDir, port }, BAYEUX);
    assert.equal(second.port, port);

    const counts = audiences.map((a) => a.states.length);
    await until(() => audiences.every((a, i) => a.states.length > counts[i]!), 'the state after the re-handshake', STEP_MS * 2);
    for (const audience of audiences) {
      assert.equal(audience.handshakes.length, 2, `the ${audience.mode} client handshook again`);
      assert.equal(audience.handshakes[1]!.reestablish, true);
      const resumed = audience.states.at(-1);
      assert.equal(resumed.live, true);
      assert.equal(resumed.deck, detail.id);
      assert.equal(resumed.slide, 4);
      assert.equal(resumed.seq, before.seq, 'the same state, not a new one');
      assert.equal(resumed.startedAt, before.startedAt);
      assert.deepEqual(resumed.history.map((s: ShownSlide) => s.slide), [2, 4]);
    }
    const live = (await getJson(`${second.url}/api/live`)).body;
    assert.deepEqual({ ...live, at: 0 }, { ...before, at: 0 });
    assert.equal(await audienceStatus(second, detail.slides[3]!.src), 200, 'shown before the restart, still visible');
    assert.equal(await audienceStatus(second, detail.slides[2]!.src), 404, 'never shown, still hidden');

    // The presenter's client re-handshakes with the same props (the token is still valid).
    await until(() => presenterHandshakes.length === 2, 'the presenter to handshake again', STEP_MS * 2);
    await until(() => presenter.getStatus() === 'connected', 'the presenter to connect again');
    assert.equal((await publish(presenter, '/slideshow/change', { step: 1 })).successful, true);
    await until(() => audiences.every((a) => a.states.at(-1)?.slide === 5), 'slide 5 at the audience');
    for (const audience of audiences) {
      const next = audience.states.at(-1);
      assert.ok(next.seq > before.seq, `seq ${next.seq} after ${before.seq}`);
      assert.ok(!audience.wire.join('\n').includes(second.key), 'the key never reached the audience');
    }
    await Promise.all([...audiences.map((a) => a.cometd), presenter].map(disconnect));
  });
});

describe('latest wins: a phone that fell behind goes straight to the current slide', () => {
  let server: SlideshowTestServer;
  let five: DeckDetail;
  let presenter: CometD;

  before(async () => {
    server = await startSlideshowServer({}, BAYEUX);
    const cookie = await signIn(server);
    five = (await slidesDeck(server, 5, 'Five slides')).detail;
    presenter = await presenterClient(server, cookie, 'websocket');
  });

  after(async () => {
    await disconnectAll();
    await server?.close();
  });

  const changesIn = (reply: { messages: any[] }) => reply.messages.filter((m) => m.channel === '/slideshow/change').map((m) => m.data);

  test('a long poll that was away gets one state, the newest, with the slides it skipped in its history', { timeout: TEST_MS }, async () => {
    const phone = new RawBayeux(`${server.url}/bayeux`);
    assert.equal((await phone.handshake()).successful, true);
    assert.equal((await phone.subscribe('/slideshow/change')).successful, true);
    const [idle] = changesIn(await phone.connect({ advice: { timeout: 0 } }));
    assert.equal(idle.live, false, 'the replay after subscribing');

    // The phone does not poll (on a train, in a tunnel) while the presenter goes live and moves twice.
    for (const slide of [2, 4, 5]) assert.equal((await publish(presenter, '/slideshow/change', { deck: five.id, slide })).successful, true);
    const current = (await getJson(`${server.url}/api/live`)).body;

    const changes = changesIn(await phone.connect());
    assert.equal(changes.length, 1, `one state, not three: ${JSON.stringify(changes.map((c) => c.slide))}`);
    const { history, ...state } = changes[0];
    assert.deepEqual({ ...state, at: 0 }, { ...current, at: 0 }, 'the current state');
    assert.deepEqual(history, [shownOf(five, 2), shownOf(five, 4)], 'the skipped slides, to swipe back to');
    for (const entry of history as ShownSlide[]) assert.equal(await audienceStatus(server, entry.src), 200, `skipped slide ${entry.slide} loads`);
    assert.equal(await audienceStatus(server, five.slides[2]!.src), 404, 'slide 3 was never shown');
    await phone.disconnect();
  });

  test('a phone that keeps up still gets every change, each on its own', { timeout: TEST_MS }, async () => {
    const phone = await follower(server, 'long-polling');
    await until(() => phone.states.length === 1, 'the replay');
    for (const slide of [1, 3]) {
      assert.equal((await publish(presenter, '/slideshow/change', { slide })).successful, true);
      await until(() => phone.states.at(-1)?.slide === slide, `slide ${slide} at the phone`);
    }
    assert.deepEqual(phone.states.slice(1).map((s) => [s.slide, 'history' in s]), [[1, false], [3, false]]);
    await disconnect(phone.cometd);
  });
});
