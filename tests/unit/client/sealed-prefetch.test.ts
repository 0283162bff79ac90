/**
 * The audience page's sealed prefetch (lib/client/sealed-prefetch.ts, sealed-open.ts) against a
 * real server: the next slide's sealed copy is fetched ahead, and the state that shows it opens
 * it, to the very bytes of the plain variant, with WebCrypto and with the pure-JavaScript AES a
 * plain-http page uses; a jump, a missing or wrong key, or a failed fetch gives nothing to paint
 * (the page falls back to the plain image). The variant is the one Chromium's srcset would pick.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveObjectURL } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LiveState, SealedImage } from '../../../lib/slideshow/index';
import { chooseVariant, hasPrefetched, inMemory, openedNow, openPrefetched, prefetchNext, resetSealedPrefetch, slotWidth } from '../../../lib/client/sealed-prefetch';
import { prefetchAhead, sealedPrefetch } from '../../../lib/client/sealed-ahead';
import { createStateFeed } from '../../../lib/client/store-feed';
import { useSlideshowStore } from '../../../lib/stores/slideshow-store';
import { resetSlideshowStore } from './fixtures';
import { gcm } from '@noble/ciphers/aes.js';
import { openSealed, warmUpPureAes, WARM_UP_ROUNDS } from '../../../lib/client/sealed-open';
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

/** Resolves once `ready()` holds, checking after each turn of the event loop (bounded). */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    assert.ok(Date.now() < deadline, `waited 10 s for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
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

describe('warming up the pure-JavaScript AES', () => {
  test('it seals and opens its own zeros, one round per idle moment, with no real key; real slides still open and wrong keys still fail', async () => {
    const seen: { keys: Uint8Array[]; nonces: Uint8Array[]; sealedInputs: Uint8Array[] } = { keys: [], nonces: [], sealedInputs: [] };
    const recording = ((key: Uint8Array, nonce: Uint8Array) => {
      seen.keys.push(key.slice());
      seen.nonces.push(nonce.slice());
      const cipher = gcm(key, nonce);
      return { encrypt: (data: Uint8Array) => (seen.sealedInputs.push(data.slice()), cipher.encrypt(data)), decrypt: (data: Uint8Array) => cipher.decrypt(data) };
    }) as unknown as typeof gcm;
    let idleMoments = 0;
    const result = await warmUpPureAes(recording, (run) => (idleMoments++, setImmediate(run)));
    assert.equal(result, undefined, 'it hands nothing back');
    assert.equal(idleMoments, WARM_UP_ROUNDS.length);
    assert.equal(seen.keys.length, 2 * WARM_UP_ROUNDS.length, 'sealed and opened each round');
    const zeros = (bytes: Uint8Array) => bytes.every((byte) => byte === 0);
    assert.ok(seen.keys.every((key) => key.length === 32 && zeros(key)), 'only its all-zero key');
    assert.ok(seen.nonces.every(zeros) && seen.sealedInputs.every(zeros), 'only zeros in');
    assert.deepEqual(seen.sealedInputs.map((input) => input.length), [...WARM_UP_ROUNDS]);

    const key = Buffer.alloc(32, 9).toString('base64url');
    const plain = Buffer.from('a slide opened after the warm-up');
    const sealed = seal(plain, key);
    const buffer = () => sealed.buffer.slice(sealed.byteOffset, sealed.byteOffset + sealed.length) as ArrayBuffer;
    await withoutWebCrypto(async () => {
      assert.deepEqual(Buffer.from((await openSealed(buffer(), key))!), plain);
      assert.equal(await openSealed(buffer(), Buffer.alloc(32, 0).toString('base64url')), undefined, 'nor does the warm-up\'s own key open it');
      assert.equal(await openSealed(buffer(), Buffer.alloc(32, 8).toString('base64url')), undefined);
    });
  });
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

  describe('the feed holds a state whose slide opens from memory until it is open', () => {
    // What prefetchAhead reads of the page: its idle-time scheduling (no requestIdleCallback here) and its screen.
    before(() => void Object.assign(globalThis, { window: { setTimeout, innerWidth: PHONE.width, innerHeight: PHONE.height, devicePixelRatio: PHONE.dpr } }));
    after(() => void Reflect.deleteProperty(globalThis, 'window'));
    beforeEach(resetSlideshowStore);

    const fetchedAhead = async (first: LiveState) => {
      prefetchAhead(first, 0);
      await until(() => sealedPrefetch()?.inMemory({ ...first, slide: first.next!.slide }) === true, 'the sealed copy of the next slide');
    };
    const storeSeq = () => useSlideshowStore.getState().state?.seq;

    test('the store takes it opened (no placeholder render first), and the key opened the very bytes', async () => {
      const taken: number[] = [];
      const feed = createStateFeed({ isOpen: () => true, onState: (state) => void taken.push(state.seq) });
      const first = await go({ deck: deckId, slide: 1 });
      assert.equal(feed.stateArrived(first), true);
      await fetchedAhead(first);
      const second = await go({ slide: 2 });
      assert.equal(inMemory(second), true);
      assert.equal(feed.stateArrived(second), true, 'taken, once it is open');
      assert.equal(storeSeq(), first.seq, 'held while it opens');
      await until(() => storeSeq() === second.seq, 'the held state');
      const url = openedNow(second);
      assert.equal(typeof url, 'string', 'open before the page renders the state');
      assert.deepEqual(await blobBytes(url!), await plainWebp(second, 1280));
      assert.deepEqual(taken, [first.seq, second.seq]);
    });

    test('a state arriving meanwhile lets the held one go first: states keep their order, the latest wins', async () => {
      const taken: number[] = [];
      const feed = createStateFeed({ isOpen: () => true, onState: (state) => void taken.push(state.seq) });
      const first = await go({ deck: deckId, slide: 1 });
      feed.stateArrived(first);
      await fetchedAhead(first);
      const second = await go({ slide: 2 });
      const third = await go({ slide: 3 });
      feed.stateArrived(second);
      assert.equal(storeSeq(), first.seq);
      feed.stateArrived(third);
      assert.deepEqual(taken, [first.seq, second.seq, third.seq]);
      assert.equal(storeSeq(), third.seq);
      await openPrefetched(second);
      assert.equal(storeSeq(), third.seq, 'the held state, once open, does not come back');
      assert.deepEqual(taken, [first.seq, second.seq, third.seq]);
    });

    test('a held state is dropped if the connection has closed by the time its slide is open', async () => {
      let open = true;
      const feed = createStateFeed({ isOpen: () => open });
      const first = await go({ deck: deckId, slide: 1 });
      feed.stateArrived(first);
      await fetchedAhead(first);
      const second = await go({ slide: 2 });
      feed.stateArrived(second);
      open = false;
      await openPrefetched(second);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(storeSeq(), first.seq);
    });
  });
});
