/**
 * Image uploads through a real HTTP request: receiveUpload + buildDeck behind a server on port 0.
 * Every refusal must name the problem (and the file), leave no temp folder and create no deck.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { type UploadLimits, uploadLimits } from '../../../server/slides/index';
import { sniffFile } from '../../../server/slides/sniff';
import { makeAnimatedGif, makeImage } from '../../helpers/slide-fixtures';
import { assertRefused, upload, useTempUploads } from '../../helpers/upload-server';

const KB = 1024;
const LIMITS: UploadLimits = uploadLimits({ maxFileBytes: 600 * KB, maxTotalBytes: 1000 * KB, maxSlides: 5, maxPixels: 20_000_000 });

describe('image uploads', () => {
  const up = useTempUploads('upload-images-', LIMITS);

  it('makes a deck of PNG, JPEG, WebP and GIF in natural name order', async () => {
    const before = (await up.store.list()).length;
    up.server.progress.length = 0;
    const answer = await upload(
      up.server.url,
      [
        { name: 'Slide10.png', data: await makeImage({ width: 3840, height: 2160 }) },
        { name: 'slide2.jpg', data: await makeImage({ format: 'jpeg', width: 800, height: 450 }) },
        { name: 'Slide 1.webp', data: await makeImage({ format: 'webp', width: 300, height: 200, alpha: true }) },
        { name: 'Slide3.gif', data: await makeAnimatedGif(1280, 720), type: 'image/png' },
      ],
      '  Quarterly review ',
    );
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.equal(answer.body.title, 'Quarterly review');
    assert.equal(answer.body.source, 'images');
    assert.equal(answer.body.count, 4);
    const deck = (await up.store.get(answer.body.id!))!;
    assert.deepEqual(deck.slides.map((s) => s.name), ['Slide 1.webp', 'slide2.jpg', 'Slide3.gif', 'Slide10.png']);
    assert.deepEqual(deck.slides.map((s) => s.widths), [[300], [640, 800], [640, 1280], [640, 1280, 1920]]);
    assert.deepEqual(deck.slides.map((s) => [s.width, s.height]), [[300, 200], [800, 450], [1280, 720], [1920, 1080]]);
    assert.equal((await up.store.list()).length, before + 1);
    assert.ok(up.server.progress.some((p) => p.stage === 'receiving'));
    assert.deepEqual(up.server.progress.filter((p) => p.stage === 'rendering').at(-1), { type: 'progress', stage: 'rendering', done: 4, total: 4, file: up.server.progress.at(-1)!.file });
  });

  it('writes real WebP and JPEG variants, a 320 px thumbnail and a tiny placeholder', async () => {
    const answer = await upload(up.server.url, [{ name: 'wide.png', data: await makeImage({ width: 2400, height: 1000, alpha: true }) }]);
    assert.equal(answer.status, 201);
    const deck = (await up.store.get(answer.body.id!))!;
    const slide = deck.slides[0]!;
    assert.equal(deck.title, 'wide');
    assert.match(slide.token, /^[0-9a-f]{32}$/);
    for (const width of [640, 1280, 1920]) {
      const webp = (await up.store.imageFile(deck.id, `${slide.token}-${width}.webp`))!;
      const jpeg = (await up.store.imageFile(deck.id, `${slide.token}-${width}.jpg`))!;
      assert.equal(await sniffFile(webp), 'webp');
      assert.equal(await sniffFile(jpeg), 'jpeg');
      const meta = await sharp(jpeg).metadata();
      assert.deepEqual([meta.width, meta.height], [width, Math.round((1000 * width) / 2400)]);
      assert.equal(meta.hasAlpha, false);
    }
    const thumb = await sharp((await up.store.imageFile(deck.id, `${slide.token}-thumb.webp`))!).metadata();
    assert.deepEqual([thumb.width, thumb.height], [320, 133]);
    assert.match(slide.placeholder, /^data:image\/webp;base64,/);
    const tiny = Buffer.from(slide.placeholder.split(',')[1]!, 'base64');
    assert.ok(tiny.length < 600, `placeholder is ${tiny.length} bytes`);
    assert.equal((await sharp(tiny).metadata()).width, 32);
  });

  it('applies EXIF orientation and keeps only the first GIF frame', async () => {
    const answer = await upload(up.server.url, [
      { name: 'a.jpg', data: await makeImage({ format: 'jpeg', width: 800, height: 400, orientation: 6 }) },
      { name: 'b.gif', data: await makeAnimatedGif(200, 100) },
    ]);
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    const deck = (await up.store.get(answer.body.id!))!;
    assert.deepEqual([deck.slides[0]!.width, deck.slides[0]!.height], [400, 800], 'rotated upright');
    const gif = deck.slides[1]!;
    assert.deepEqual([gif.width, gif.height], [200, 100]);
    const { data } = await sharp((await up.store.imageFile(deck.id, `${gif.token}-200.jpg`))!).raw().toBuffer({ resolveWithObject: true });
    assert.ok(data[0]! > 200 && data[2]! < 60, 'first (red) frame');
  });

  it('decides by content, not by file name or declared type', async () => {
    const answer = await upload(up.server.url, [{ name: 'slides.pdf', data: await makeImage({ format: 'webp' }), type: 'application/pdf' }]);
    assert.equal(answer.status, 201);
    assert.equal(answer.body.source, 'images');
  });

  it('refuses a file over the per-file limit (413, file named)', async () => {
    const big = await makeImage({ width: 600, height: 600, noise: true });
    assert.ok(big.length > LIMITS.maxFileBytes);
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'ok.png', data: await makeImage() }, { name: 'big.png', data: big }]), 413, /too large: at most 600 KB per file/, 'big.png');
  });

  it('refuses an upload over the total limit (413)', async () => {
    const medium = await makeImage({ width: 350, height: 350, noise: true });
    assert.ok(medium.length < LIMITS.maxFileBytes && medium.length * 3 > LIMITS.maxTotalBytes);
    const files = ['a.png', 'b.png', 'c.png'].map((name) => ({ name, data: medium }));
    await assertRefused(up.dir, await upload(up.server.url, files), 413, /too large: at most 1000 KB in total/, 'c.png');
  });

  it('refuses more files than slides allowed (413)', async () => {
    const image = await makeImage({ width: 64, height: 36 });
    const files = Array.from({ length: 6 }, (_, i) => ({ name: `${i}.png`, data: image }));
    await assertRefused(up.dir, await upload(up.server.url, files), 413, /Too many files: at most 5/);
  });

  it('refuses an image with too many pixels before decoding it (422)', async () => {
    const huge = await sharp({ create: { width: 5000, height: 4001, channels: 3, background: '#fff' } }).png().toBuffer();
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'poster.png', data: huge }]), 422, /5000×4001 pixels, at most 20 megapixels/, 'poster.png');
  });

  it('refuses a text file named .png (415)', async () => {
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'notes.png', data: Buffer.from('just some text\n'), type: 'image/png' }]), 415, /Unsupported file/, 'notes.png');
  });

  it('refuses an SVG (415): images are PNG, JPEG, GIF or WebP only', async () => {
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'logo.png', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') }]), 415, /Unsupported/, 'logo.png');
  });

  it('refuses a corrupt or truncated image (422) and creates nothing (all or nothing)', async () => {
    const png = await makeImage({ width: 400, height: 300, noise: true });
    const decks = (await up.store.list()).length;
    await assertRefused(up.dir, 
      await upload(up.server.url, [
        { name: 'good.png', data: png },
        { name: 'cut.png', data: png.subarray(0, Math.floor(png.length / 2)) },
      ]),
      422,
      /damaged/,
      'cut.png',
    );
    const garbage = Buffer.concat([png.subarray(0, 8), Buffer.alloc(500, 7)]);
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'garbage.png', data: garbage }]), 422, /damaged/, 'garbage.png');
    assert.equal((await up.store.list()).length, decks);
  });

  it('refuses a mixed upload (422)', async () => {
    const { makePdf } = await import('../../helpers/pdf-fixtures');
    await assertRefused(up.dir, 
      await upload(up.server.url, [{ name: 'a.png', data: await makeImage() }, { name: 'talk.pdf', data: makePdf(['x']) }]),
      422,
      /either images, one ZIP of images, or one PDF.*1 PDF, 1 image/,
    );
  });

  it('creates decks that survive a refused upload untouched', async () => {
    const existing = await up.store.list();
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'x.png', data: Buffer.from('nope') }]), 415, /Unsupported/, 'x.png');
    assert.deepEqual(await up.store.list(), existing);
    for (const deck of existing) assert.ok((await stat(path.join(up.dir, deck.id, 'deck.json'))).isFile());
  });
});
