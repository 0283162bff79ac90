/**
 * Sealed prefetch, against the real server and the official CometD client: each live state
 * carries the key of the slide it shows and only the sealed URLs of the slide after it. Before a
 * slide is shown, nothing the audience can get (GET /api/live, GET /api/live/history, every
 * message on the wire of a WebSocket and a long-polling follower, a late joiner's replay) holds
 * its key in any encoding, and its sealed bytes open with no key the audience has; once shown,
 * the state's key opens them to exactly the plain image. Sealed files are public and immutable,
 * but only the live deck's: anything else is the same 404 as an image not shown.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CometD } from 'cometd';
import type { LiveState, SlideshowState } from '../../lib/slideshow/index';
import type { StoredDeck } from '../../server/slides/index';
import { unseal } from '../../server/slides/index';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import {
  TEST_MS, bearer, disconnectAll, follower, getJson, presenterClient, publish, signIn, until, uploadDeck, type Follower,
} from '../helpers/slideshow-clients';

const COUNT = 6;

/** Every way a key could be written down: base64url as sent, standard base64, hex. */
function encodings(key: string): string[] {
  const bytes = Buffer.from(key, 'base64url');
  return [key, bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('hex')];
}

async function storedDeck(server: SlideshowTestServer, id: string): Promise<StoredDeck> {
  return JSON.parse(await readFile(path.join(server.dataDir, id, 'deck.json'), 'utf8')) as StoredDeck;
}

async function bytesOf(url: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

describe('sealed prefetch: no new way to peek', () => {
  let server: SlideshowTestServer;
  let presenter: CometD;
  let followers: Follower[];
  let deck: StoredDeck;
  let other: StoredDeck;
  /** Every text an audience member could have received so far. */
  const audienceSaw: string[] = [];

  before(async () => {
    server = await startSlideshowServer({}, { timeout: 2_000 });
    const files = await Promise.all(Array.from({ length: COUNT }, async (_, i) => ({ name: `s${i + 1}.png`, data: await makeImage({ width: 700 + i, height: 400, noise: i % 2 === 0 }) })));
    deck = await storedDeck(server, (await uploadDeck(server, files, 'Sealed')).id);
    other = await storedDeck(server, (await uploadDeck(server, files.slice(0, 2), 'Other')).id);
    presenter = await presenterClient(server, await signIn(server));
    followers = [await follower(server, 'websocket'), await follower(server, 'long-polling')];
  });
  after(async () => {
    await disconnectAll();
    await server.close();
  });

  /** Publishes a command and waits for every follower's broadcast of it; returns the state. */
  async function change(command: object): Promise<LiveState> {
    const counts = followers.map((f) => f.states.length);
    const reply = await publish(presenter, '/slideshow/change', command);
    assert.equal(reply.successful, true, JSON.stringify(reply));
    await until(() => followers.every((f, i) => f.states.length > counts[i]!), `the broadcast of ${JSON.stringify(command)}`);
    return followers[0]!.states.at(-1) as LiveState;
  }

  /** Collects what the audience can get now: the public state, every history page, the followers' wires. */
  async function collectAudienceView(state: SlideshowState): Promise<void> {
    audienceSaw.push(JSON.stringify((await getJson(`${server.url}/api/live`)).body));
    if (state.live) {
      for (let before = 1; before <= COUNT + 1; before++) audienceSaw.push(JSON.stringify((await getJson(`${server.url}/api/live/history?deck=${state.deck}&before=${before}`)).body));
    }
    for (const f of followers) audienceSaw.push(...f.wire.splice(0));
  }

  function assertNoKeyOf(slides: number[], when: string): void {
    const everything = audienceSaw.join('\n');
    for (const n of slides) {
      for (const text of encodings(deck.slides[n - 1]!.key!)) assert.ok(!everything.includes(text), `${when}: slide ${n}'s key reached the audience`);
    }
  }

  /** Every 256-bit base64url string the audience has seen: the candidates an attacker would try. */
  function keysTheAudienceHas(): string[] {
    return [...new Set(audienceSaw.join('\n').match(/[A-Za-z0-9_-]{43}/g) ?? [])].filter((text) => Buffer.from(text, 'base64url').length === 32);
  }

  test('each state shows its own key and only the sealed URLs of the next slide; nothing opens a slide not shown', { timeout: TEST_MS }, async () => {
    const order = [1, 2, 3, 5, 4, 6];
    const shown = new Set<number>();
    for (const [i, slide] of order.entries()) {
      const state = await change(i === 0 ? { deck: deck.id, slide } : { slide });
      shown.add(slide);
      assert.equal(state.slide, slide);
      assert.equal(state.key, deck.slides[slide - 1]!.key, 'the shown slide\'s key');
      assert.match(state.src, /^\/img\/[a-z2-7]{16}\/[0-9a-f]{32}-\d+\.jpg$/, 'the 2007 client\'s data.src is unchanged');
      const nextSlide = deck.slides[slide];
      if (!nextSlide) assert.equal(state.next, undefined, 'no next on the last slide');
      else {
        assert.deepEqual(state.next, {
          slide: slide + 1,
          sealed: nextSlide.sealed!.map(({ width, webp, jpeg }) => ({ width, webp: `/sealed/${deck.id}/${webp}.bin`, jpeg: `/sealed/${deck.id}/${jpeg}.bin` })),
        });
        assert.ok(!JSON.stringify(state.next).includes(nextSlide.token), 'a sealed URL does not name the plain image');
      }
      await collectAudienceView(state);
      const unshown = Array.from({ length: COUNT }, (_, n) => n + 1).filter((n) => !shown.has(n));
      assertNoKeyOf(unshown, `after slide ${slide}`);

      // The audience's prefetch of the next slide: public, immutable, and noise to every key it has.
      if (nextSlide && !shown.has(slide + 1)) {
        for (const variant of state.next!.sealed) {
          const sealed = await bytesOf(`${server.url}${variant.webp}`);
          assert.equal(sealed.status, 200);
          assert.equal(sealed.headers.get('cache-control'), 'public, max-age=31536000, immutable');
          assert.equal(sealed.headers.get('content-type'), 'application/octet-stream');
          for (const key of keysTheAudienceHas()) assert.equal(unseal(sealed.body, key), undefined, 'an audience key opens an unshown slide');
        }
        const plain = await bytesOf(`${server.url}/img/${deck.id}/${nextSlide.token}-${nextSlide.widths[0]}.webp`);
        assert.equal(plain.status, 404, 'the plain image of the next slide stays 404');
      }
      // The shown slide: the key this state carries opens what was prefetched, to the very bytes of the plain image.
      const mine = deck.slides[slide - 1]!;
      for (const [w, variant] of mine.sealed!.entries()) {
        const sealed = await bytesOf(`${server.url}/sealed/${deck.id}/${variant.jpeg}.bin`);
        const plain = await bytesOf(`${server.url}/img/${deck.id}/${mine.token}-${mine.widths[w]}.jpg`);
        assert.equal(plain.status, 200);
        assert.deepEqual(unseal(sealed.body, state.key!), plain.body);
      }
    }
  });

  test('a late joiner\'s replay carries the shown slide\'s key only', { timeout: TEST_MS }, async () => {
    const state = await change({ slide: 2 });
    const late = await follower(server, 'websocket');
    await until(() => late.states.length > 0, 'the replay');
    const replay = late.states[0] as LiveState;
    assert.equal(replay.key, deck.slides[1]!.key);
    assert.equal(replay.next?.slide, 3);
    assert.ok(replay.history && replay.history.length > 0);
    for (const slide of replay.history!) assert.equal((slide as { key?: string }).key, undefined, 'history slides carry no key');
    assert.equal(state.seq, replay.seq);
  });

  test('sealed URLs of a deck that is not live, unknown names and other methods are 404/405', { timeout: TEST_MS }, async () => {
    const live = deck.slides[0]!.sealed![0]!.webp;
    const notLive = other.slides[0]!.sealed![0]!.webp;
    const notFoundBody = (await bytesOf(`${server.url}/img/${deck.id}/${'0'.repeat(32)}-640.webp`)).body.toString();
    const cases = [
      `/sealed/${other.id}/${notLive}.bin`,
      `/sealed/${deck.id}/${notLive}.bin`,
      `/sealed/${other.id}/${live}.bin`,
      `/sealed/${deck.id}/${'f'.repeat(32)}.bin`,
      `/sealed/${deck.id}/${live}`,
      `/sealed/${deck.id}/${deck.slides[0]!.token}-640.webp`,
      `/sealed/${deck.id}/..%2F${deck.id}%2Fdeck.json`,
      `/sealed/${deck.id}`,
      `/sealed/`,
    ];
    for (const url of cases) {
      const answer = await bytesOf(`${server.url}${url}`);
      assert.equal(answer.status, 404, url);
      assert.equal(answer.body.toString(), notFoundBody, `${url}: the one 404`);
    }
    assert.equal((await fetch(`${server.url}/sealed/${deck.id}/${live}.bin`, { method: 'POST' })).status, 405);
    const head = await fetch(`${server.url}/sealed/${deck.id}/${live}.bin`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const etag = head.headers.get('etag')!;
    assert.equal((await fetch(`${server.url}/sealed/${deck.id}/${live}.bin`, { headers: { 'if-none-match': etag } })).status, 304);

    // Once the talk ends, its sealed files go too.
    const reply = await publish(presenter, '/slideshow/change', { live: false });
    assert.equal(reply.successful, true);
    assert.equal((await bytesOf(`${server.url}/sealed/${deck.id}/${live}.bin`)).status, 404);
  });

  test('a deck made before sealing goes live without key or next, and its images work as before', { timeout: TEST_MS }, async () => {
    const file = path.join(server.dataDir, other.id, 'deck.json');
    const unsealed = { ...other, slides: other.slides.map(({ key: _k, sealed: _s, ...slide }) => slide) };
    await writeFile(file, JSON.stringify(unsealed));
    const state = await change({ deck: other.id, slide: 1 });
    assert.equal(state.key, undefined);
    assert.equal(state.next, undefined);
    assert.equal((await bytesOf(`${server.url}${state.src}`)).status, 200);
    assert.equal((await bytesOf(`${server.url}/sealed/${other.id}/${other.slides[0]!.sealed![0]!.webp}.bin`)).status, 404, 'no seal in deck.json: nothing sealed is served');
  });
});

describe('sealed copies served from elsewhere (SEALED_BASE_URL)', () => {
  const CDN = 'https://cdn.example.org/talks/sealed';
  let server: SlideshowTestServer;

  before(async () => {
    server = await startSlideshowServer({ sealedBaseUrl: CDN }, { timeout: 2_000 });
  });
  after(async () => {
    await disconnectAll();
    await server.close();
  });

  test('states name the next slide\'s sealed copies under the base URL, at the path this server serves them', { timeout: TEST_MS }, async () => {
    const files = await Promise.all([1, 2].map(async (i) => ({ name: `s${i}.png`, data: await makeImage({ width: 600 + i, height: 400 }) })));
    const deck = await uploadDeck(server, files, 'From a CDN');
    const presenter = await presenterClient(server, await signIn(server));
    const reply = await publish(presenter, '/slideshow/change', { deck: deck.id, slide: 1 });
    assert.equal(reply.successful, true, JSON.stringify(reply));
    const state = (await getJson<LiveState>(`${server.url}/api/live`)).body;
    assert.equal(state.next?.slide, 2);
    for (const copy of state.next!.sealed) {
      for (const url of [copy.webp, copy.jpeg]) {
        assert.ok(url.startsWith(`${CDN}/${deck.id}/`), `${url} is under the base URL`);
        // What a CDN pulling from this server asks for: the same path under /sealed.
        const fromOrigin = await bytesOf(`${server.url}/sealed/${url.slice(CDN.length + 1)}`);
        assert.equal(fromOrigin.status, 200, url);
        assert.match(fromOrigin.headers.get('cache-control') ?? '', /immutable/);
      }
    }
    assert.ok(state.src.startsWith('/img/'), 'plain images stay on this server');
  });
});
