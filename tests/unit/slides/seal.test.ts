/**
 * Sealed variants (seal.ts): every slide of a built deck gets its own 256-bit key and an
 * AES-256-GCM copy of each WebP and JPEG variant under a name unrelated to the plain one. The
 * sealed bytes open with their slide's key only; a wrong, missing or short key, or one flipped
 * bit, never opens them. A deck.json from before sealing still loads; a damaged seal is refused.
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { createDecipheriv } from 'node:crypto';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { type StoredDeck, type UploadLimits, uploadLimits } from '../../../server/slides/index';
import { parseDeckFile } from '../../../server/slides/deck-file';
import { SEAL_NONCE_BYTES, SEAL_TAG_BYTES, parseSealedFileName, seal, sealedFile, sealedFileName, unseal } from '../../../server/slides/seal';
import { makeImage } from '../../helpers/slide-fixtures';
import { upload, useTempUploads } from '../../helpers/upload-server';

const LIMITS: UploadLimits = uploadLimits({ maxSlides: 5 });

describe('sealed variants', () => {
  const up = useTempUploads('seal-', LIMITS);
  let deck: StoredDeck;

  before(async () => {
    const answer = await upload(up.server.url, [
      { name: '1.png', data: await makeImage({ width: 1600, height: 900 }) },
      { name: '2.png', data: await makeImage({ width: 800, height: 450, noise: true }) },
    ]);
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    deck = (await up.store.get(answer.body.id!))!;
  });

  it('gives every slide its own 256-bit key and one sealed WebP and JPEG per width', () => {
    const keys = deck.slides.map((slide) => slide.key!);
    assert.equal(new Set(keys).size, keys.length);
    for (const slide of deck.slides) {
      assert.equal(Buffer.from(slide.key!, 'base64url').length, 32);
      assert.deepEqual(slide.sealed!.map((variant) => variant.width), slide.widths);
      for (const variant of slide.sealed!) {
        for (const token of [variant.webp, variant.jpeg]) {
          assert.match(token, /^[0-9a-f]{32}$/);
          assert.ok(!token.includes(slide.token) && !slide.token.includes(token.slice(0, 8)), 'the sealed name says nothing of the plain one');
        }
      }
    }
  });

  it('seals each variant so that it opens, to the very bytes, with its own slide key only', async () => {
    const [first, second] = deck.slides as [StoredDeck['slides'][0], StoredDeck['slides'][0]];
    for (const slide of deck.slides) {
      for (const variant of slide.sealed!) {
        for (const format of ['webp', 'jpeg'] as const) {
          const sealed = await readFile((await sealedFile(up.store, deck.id, sealedFileName(variant[format])))!);
          const plain = await readFile((await up.store.imageFile(deck.id, `${slide.token}-${variant.width}.${format === 'jpeg' ? 'jpg' : 'webp'}`))!);
          assert.equal(sealed.length, plain.length + SEAL_NONCE_BYTES + SEAL_TAG_BYTES);
          assert.ok(!sealed.includes(plain.subarray(0, 64)), 'no plain bytes in the sealed file');
          assert.deepEqual(unseal(sealed, slide.key!), plain);
          const other = slide === first ? second : first;
          assert.equal(unseal(sealed, other.key!), undefined, 'another slide\'s key does not open it');
        }
      }
    }
  });

  it('uses a fresh nonce for every file', async () => {
    const nonces = new Set<string>();
    for (const name of await readdir(path.join(up.dir, deck.id))) {
      if (parseSealedFileName(name) === undefined) continue;
      nonces.add((await readFile(path.join(up.dir, deck.id, name))).subarray(0, SEAL_NONCE_BYTES).toString('hex'));
    }
    const files = deck.slides.reduce((n, slide) => n + 2 * slide.sealed!.length, 0);
    assert.equal(nonces.size, files);
  });

  it('never opens with a wrong, missing, short or all-zero key, nor once a single bit is flipped', () => {
    const key = deck.slides[0]!.key!;
    const sealed = seal(Buffer.from('slide 7: the surprise ending'), key);
    assert.equal(unseal(sealed, key)?.toString(), 'slide 7: the surprise ending');
    assert.equal(unseal(sealed, ''), undefined);
    assert.equal(unseal(sealed, key.slice(0, 20)), undefined);
    assert.equal(unseal(sealed, Buffer.alloc(32).toString('base64url')), undefined);
    assert.equal(unseal(sealed.subarray(0, 20), key), undefined);
    for (const index of [0, SEAL_NONCE_BYTES + 1, sealed.length - 1]) {
      const flipped = Buffer.from(sealed);
      flipped[index]! ^= 1;
      assert.equal(unseal(flipped, key), undefined, `bit flipped at byte ${index}`);
    }
    // GCM without its tag checked would hand out the plain text: the tag must be checked.
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'base64url'), sealed.subarray(0, SEAL_NONCE_BYTES));
    assert.throws(() => {
      decipher.setAuthTag(Buffer.alloc(SEAL_TAG_BYTES));
      decipher.update(sealed.subarray(SEAL_NONCE_BYTES, -SEAL_TAG_BYTES));
      decipher.final();
    });
  });

  it('finds only sealed files this deck made', async () => {
    const token = deck.slides[0]!.sealed![0]!.webp;
    assert.ok(await sealedFile(up.store, deck.id, `${token}.bin`));
    assert.equal(await sealedFile(up.store, deck.id, `${token.replace(/^./, token[0] === 'a' ? 'b' : 'a')}.bin`), undefined);
    assert.equal(await sealedFile(up.store, deck.id, `../${token}.bin`), undefined);
    assert.equal(await sealedFile(up.store, deck.id, `${deck.slides[0]!.token}-640.webp`), undefined);
    assert.equal(await sealedFile(up.store, 'aaaaaaaaaaaaaaaa', `${token}.bin`), undefined);
  });

  it('loads a deck.json from before sealing, and refuses one whose seal is damaged', async () => {
    const json = await readFile(path.join(up.dir, deck.id, 'deck.json'), 'utf8');
    const record = JSON.parse(json) as StoredDeck;
    const unsealed = { ...record, slides: record.slides.map(({ key: _k, sealed: _s, ...slide }) => slide) };
    assert.ok(parseDeckFile(JSON.stringify(unsealed), deck.id));
    const slide = record.slides[0]!;
    const damaged = [
      { ...slide, key: 'short' },
      { ...slide, sealed: undefined },
      { ...slide, sealed: slide.sealed!.slice(1) },
      { ...slide, sealed: slide.sealed!.map((v) => ({ ...v, webp: '../../etc/passwd' })) },
    ];
    for (const bad of damaged) assert.equal(parseDeckFile(JSON.stringify({ ...record, slides: [bad, ...record.slides.slice(1)] }), deck.id), undefined);
  });
});
