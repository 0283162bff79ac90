/**
 * Several server processes behind one address, sharing one Redis (REDIS_URL) and one data folder:
 * the real application (`server/index.ts`, production build) on different ports. A small TCP proxy
 * plays the load balancer in front of the phones. The presenter is on node A, phones (official
 * CometD client, WebSocket and long-polling) on node B:
 * - every change the presenter makes arrives on B, once, in order (or superseded by a newer one,
 *   its slide in that one's history), and B serves its images;
 * - the presenter on A counts the phones on B;
 * - B is killed: its phones land on A (the proxy's next target), re-handshake and get the current slide;
 * - Redis restarts mid-talk: each node serves its own phones meanwhile, and afterwards the talk
 *   goes on everywhere from where the presenter took it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SlideshowState } from '../../lib/slideshow/index';
import { startApp, tempDataDir, type AppProcess } from '../../support/app-process';
import { Phone, Presenter } from '../helpers/cometd-phone';
import { until } from '../../support/wait';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { makeImage } from '../helpers/slide-fixtures';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { deckDetail, postDeck } from '../../support/deck-api';

const KEY = 'multi-node-presenter-key-0123456789';
const SLIDES = 8;
const TEST_MS = 120_000;

interface Deck {
  id: string;
  slides: Array<{ slide: number; src: string }>;
}

const portOf = (app: AppProcess): number => Number(new URL(app.url).port);

async function uploadDeck(url: string): Promise<Deck> {
  const files = [];
  for (let i = 1; i <= SLIDES; i++) files.push({ name: `slide-${String(i).padStart(2, '0')}.png`, data: await makeImage({ width: 320, height: 180 }), type: 'image/png' });
  const { id } = await postDeck(url, KEY, files);
  return (await deckDetail(url, KEY, id)) as Deck;
}

async function liveState(url: string): Promise<SlideshowState> {
  return (await (await fetch(`${url}/api/live`)).json()) as SlideshowState;
}

async function imageStatus(url: string, src: string): Promise<number> {
  const response = await fetch(`${url}${src}`);
  await response.arrayBuffer();
  return response.status;
}

const slideOf = (state: SlideshowState | undefined): number | undefined => (state?.live ? state.slide : undefined);

/**
 * Every change sent reached the phone once, in order, or was superseded: the channel is
 * latest-wins, so a change a phone was not yet sent when a newer one came is sent to it folded
 * into the newer state, its slide in that state's history (it can still swipe back to it).
 */
function assertEveryChange(name: string, received: SlideshowState[], sent: SlideshowState[]): void {
  const seqs = received.map((state) => state.seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), `${name}: in order`);
  assert.equal(new Set(seqs).size, seqs.length, `${name}: none twice`);
  for (const change of sent) {
    const had = received.some((state) => state.seq === change.seq);
    const superseded = received.some((state) => state.seq > change.seq && state.live && state.history?.some((shown) => shown.slide === slideOf(change)));
    assert.ok(had || superseded, `${name}: change ${change.seq} arrived or was superseded (got ${seqs.join(', ')})`);
  }
}

describe('two nodes sharing one Redis', { concurrency: false }, () => {
  let redis: TestRedis;
  let dataDir: string;
  const nodes: AppProcess[] = [];
  let nodeA: AppProcess;
  let nodeB: AppProcess;
  let proxy: TcpProxy;
  let deck: Deck;
  let presenter: Presenter | undefined;
  /** The two phones that joined through the proxy (on B until B dies, then on A). */
  let phonesOnProxy: Phone[] = [];
  const clients: Array<Phone | Presenter> = [];

  const startNode = async (nodeId: string) => {
    const app = await startApp({
      REDIS_URL: redis.url, PRESENTER_KEY: KEY, SLIDES_DIR: dataDir, NODE_ID: nodeId,
      // Every CometD client of this process shares one cookie jar, as tabs of one browser.
      BAYEUX_MAX_SESSIONS_PER_BROWSER: '100', BAYEUX_TIMEOUT_MS: '10000',
    });
    nodes.push(app);
    return app;
  };

  // Each step makes the state it needs (a presenter, phones, a talk from its first slide) instead
  // of trusting the step before it, so one failure is reported once, not again by every later step.

  const thePresenter = async (): Promise<Presenter> => {
    if (presenter) return presenter;
    const joining = new Presenter(`${nodeA.url}/bayeux`, KEY);
    clients.push(joining);
    await joining.join();
    presenter = joining;
    return joining;
  };

  /** A talk of this deck from its first slide, moved on to `slide`: exactly slides 1..slide shown. */
  const freshTalkAt = async (slide: number): Promise<SlideshowState> => {
    const p = await thePresenter();
    await p.command({ live: false });
    let state = await p.command({ deck: deck.id });
    for (let n = 2; n <= slide; n++) state = await p.command({ step: 1 });
    assert.equal(slideOf(state), slide);
    return state;
  };

  const phonesThroughProxy = async (): Promise<Phone[]> => {
    if (phonesOnProxy.length > 0) return phonesOnProxy;
    const joining = [new Phone('WebSocket phone on B', `${proxy.url}/bayeux`, 'websocket'), new Phone('long-polling phone on B', `${proxy.url}/bayeux`, 'long-polling')];
    clients.push(...joining);
    await Promise.all(joining.map((phone) => phone.join()));
    phonesOnProxy = joining;
    return joining;
  };

  const allOn = (phones: Phone[], state: SlideshowState, what: string) => until(() => phones.every((phone) => phone.latest?.seq === state.seq), what);

  before(async () => {
    redis = await startRedis();
    dataDir = tempDataDir();
    [nodeA, nodeB] = await Promise.all([startNode('node-a'), startNode('node-b')]);
    deck = await uploadDeck(nodeA.url);
    proxy = await startTcpProxy(portOf(nodeB));
  });

  after(async () => {
    if (process.env.MULTI_NODE_DEBUG) for (const node of nodes) console.log(node.output());
    for (const client of clients) client.leave();
    await Promise.all(nodes.map((node) => node.stop('SIGKILL')));
    await proxy?.close();
    await redis?.stop();
  });

  test('a presenter on node A drives phones on node B (WebSocket and long-polling): every change arrives once, in order, or superseded', { timeout: TEST_MS }, async () => {
    const live = await freshTalkAt(1);
    const phones = await phonesThroughProxy();
    // B sends the change once it has loaded it: a phone that joined a moment before gets it then.
    await allOn(phones, live, 'both phones on the live slide');

    const marks = phones.map((phone) => phone.states.length);
    const sent: SlideshowState[] = [];
    for (let i = 0; i < 4; i++) sent.push(await presenter!.command({ step: 1 }));
    await allOn(phones, sent.at(-1)!, 'the last of four changes on both phones');
    for (const [i, phone] of phones.entries()) assertEveryChange(phone.name, phone.states.slice(marks[i]!), sent);
    for (const phone of phones) assert.equal(slideOf(phone.latest), 5);
  });

  test('node B serves the slides shown on node A, and still nothing else (no peeking on either node)', { timeout: TEST_MS }, async () => {
    await freshTalkAt(5);
    const shown = deck.slides[4]!.src;
    const unseen = deck.slides[6]!.src;
    assert.equal(await imageStatus(proxy.url, shown), 200, 'B: slide 5 was shown');
    assert.equal(await imageStatus(nodeA.url, shown), 200, 'A: slide 5 was shown');
    assert.equal(await imageStatus(proxy.url, unseen), 404, 'B: slide 7 not yet');
    assert.equal(await imageStatus(nodeA.url, unseen), 404, 'A: slide 7 not yet');
    const onB = await liveState(proxy.url);
    assert.equal(slideOf(onB), 5, 'B answers /api/live with the presenter\'s slide');
  });

  test('the presenter on node A counts the phones on node B', { timeout: TEST_MS }, async () => {
    const p = await thePresenter();
    await phonesThroughProxy();
    await until(() => p.lastCount === 2, `an audience of 2 (counts seen: ${p.counts.join(', ')})`);
  });

  test('node B dies: its phones land on node A, re-handshake and get the current slide', { timeout: TEST_MS }, async () => {
    const phones = await phonesThroughProxy();
    const current = await freshTalkAt(5);
    await allOn(phones, current, 'both phones on the current slide before B dies');
    const handshakes = phones.map((phone) => phone.handshakes);
    const marks = phones.map((phone) => phone.states.length);
    await nodeB.stop('SIGKILL');
    proxy.setTarget(portOf(nodeA));
    await until(() => phones.every((phone, i) => phone.handshakes > handshakes[i]! && phone.states.length > marks[i]!), 'both phones to re-handshake on A and get a state');
    for (const [i, phone] of phones.entries()) {
      const replay = phone.states[marks[i]!]!;
      assert.ok(replay.live && replay.slide === slideOf(current) && replay.seq === current.seq, `${phone.name} lands on the current slide`);
      assert.ok(replay.live && replay.history?.length === 5, `${phone.name} gets the slides shown so far`);
    }
    const next = await presenter!.command({ step: 1 });
    await allOn(phones, next, 'the next change on both phones, now on A');
  });

  test('the audience count forgets the dead node: the phones it lost are counted once, on A', { timeout: TEST_MS }, async () => {
    const p = await thePresenter();
    assert.notEqual(nodeB.child.exitCode ?? nodeB.child.signalCode, null, 'precondition: node B is dead');
    // Until B's entry expires (three heartbeats) its phones count twice; then the total is right again.
    const mark = p.counts.length;
    await until(() => p.counts.length > mark && p.lastCount === 2, `an audience of 2 again (counts seen: ${p.counts.join(', ')})`, 40_000);
  });

  test('Redis restarts mid-talk: every node serves its own phones meanwhile, and the talk goes on everywhere after', { timeout: TEST_MS }, async () => {
    const p = await thePresenter();
    const onA = new Phone('long-polling phone on A', `${nodeA.url}/bayeux`, 'long-polling');
    const nodeC = await startNode('node-c');
    const onC = [new Phone('WebSocket phone on C', `${nodeC.url}/bayeux`, 'websocket'), new Phone('long-polling phone on C', `${nodeC.url}/bayeux`, 'long-polling')];
    const everyone = [onA, ...onC];
    clients.push(...everyone);
    await Promise.all(everyone.map((phone) => phone.join()));
    const before = await freshTalkAt(2);
    await allOn(everyone, before, 'every phone on the current slide before Redis goes');

    await redis.kill();
    await until(() => [nodeA, nodeC].every((node) => /lost Redis/.test(node.output())), 'both nodes to notice that Redis is gone');
    const duringOutage = await p.command({ step: 1 });
    await allOn([onA], duringOutage, 'node A\'s phone to follow while Redis is down');
    // Stay down through several reconnect attempts (100 ms backoff, doubling): the outage's length is
    // the scenario, not a wait for something; bounded at 1.5 s.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    await redis.start();
    await until(() => [nodeA, nodeC].every((node) => /back after/.test(node.output())), 'both nodes to reconnect');
    await until(() => onC.every((phone) => slideOf(phone.latest) === slideOf(duringOutage)), 'node C\'s phones to catch up with the slide shown during the outage');
    const afterOutage = await p.command({ step: 1 });
    await allOn(everyone, afterOutage, 'the next change on every phone, on A and on C');
    assert.equal(slideOf(await liveState(nodeC.url)), slideOf(afterOutage), 'node C has the talk');
    assert.equal(await imageStatus(nodeC.url, deck.slides[slideOf(afterOutage)! - 1]!.src), 200, 'node C serves the slide shown last');
    for (const node of [nodeA, nodeC]) assert.equal(node.child.exitCode, null, 'the nodes kept running');
  });
});
