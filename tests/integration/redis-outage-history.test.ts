/**
 * A Redis outage with two nodes (real redis-server, real CometD phones): the presenter goes on on
 * node A while node B's phones cannot hear it, and B's own presenter shows a slide there too.
 * When Redis is back, every phone on both nodes can swipe back to every slide shown on either,
 * and those slides load on both nodes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RedisEngine, RedisLink } from '../../server/bayeux/index';
import { mergeHistory, shownSlideOf, type ShownSlide, type SlideshowState } from '../../lib/slideshow/index';
import { Phone } from '../helpers/cometd-phone';
import { until } from '../../support/wait';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';

const TEST_MS = 60_000;

interface Node {
  readonly server: SlideshowTestServer;
  readonly link: RedisLink;
}

/** The slides a phone can swipe back to, accumulated as the audience page does (slideshow-store.ts). */
function swipeable(states: readonly SlideshowState[]): number[] {
  let history: ShownSlide[] = [];
  let deck: string | undefined;
  for (const state of [...states].sort((x, y) => x.seq - y.seq)) {
    if (!state.live) continue;
    if (state.deck !== deck) history = [];
    deck = state.deck;
    history = mergeHistory(history, [...(state.history ?? []), shownSlideOf(state)]);
  }
  return history.map((slide) => slide.slide);
}

let redis: TestRedis;
const nodes: Node[] = [];
const phones: Phone[] = [];

before(async () => {
  redis = await startRedis();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cometdeck-outage-'));
  for (const name of ['node-a', 'node-b']) {
    const link = new RedisLink(redis.url, { name, log: () => undefined, retryMaxMs: 300 });
    const engine = new RedisEngine(link, { nodeId: name, channel: 'cometdeck:bayeux', log: () => undefined });
    nodes.push({ link, server: await startSlideshowServer({ dataDir, shared: { link, instance: `${name}~test` } }, { engine, timeout: 2_000 }) });
  }
});

after(async () => {
  for (const phone of phones) phone.leave();
  for (const node of nodes) {
    await node.server.close();
    await node.link.close();
  }
  await redis?.stop();
});

test('after a Redis outage every phone can swipe back to every slide shown on either node', { timeout: TEST_MS }, async () => {
  const [a, b] = nodes as [Node, Node];
  const command = async (node: Node, body: object): Promise<SlideshowState> => {
    const response = await fetch(`${node.server.url}/api/live`, { method: 'POST', headers: { authorization: `Bearer ${node.server.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(response.status, 200);
    return (await response.json()) as SlideshowState;
  };
  const form = new FormData();
  for (let i = 1; i <= 8; i++) form.append('file', new Blob([new Uint8Array(await makeImage({ width: 160 + i, height: 90 }))], { type: 'image/png' }), `s${i}.png`);
  const created = await fetch(`${a.server.url}/api/decks`, { method: 'POST', headers: { authorization: `Bearer ${a.server.key}` }, body: form });
  const { id } = (await created.json()) as { id: string };
  const detail = (await (await fetch(`${a.server.url}/api/decks/${id}`, { headers: { authorization: `Bearer ${a.server.key}` } })).json()) as { slides: Array<{ src: string }> };

  await command(a, { deck: id });
  const onA = new Phone('phone on A', a.server.endpoint, 'websocket');
  const onB = new Phone('phone on B', b.server.endpoint, 'long-polling');
  phones.push(onA, onB);
  await Promise.all([onA.join(), onB.join()]);

  await redis.kill();
  await until(() => !a.link.isUp && !b.link.isUp, 'both nodes to notice the outage');
  let aheadSeq = 0;
  for (let step = 0; step < 3; step++) aheadSeq = (await command(a, { step: 1 })).seq; // A: slides 2, 3, 4
  await command(b, { slide: 6 }); // B went on alone: slide 6 shown to B's phones
  await until(() => onB.latest?.live === true && onB.latest.slide === 6, 'B\'s phone on slide 6');
  await until(() => onA.latest?.live === true && onA.latest.slide === 4, 'A\'s phone on slide 4');

  await redis.start();
  await until(() => onA.latest?.seq === onB.latest?.seq && onA.latest!.seq > aheadSeq, `both phones on the agreed talk: ${JSON.stringify([onA, onB].map((p) => p.states.map((s) => [s.seq, s.live && s.slide, s.live && s.history?.map((h) => h.slide)])))}`);
  const shown = [1, 2, 3, 4, 6];
  for (const phone of [onA, onB]) {
    await until(() => shown.every((slide) => swipeable(phone.states).includes(slide)), `${phone.name} to have ${shown.join(', ')} to swipe back to (has ${swipeable(phone.states).join(', ')})`);
  }
  for (const node of [a, b]) {
    for (const slide of shown) {
      const response = await fetch(`${node.server.url}${detail.slides[slide - 1]!.src}`);
      await response.arrayBuffer();
      assert.equal(response.status, 200, `slide ${slide} loads on ${node.server.url}`);
    }
  }
});
