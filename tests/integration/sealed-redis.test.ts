/**
 * Sealed prefetch on several nodes: the slide keys never reach Redis. Two real nodes (RedisEngine,
 * the shared talk and audience tally) over one data folder and a real redis-server, watched with
 * Redis's own MONITOR, which echoes every command any client sends (every SET, EVAL and PUBLISH,
 * with its arguments). Through a talk on both nodes, with phones on both, no key of any slide
 * appears there in any encoding: what Redis holds is the talk record (deck, slide numbers shown,
 * seq), never a key, and the broadcasts carrying the shown slide's key go from each node straight
 * to its own phones. A node that has not heard the deck went live asks Redis before it refuses a
 * sealed file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RedisEngine, RedisLink } from '../../server/bayeux/index';
import type { LiveState } from '../../lib/slideshow/index';
import type { StoredDeck } from '../../server/slides/index';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import { TEST_MS, disconnectAll, follower, uploadDeck, type Follower } from '../helpers/slideshow-clients';
import { until } from '../../support/wait';

const SLIDES = 5;

/** Every command Redis executes from now on, as MONITOR prints it. */
async function monitor(port: number): Promise<{ text(): string; close(): void }> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => void (text += chunk));
  socket.on('error', () => undefined);
  socket.write('MONITOR\r\n');
  await until(() => text.startsWith('+OK'), 'MONITOR started');
  return { text: () => text, close: () => socket.destroy() };
}

describe('sealed prefetch on several nodes', () => {
  let redis: TestRedis;
  const servers: SlideshowTestServer[] = [];
  const links: RedisLink[] = [];

  async function startNode(name: string, dataDir: string): Promise<SlideshowTestServer> {
    const log = () => undefined;
    const link = new RedisLink(redis.url, { name, log, retryMaxMs: 500 });
    links.push(link);
    const engine = new RedisEngine(link, { nodeId: name, channel: 'cometdeck:bayeux', log });
    const server = await startSlideshowServer({ dataDir, shared: { link, instance: `${name}~test` } }, { engine, timeout: 2_000 });
    servers.push(server);
    return server;
  }

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await disconnectAll();
    for (const server of servers) await server.close();
    for (const link of links) await link.close();
    await redis?.stop();
  });

  test('no slide key reaches Redis, in any encoding, through a talk on two nodes', { timeout: TEST_MS }, async () => {
    const watch = await monitor(redis.port);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'cometdeck-sealed-redis-'));
    const [a, b] = [await startNode('node-a', dataDir), await startNode('node-b', dataDir)];
    const files = await Promise.all(Array.from({ length: SLIDES }, async (_, i) => ({ name: `s${i + 1}.png`, data: await makeImage({ width: 300 + i, height: 200 }) })));
    const { id } = await uploadDeck(a, files, 'Over Redis');
    const deck = JSON.parse(await readFile(path.join(dataDir, id, 'deck.json'), 'utf8')) as StoredDeck;
    const phones: Follower[] = [await follower(a, 'websocket'), await follower(b, 'long-polling')];

    const command = async (node: SlideshowTestServer, body: object): Promise<LiveState> => {
      const response = await fetch(`${node.url}/api/live`, { method: 'POST', headers: { authorization: `Bearer ${node.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(response.status, 200);
      return (await response.json()) as LiveState;
    };
    let state = await command(a, { deck: id, slide: 1 });
    // Node B may not have heard yet: it asks Redis before refusing the sealed file of the next slide.
    const prefetch = await fetch(`${b.url}${state.next!.sealed[0]!.webp}`);
    assert.equal(prefetch.status, 200);
    await prefetch.arrayBuffer();
    for (const [i, slide] of [2, 3, 4, 5].entries()) state = await command(i % 2 === 0 ? b : a, { slide });
    await until(() => phones.every((phone) => phone.states.some((s) => s.seq === state.seq)), 'both nodes\' phones on the last change');
    assert.ok(phones.every((phone) => phone.states.at(-1).key === deck.slides[SLIDES - 1]!.key), 'the phones have the shown slide\'s key');
    await command(a, { live: false });

    const seen = watch.text();
    watch.close();
    assert.ok(seen.includes(id), 'MONITOR saw the talk (the deck id is in the stored record)');
    for (const [n, slide] of deck.slides.entries()) {
      const bytes = Buffer.from(slide.key!, 'base64url');
      for (const text of [slide.key!, bytes.toString('base64').replace(/=+$/, ''), bytes.toString('hex')]) {
        assert.ok(!seen.includes(text), `slide ${n + 1}'s key went through Redis`);
      }
    }
  });
});
