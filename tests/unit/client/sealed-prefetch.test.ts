/**
 * The audience page's sealed prefetch (lib/client/sealed-prefetch.ts, sealed-open.ts) against a
 * real server: the next slide's sealed copy is fetched ahead, and the state that shows it opens
 * it, to the very bytes of the plain variant, with WebCrypto and with the pure-JavaScript AES a
 * plain-http page uses; a jump, a missing or wrong key, or a failed fetch gives nothing to paint
 * (the page falls back to the plain image). The variant is the one Chromium's srcset would pick.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveObjectURL } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LiveState, SealedImage } from '../../../lib/slideshow/index';
import { chooseVariant, hasPrefetched, openPrefetched, prefetchNext, resetSealedPrefetch, slotWidth } from '../../../lib/client/sealed-prefetch';
import { openSealed } from '../../../lib/client/sealed-open';
import { seal } from '../../../server/slides/seal';
import type { StoredDeck } from '../../../server/slides/index';
import { makeImage } from '../../helpers/slide-fixtures';
import { freePort } from '../../../support/ports';
import { startSlideshowServer, type SlideshowTestServer } from '../../helpers/slideshow-server';
import { bearer, sendJson, uploadDeck } from '../../helpers/slideshow-clients';

const PHONE = { width: 390, height: 844, dpr: 3 };

async function blobBytes(url: string | undefined): Promise<Buffer> {
  assert.ok(url?.startsWith('blob:'), `a blob: URL, not ${url}`);
  return Buffer.from(await resolveObjectURL(url!)!.arrayBuffer());
}

/** Runs `work` as a page without WebCrypto (a plain-http origin) would. */
async function withoutWebCrypto<T>(work: () => Promise<T>): Promise<T> {
  const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
  try {
    return await work();
  } finally {
    Object.defineProperty(globalThis, 'crypto', original);
  }
}

describe('choosing the variant as the srcset would', () => {
  const images: SealedImage[] = [640, 1280, 1920].map((width) => ({ width, webp: `${width}.webp`, jpeg: `${width}.jpg` }));
  test('the slot is the slide letterboxed in the viewport', () => {
    assert.equal(slotWidth({ width: 1920, height: 1080 }, PHONE), 390);
    assert.equal(slotWidth({ width: 1920, height: 1080 }, { width: 2000, height: 900, dpr: 1 }), 1600);
  });
  test('Chromium\'s pick: the smaller candidate below the geometric mean of two densities', () => {
    assert.equal(chooseVariant(images, 390, 3).width, 1280, 'a 3x phone: 1170 px wanted');
    assert.equal(chooseVariant(images, 390, 1).width, 640);
    assert.equal(chooseVariant(images, 1600, 1).width, 1920);
    assert.equal(chooseVariant(images, 1000, 1).width, 1280);
    assert.equal(chooseVariant(images, 4000, 2).width, 1920, 'nothing large enough: the largest');
    assert.equal(chooseVariant([images[0]!], 100, 1).width, 640);
  });
});

describe('opening sealed bytes', () => {
  const key = Buffer.alloc(32, 7).toString('base64url');
  const plain = Buffer.from('the slide nobody may see early');
  const sealed = seal(plain, key);
  const buffer = () => sealed.buffer.slice(sealed.byteOffset, sealed.byteOffset + sealed.length) as ArrayBuffer;

  for (const [name, run] of [['WebCrypto', (w: () => Promise<unknown>) => w()], ['pure-JavaScript AES', withoutWebCrypto]] as const) {
    test(`${name}: the right key opens it; a wrong, missing or malformed key or altered bytes never do`, async () => {
      await run(async () => {
        assert.deepEqual(Buffer.from((await openSealed(buffer(), key))!), plain);
        assert.equal(await openSealed(buffer(), Buffer.alloc(32, 8).toString('base64url')), undefined);
        assert.equal(await openSealed(buffer(), undefined), undefined);
        assert.equal(await openSealed(buffer(), key.slice(1)), undefined);
        assert.equal(await openSealed(buffer().slice(0, 20), key), undefined);
        const altered = new Uint8Array(buffer());
        altered[20]! ^= 1;
        assert.equal(await openSealed(altered.buffer, key), undefined);
      });
    });
  }
});

describe('prefetching the next slide from a real server', () => {
  let server: SlideshowTestServer;
  let deckId: string;

  before(async () => {
    const port = await freePort();
    server = await startSlideshowServer({ port, publicUrl: `http://127.0.0.1:${port}` });
    const files = await Promise.all(Array.from({ length: 4 }, async (_, i) => ({ name: `s${i + 1}.png`, data: await makeImage({ width: 1600, height: 900, noise: i === 1 }) })));
    deckId = (await uploadDeck(server, files, 'Ahead')).id;
  });
  afterEach(resetSealedPrefetch);
  after(() => server.close());

  const go = async (command: object): Promise<LiveState> => {
    const { status, body } = await sendJson<LiveState>('POST', `${server.url}/api/live`, command, bearer(server));
    assert.equal(status, 200);
    return body;
  };
  const plainWebp = async (state: LiveState, width: number) => {
    const image = state.images.find((candidate) => candidate.width === width)!;
    const response = await fetch(image.webp);
    assert.equal(response.status, 200);
    return Buffer.from(await response.arrayBuffer());
  };

  for (const [name, run] of [['WebCrypto', (w: () => Promise<void>) => w()], ['pure-JavaScript AES', withoutWebCrypto]] as const) {
    test(`${name}: the state that shows the next slide opens it, byte for byte the variant this screen takes`, async () => {
      await run(async () => {
        const first = await go({ deck: deckId, slide: 1 });
        prefetchNext(first, PHONE);
        const second = await go({ slide: 2 });
        assert.equal(hasPrefetched(second), true);
        const url = await openPrefetched(second);
        assert.deepEqual(await blobBytes(url), await plainWebp(second, 1280));
        assert.equal(await openPrefetched(second), url, 'asked again (a re-render): the same URL');
      });
    });
  }

  test('a jump past the prefetched slide, or a state without its key, opens nothing', async () => {
    const first = await go({ deck: deckId, slide: 1 });
    prefetchNext(first, PHONE);
    const jumped = await go({ slide: 3 });
    assert.equal(hasPrefetched(jumped), false);
    assert.equal(await openPrefetched(jumped), undefined);
    prefetchNext(jumped, PHONE);
    const fourth = await go({ slide: 4 });
    const { key: _key, ...keyless } = fourth;
    assert.equal(hasPrefetched(keyless as LiveState), false);
    assert.equal(await openPrefetched({ ...fourth, key: first.key }), undefined, 'another slide\'s key opens nothing');
  });

  test('a prefetch the server refused (the deck is no longer live) opens nothing, even with the right key', async () => {
    const first = await go({ deck: deckId, slide: 1 });
    await go({ live: false });
    prefetchNext(first, PHONE);
    const stored = JSON.parse(await readFile(path.join(server.dataDir, deckId, 'deck.json'), 'utf8')) as StoredDeck;
    assert.equal(await openPrefetched({ ...first, slide: 2, key: stored.slides[1]!.key! }), undefined);
  });
});
