/**
 * The slideshow on several nodes in one process (no Next): each node is the real Bayeux server
 * with a RedisEngine and the slideshow with its shared state, all on one Redis link per node, over
 * one data folder and one real redis-server. What the two-process end-to-end test cannot force:
 * two presenters at once, a node that has not heard of a change yet, both nodes changing the talk
 * while Redis is away, Redis losing the key, a node starting while Redis is down.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RedisEngine, RedisLink } from '../../server/bayeux/index';
import type { SlideshowState } from '../../lib/slideshow/index';
import { Phone, Presenter } from '../helpers/cometd-phone';
import { sleep, until } from '../../support/wait';
import { RawBayeux } from '../helpers/raw-bayeux';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';

const TEST_MS = 60_000;
const SLIDES = 16;

interface Node {
  readonly name: string;
  readonly server: SlideshowTestServer;
  readonly link: RedisLink;
  readonly logs: string[];
  close(): Promise<void>;
}

interface Deck {
  id: string;
  slides: Array<{ slide: number; src: string }>;
}

const slideOf = (state: SlideshowState | undefined): number | undefined => (state?.live ? state.slide : undefined);

describe('the slideshow on several nodes', () => {
  let redis: TestRedis;
  let dataDir: string;
  let a: Node;
  let b: Node;
  let deck: Deck;
  const phones: Phone[] = [];
  const nodes: Node[] = [];

  async function startNode(name: string): Promise<Node> {
    const logs: string[] = [];
    const log = (line: string) => void logs.push(line);
    const link = new RedisLink(redis.url, { name, log, retryMaxMs: 500 });
    const engine = new RedisEngine(link, { nodeId: name, channel: 'cometdeck:bayeux', log });
    const server = await startSlideshowServer({ dataDir, shared: { link, instance: `${name}~test` } }, { engine, timeout: 2_000 });
    const node: Node = {
      name, server, link, logs,
      async close() {
        await server.close();
        await link.close();
      },
    };
    nodes.push(node);
    return node;
  }

  const bearer = (node: Node) => ({ authorization: `Bearer ${node.server.key}`, 'content-type': 'application/json' });

  async function command(node: Node, body: object): Promise<SlideshowState> {
    const response = await fetch(`${node.server.url}/api/live`, { method: 'POST', headers: bearer(node), body: JSON.stringify(body) });
    const state = await response.json();
    assert.equal(response.status, 200, JSON.stringify(state));
    return state as SlideshowState;
  }

  async function live(node: Node): Promise<SlideshowState> {
    return (await (await fetch(`${node.server.url}/api/live`)).json()) as SlideshowState;
  }

  async function imageStatus(node: Node, slide: number): Promise<number> {
    const response = await fetch(`${node.server.url}${deck.slides[slide - 1]!.src}`);
    await response.arrayBuffer();
    return response.status;
  }

  function phoneOn(node: Node, mode: 'websocket' | 'long-polling' = 'long-polling'): Phone {
    const phone = new Phone(`${mode} phone on ${node.name}`, node.server.endpoint, mode);
    phones.push(phone);
    return phone;
  }

  /** Both nodes answer the same state (deck, slide, seq). */
  async function agree(): Promise<SlideshowState> {
    let states: SlideshowState[] = [];
    const agreed = async () => {
      states = await Promise.all([live(a), live(b)]);
      return states[0]!.seq === states[1]!.seq && slideOf(states[0]) === slideOf(states[1]);
    };
    await until(agreed, () => `the nodes to agree; they say ${JSON.stringify(states.map((s) => [s.seq, slideOf(s)]))}`, 15_000);
    return states[0]!;
  }

  before(async () => {
    redis = await startRedis();
    dataDir = await mkdtemp(path.join(tmpdir(), 'cometdeck-multi-'));
    [a, b] = await Promise.all([startNode('node-a'), startNode('node-b')]);
    const form = new FormData();
    for (let i = 1; i <= SLIDES; i++) form.append('file', new Blob([new Uint8Array(await makeImage({ width: 160 + i, height: 90 }))], { type: 'image/png' }), `s${String(i).padStart(2, '0')}.png`);
    const created = await fetch(`${a.server.url}/api/decks`, { method: 'POST', headers: { authorization: `Bearer ${a.server.key}` }, body: form });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    deck = (await (await fetch(`${a.server.url}/api/decks/${id}`, { headers: bearer(a) })).json()) as Deck;
  });

  after(async () => {
    for (const phone of phones) phone.leave();
    await Promise.all(nodes.map((node) => node.close()));
    await redis?.stop();
  });

  test('two presenters on two nodes at once: no change is lost, and both nodes\' phones end on the same slide', { timeout: TEST_MS }, async () => {
    await command(a, { deck: deck.id });
    const onA = phoneOn(a, 'websocket');
    const onB = phoneOn(b, 'long-polling');
    await Promise.all([onA.join(), onB.join()]);
    const steps = await Promise.all(Array.from({ length: 10 }, (_, i) => command(i % 2 === 0 ? a : b, { step: 1 })));
    const seqs = steps.map((state) => state.seq).sort((x, y) => x - y);
    assert.equal(new Set(seqs).size, 10, `ten distinct changes: ${seqs.join(', ')}`);
    const final = await agree();
    assert.equal(slideOf(final), 11, 'ten steps from slide 1, none lost');
    await until(() => [onA, onB].every((phone) => phone.latest?.seq === final.seq), 'both phones on the last change');
    for (const phone of [onA, onB]) assert.equal(slideOf(phone.latest), 11);
  });

  test('a session lives on its node: elsewhere it gets 402 with reconnect: handshake, and a new handshake there gets the current slide', { timeout: TEST_MS }, async () => {
    const client = new RawBayeux(a.server.endpoint);
    assert.equal((await client.handshake()).successful, true);
    const onB = new RawBayeux(b.server.endpoint);
    onB.clientId = client.clientId;
    const { messages } = await onB.connect();
    const reply = messages.find((m) => m.channel === '/meta/connect');
    assert.equal(reply.successful, false);
    assert.match(reply.error, /^402:/);
    assert.equal(reply.advice?.reconnect, 'handshake');
    assert.equal((await onB.handshake()).successful, true);
    assert.equal((await onB.subscribe('/slideshow/change')).successful, true);
    const { messages: events } = await onB.connect();
    const replay = events.find((m) => m.channel === '/slideshow/change');
    assert.ok(replay?.data.live && replay.data.slide === 11 && replay.data.history.length === 11, 'the current slide, with the slides shown so far');
    await onB.disconnect();
    await client.disconnect();
  });

  test('no peeking on either node: shown slides load, others are 404', { timeout: TEST_MS }, async () => {
    for (const node of [a, b]) {
      assert.equal(await imageStatus(node, 11), 200, `${node.name}: slide 11 was shown`);
      assert.equal(await imageStatus(node, 12), 404, `${node.name}: slide 12 was not`);
    }
  });

  test('a node that has not heard of a change yet asks Redis before refusing an image', { timeout: TEST_MS }, async () => {
    const current = await live(b);
    // Another node's change whose notice is still on its way: the key changed, nobody was told.
    const raw = await a.link.publisher.get('cometdeck:talk');
    const record = JSON.parse(raw!) as { seq: number; slide: number; revealed: number[] };
    await a.link.publisher.set('cometdeck:talk', JSON.stringify({ ...record, seq: current.seq + 1, slide: 12, revealed: [...record.revealed, 12] }));
    assert.equal(slideOf(await live(b)), 11, 'B has not heard of slide 12');
    assert.equal(await imageStatus(b, 12), 200, 'B catches up and serves slide 12');
    assert.equal(slideOf(await live(b)), 12, 'B now has slide 12');
    assert.equal(await imageStatus(b, 13), 404, 'slide 13 is still hidden');
    await command(a, { slide: 12 });
    await agree();
  });

  test('the presenter sees the audience of every node', { timeout: TEST_MS }, async () => {
    const presenter = new Presenter(a.server.endpoint, a.server.key);
    try {
      await presenter.join();
      const extra = phoneOn(b);
      await extra.join();
      await until(() => presenter.lastCount === 3, `3 phones over two nodes (counts: ${presenter.counts.join(', ')})`);
      extra.leave();
      await until(() => presenter.lastCount === 2, `2 phones after one left B (counts: ${presenter.counts.join(', ')})`);
    } finally {
      presenter.leave();
    }
  });

  test('Redis lost the key: the next change stores the talk again, and seq keeps growing', { timeout: TEST_MS }, async () => {
    const before = await agree();
    await a.link.publisher.flushall();
    const next = await command(b, { step: 1 });
    assert.equal(next.seq, before.seq + 1);
    const agreed = await agree();
    assert.equal(agreed.seq, next.seq);
    assert.ok(await a.link.publisher.get('cometdeck:talk'), 'the talk is in Redis again');
  });

  test('both nodes change the talk while Redis is away: when it is back they agree on one talk, newer than either, and both nodes\' phones get it', { timeout: TEST_MS }, async () => {
    const [onA, onB] = phones;
    const before = await agree();
    await redis.kill();
    await until(() => !a.link.isUp && !b.link.isUp, 'both nodes to notice');
    const fromA = await command(a, { step: 1 });
    await command(a, { step: 1 });
    const fromB = await command(b, { step: -1 });
    assert.equal(fromA.seq, before.seq + 1);
    assert.equal(fromB.seq, before.seq + 1, 'B went on alone from the same seq');
    await until(() => slideOf(onB!.latest) === slideOf(fromB), 'B\'s phone to follow B while Redis is away');

    await redis.start();
    const agreed = await agree();
    assert.ok(agreed.seq >= before.seq + 2, `the agreed talk is newer than both (seq ${agreed.seq})`);
    assert.equal(slideOf(agreed), slideOf(before)! + 2, 'the node that went further wins');
    await until(() => [onA!, onB!].every((phone) => phone.latest?.seq === agreed.seq), 'both phones on the agreed talk');
    assert.ok(a.logs.some((line) => /lost Redis/.test(line)) && a.logs.some((line) => /back after/.test(line)));
  });

  test('a node started while Redis is down starts idle and loads the talk when Redis answers', { timeout: TEST_MS }, async () => {
    await redis.kill();
    await until(() => !a.link.isUp, 'A to notice');
    const late = await startNode('node-late');
    assert.equal((await live(late)).live, false, 'no talk known yet');
    const phone = phoneOn(late);
    await phone.join();
    await redis.start();
    const agreed = await agree();
    await until(() => phone.latest?.seq === agreed.seq, 'the late node\'s phone to get the talk');
    // The late node reads the talk itself once its link is up; the announcement of the agreed talk
    // reaches its phone through Redis on its own path, so either may come first (images are safe
    // meanwhile: a node reads the key again before refusing one).
    let known = await live(late);
    await until(async () => (known = await live(late)).seq === agreed.seq, () => `the late node to load the agreed talk (seq ${agreed.seq}, it has ${known.seq})`, 15_000);
    assert.equal(known.seq, agreed.seq, 'the late node loaded the agreed talk');
    assert.equal(slideOf(known), slideOf(agreed));
  });
  test('phones joining node B in the moments after each change on node A all land on that change', { timeout: 120_000 }, async () => {
    const form = new FormData();
    for (let i = 1; i <= 3; i++) form.append('file', new Blob([new Uint8Array(await makeImage({ width: 120 + i, height: 90 }))], { type: 'image/png' }), `o${i}.png`);
    const created = await fetch(`${a.server.url}/api/decks`, { method: 'POST', headers: { authorization: `Bearer ${a.server.key}` }, body: form });
    assert.equal(created.status, 201);
    const other = ((await created.json()) as { id: string }).id;
    for (let change = 0; change < 10; change++) {
      // A deck change: node B must load the deck before it knows the change.
      const state = await command(a, { deck: change % 2 === 0 ? other : deck.id });
      const joiners = Array.from({ length: 20 }, (_, i) => phoneOn(b));
      // The joins are spread over the moments after the change on purpose (the window is the
      // scenario itself, not a wait for something): 1.5 ms apart, 30 ms in all.
      await Promise.all(joiners.map(async (phone, i) => {
        await sleep(i * 1.5);
        await phone.join();
      }));
      await until(() => joiners.every((phone) => phone.latest?.seq === state.seq), `all 20 phones on change ${change + 1} (seq ${state.seq}; they have ${joiners.map((p) => p.latest?.seq).join(',')})`, 10_000);
      for (const phone of joiners) {
        assert.equal(phone.latest?.live && phone.latest.deck, state.live && state.deck);
        phone.leave();
      }
    }
  });
  test('renaming the live deck on node A gives node B\'s phones the new title; a slide change there reuses B\'s deck', { timeout: TEST_MS }, async () => {
    await command(a, { deck: deck.id });
    const onB = phoneOn(b);
    await onB.join();
    const renamed = await fetch(`${a.server.url}/api/decks/${deck.id}`, { method: 'PATCH', headers: bearer(a), body: JSON.stringify({ title: 'Renamed on A' }) });
    assert.equal(renamed.status, 200);
    await until(() => onB.latest?.live === true && onB.latest.title === 'Renamed on A', 'the new title on B\'s phone');
    const next = await command(a, { step: 1 });
    await until(() => onB.latest?.seq === next.seq, 'the next change on B\'s phone');
    assert.ok(onB.latest?.live && onB.latest.title === 'Renamed on A', 'the title stays');
    onB.leave();
  });

  test('new alt text for the live slide on node A reaches node B\'s phones (B reads the deck again)', { timeout: TEST_MS }, async () => {
    const live = await command(a, { deck: deck.id, slide: 1 });
    const onB = phoneOn(b);
    await onB.join();
    await until(() => onB.latest?.seq === live.seq, 'the live slide on B\'s phone');
    const edited = await fetch(`${a.server.url}/api/decks/${deck.id}/slides/1`, { method: 'PATCH', headers: bearer(a), body: JSON.stringify({ alt: 'Edited on node A' }) });
    assert.equal(edited.status, 200);
    await until(() => onB.latest?.live === true && onB.latest.alt.endsWith(': Edited on node A'), 'the new alt text on B\'s phone');
    onB.leave();
  });

  test('End talk on node A: node B\'s phones hear the talk ended, and B still serves the shown slides only', { timeout: TEST_MS }, async () => {
    await command(a, { deck: deck.id, slide: 2 });
    await command(a, { slide: 3 });
    const onB = phoneOn(b);
    await onB.join();
    const ended = await command(a, { live: false });
    await until(() => onB.latest?.seq === ended.seq, 'the end on B\'s phone');
    assert.ok(onB.latest && !onB.latest.live && onB.latest.ended === true, 'B\'s phone is told the talk ended');
    assert.equal(await imageStatus(b, 3), 200, 'B: slide 3 was shown');
    assert.equal(await imageStatus(b, 1), 200, 'B: slide 1 was shown earlier in the talk');
    assert.equal(await imageStatus(b, 14), 404, 'B: slide 14 never was');
    onB.leave();
  });
});
