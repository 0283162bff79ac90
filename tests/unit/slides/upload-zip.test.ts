/**
 * ZIP uploads over real HTTP. Archives are written by support/zip-writer.ts, which can also
 * write the hostile ones: `../` names, absolute names and entries that lie about their size.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { uploadLimits } from '../../../server/slides/index';
import { makeImage } from '../../helpers/slide-fixtures';
import { assertRefused, type UploadAnswer, upload, useTempUploads, openTempUploads } from '../../helpers/upload-server';
import { type ZipEntrySpec, makeZip } from '../../../support/zip-writer';
import { crc32 } from 'node:zlib';

const KB = 1024;
const LIMITS = uploadLimits({ maxFileBytes: 300 * KB, maxZipBytes: 700 * KB, maxZipEntries: 20, maxSlides: 10 });

describe('ZIP uploads', () => {
  const up = useTempUploads('upload-zip-', LIMITS);
  let png: Buffer;

  before(async () => {
    png = await makeImage({ width: 320, height: 180 });
  });

  const sendZip = (entries: ZipEntrySpec[], name = 'deck.zip'): Promise<UploadAnswer> => upload(up.server.url, [{ name, data: makeZip(entries) }]);

  it('makes a deck from the images, in natural order, skipping folders and junk', async () => {
    up.server.progress.length = 0;
    const answer = await sendZip([
      { name: 'talk/' },
      { name: 'talk/Slide10.png', data: png, deflate: true },
      { name: 'talk/Slide2.png', data: png },
      { name: 'talk/slide1.png', data: await makeImage({ format: 'jpeg', width: 320, height: 180 }), deflate: true },
      { name: '__MACOSX/talk/._Slide2.png', data: Buffer.from('resource fork') },
      { name: 'talk/.DS_Store', data: Buffer.from('junk') },
      { name: 'talk/Thumbs.db', data: Buffer.from('junk') },
      { name: '.hidden/secret.png', data: png },
    ], 'Team talk.zip');
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.equal(answer.body.source, 'zip');
    assert.equal(answer.body.title, 'Team talk');
    const deck = (await up.store.get(answer.body.id!))!;
    assert.deepEqual(deck.slides.map((slide) => slide.name), ['talk/slide1.png', 'talk/Slide2.png', 'talk/Slide10.png']);
    assert.deepEqual(deck.slides[0]!.widths, [320]);
    const extracting = up.server.progress.filter((event) => event.stage === 'extracting');
    assert.deepEqual(extracting.at(-1), { type: 'progress', stage: 'extracting', done: 8, total: 8 });
  });

  it('refuses a zip-slip name (../) and absolute names (422)', async () => {
    await assertRefused(up.dir, await sendZip([{ name: 'ok.png', data: png }, { name: '../evil.png', data: png }]), 422, /Unsafe file name/, 'deck.zip/../evil.png');
    await assertRefused(up.dir, await sendZip([{ name: 'a/../../evil.png', data: png }]), 422, /Unsafe file name/, 'deck.zip/a/../../evil.png');
    await assertRefused(up.dir, await sendZip([{ name: '/etc/evil.png', data: png }]), 422, /Unsafe file name/, 'deck.zip//etc/evil.png');
    await assertRefused(up.dir, await sendZip([{ name: 'C:/evil.png', data: png }]), 422, /Unsafe file name/, 'deck.zip/C:/evil.png');
    // yauzl reads a backslash as a separator, so this is `../evil.png` too.
    await assertRefused(up.dir, await sendZip([{ name: '..\\evil.png', data: png }]), 422, /Unsafe file name/, 'deck.zip/../evil.png');
    assert.deepEqual((await readdir(path.dirname(up.dir))).filter((name) => name === 'evil.png'), []);
  });

  it('refuses an entry whose data is longer than it declares (zip bomb, 422)', async () => {
    const bomb = Buffer.alloc(2 * 1024 * 1024, 0); // 2 MB of zeros deflate to about 2 KB
    await assertRefused(up.dir, await sendZip([{ name: 'bomb.png', data: bomb, deflate: true, declaredSize: 1000 }]), 422, /larger or smaller than it declares/, 'deck.zip/bomb.png');
    // A stored entry whose sizes disagree is caught in the central directory, before any data.
    await assertRefused(up.dir, await sendZip([{ name: 'stored.png', data: png, declaredSize: 100 }]), 422, /larger or smaller than it declares/, 'deck.zip');
  });

  it('refuses an entry declaring a huge size before reading it (413)', async () => {
    await assertRefused(up.dir, await sendZip([{ name: 'huge.png', data: png, deflate: true, declaredSize: 0xfffffff0 }]), 413, /too large: at most 300 KB per file/, 'deck.zip/huge.png');
  });

  it('refuses an archive expanding past the total limit (413)', async () => {
    const flat = await makeImage({ width: 300, height: 250, pngCompression: 0 });
    assert.ok(flat.length < LIMITS.maxFileBytes && flat.length * 4 > LIMITS.maxZipBytes);
    const entries = [1, 2, 3, 4].map((i) => ({ name: `${i}.png`, data: flat, deflate: true }));
    await assertRefused(up.dir, await sendZip(entries), 413, /expands to more than 700 KB/, 'deck.zip/3.png');
  });

  it('refuses too many entries and too many images (413)', async () => {
    const junk = Array.from({ length: 21 }, (_, i) => ({ name: `__MACOSX/${i}`, data: Buffer.from('x') }));
    await assertRefused(up.dir, await sendZip([{ name: 'a.png', data: png }, ...junk]), 413, /too many entries: at most 20/, 'deck.zip');
    const images = Array.from({ length: 11 }, (_, i) => ({ name: `${i}.png`, data: png }));
    await assertRefused(up.dir, await sendZip(images), 413, /Too many images in the ZIP: at most 10/, 'deck.zip/10.png');
  });

  it('refuses a non-image inside (415) and an archive of junk only (422)', async () => {
    await assertRefused(up.dir, await sendZip([{ name: 'a.png', data: png }, { name: 'readme.txt', data: Buffer.from('hello') }]), 415, /only contain PNG, JPEG, GIF or WebP/, 'deck.zip/readme.txt');
    await assertRefused(up.dir, await sendZip([{ name: 'inner.zip', data: makeZip([{ name: 'a.png', data: png }]) }]), 415, /only contain/, 'deck.zip/inner.zip');
    await assertRefused(up.dir, await sendZip([{ name: '__MACOSX/._a.png', data: png }, { name: 'folder/' }]), 422, /no images/, 'deck.zip');
  });

  it('refuses a damaged archive and a damaged image inside it (422)', async () => {
    const zip = makeZip([{ name: 'a.png', data: png }]);
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'cut.zip', data: zip.subarray(0, zip.length - 30) }]), 422, /damaged/, 'cut.zip');
    await assertRefused(up.dir, await sendZip([{ name: 'bad.png', data: Buffer.concat([png.subarray(0, 40), Buffer.alloc(200)]) }]), 422, /damaged/, 'deck.zip/bad.png');
  });

  it('refuses an entry whose CRC-32 does not match its contents (422), stored or deflated', async () => {
    const decks = (await up.store.list()).length;
    for (const deflate of [false, true]) {
      const answer = await sendZip([{ name: 'good.png', data: png, deflate }, { name: 'bad.png', data: png, deflate, declaredCrc: (crc32(png) ^ 0x1) >>> 0 }]);
      await assertRefused(up.dir, answer, 422, /checksum \(CRC-32\) does not match/, 'deck.zip/bad.png');
    }
    assert.equal((await up.store.list()).length, decks, 'no deck made');
  });

  it('refuses two ZIPs, or a ZIP with images (422)', async () => {
    const zip = makeZip([{ name: 'a.png', data: png }]);
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'a.zip', data: zip }, { name: 'b.zip', data: zip }]), 422, /not several kinds or several archives.*2 ZIPs/);
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'a.zip', data: zip }, { name: 'b.png', data: png }]), 422, /1 ZIP, 1 image/);
  });
});

describe('a ZIP bomb under the real limits', () => {
  it('a 500 KB archive of ten 49 MB entries is refused at its first entry, before anything is written', async () => {
    const { dir, store, server, close } = await openTempUploads('upload-bomb-', uploadLimits());
    try {
      const zeros = Buffer.alloc(49 * 1024 * KB);
      const zip = makeZip(Array.from({ length: 10 }, (_, n) => ({ name: `zeros-${n}.png`, data: zeros, deflate: true })));
      assert.ok(zip.length < 600 * KB, `the archive is ${Math.round(zip.length / KB)} KB`);
      const answer = await upload(server.url, [{ name: 'bomb.zip', data: zip }]);
      await assertRefused(dir, answer, 422, /expands more than 100 times/, 'bomb.zip/zeros-0.png');
      assert.deepEqual(await store.list(), []);
    } finally {
      await close();
    }
  });
});
