/**
 * PDF uploads over real HTTP: each page becomes a slide, rendered by pdfjs-dist in a render
 * child process. The PDFs are hand-written at run time (tests/helpers/pdf-fixtures.ts).
 */
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { uploadLimits } from '../../../server/slides/index';
import { makeBrokenPdf, makePdf } from '../../helpers/pdf-fixtures';
import { makeImage } from '../../helpers/slide-fixtures';
import { assertRefused, startUploadServer, upload, useTempUploads } from '../../helpers/upload-server';

describe('PDF uploads', () => {
  const up = useTempUploads('upload-pdf-', uploadLimits({ maxPdfPages: 6 }));

  it('makes one slide per page, with its text, without blocking the event loop', async () => {
    const pdf = makePdf(['Welcome to   Comet Deck', 'Roadmap (2026)', 'Questions?']);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const answer = await upload(up.server.url, [{ name: 'Launch.pdf', data: pdf, type: 'image/png' }]);
    delay.disable();
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.equal(answer.body.source, 'pdf');
    assert.equal(answer.body.count, 3);
    assert.equal(answer.body.title, 'Launch');
    const deck = (await up.store.get(answer.body.id!))!;
    assert.deepEqual(deck.slides.map((slide) => slide.name), ['page 1', 'page 2', 'page 3']);
    assert.deepEqual(deck.slides.map((slide) => slide.text), ['Welcome to Comet Deck', 'Roadmap (2026)', 'Questions?']);
    for (const slide of deck.slides) {
      assert.deepEqual([slide.width, slide.height, slide.widths], [1920, 1080, [640, 1280, 1920]]);
      for (const width of slide.widths) assert.ok(await up.store.imageFile(deck.id, `${slide.token}-${width}.jpg`));
    }
    // Test process and up.server share one loop here, so this bounds what the up.server would feel.
    assert.ok(delay.max / 1e6 < 250, `event loop blocked for ${Math.round(delay.max / 1e6)} ms`);
  });

  it('draws the text (standard fonts found)', async () => {
    const answer = await upload(up.server.url, [{ name: 'a.pdf', data: makePdf(['MMMMMMMMMMMM']) }]);
    const deck = (await up.store.get(answer.body.id!))!;
    const file = (await up.store.imageFile(deck.id, `${deck.slides[0]!.token}-640.jpg`))!;
    const stats = await sharp(file).stats();
    assert.ok(stats.channels[0]!.min < 60, 'dark glyph pixels on the white page');
    assert.ok(stats.channels[0]!.mean > 200, 'mostly white');
  });

  it('renders a portrait page 1920 px wide', async () => {
    const answer = await upload(up.server.url, [{ name: 'a4.pdf', data: makePdf(['Portrait'], { width: 595, height: 842 }) }]);
    assert.equal(answer.status, 201);
    const slide = (await up.store.get(answer.body.id!))!.slides[0]!;
    assert.deepEqual([slide.width, slide.height], [1920, 2717]);
  });

  it('refuses an encrypted PDF (422, file named)', async () => {
    const answer = await upload(up.server.url, [{ name: 'secret.pdf', data: makePdf(['x'], { encrypt: true }) }]);
    await assertRefused(up.dir, answer, 422, /password-protected/, 'secret.pdf');
    assert.equal(answer.body.code, 'pdf_encrypted');
  });

  it('refuses a broken PDF (422, file named)', async () => {
    const answer = await upload(up.server.url, [{ name: 'broken.pdf', data: makeBrokenPdf() }]);
    await assertRefused(up.dir, answer, 422, /damaged or not a PDF/, 'broken.pdf');
    assert.equal(answer.body.code, 'pdf_invalid');
  });

  it('refuses a PDF with too many pages (413)', async () => {
    const pages = Array.from({ length: 7 }, (_, i) => `Page ${i + 1}`);
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'long.pdf', data: makePdf(pages) }]), 413, /7 pages: at most 6/, 'long.pdf');
  });

  it('gives up on a PDF that takes too long, killing its render child (422)', async () => {
    const slow = await startUploadServer(up.store, uploadLimits({ pdfPageTimeoutMs: 1 }));
    try {
      const answer = await upload(slow.url, [{ name: 'slow.pdf', data: makePdf(['a', 'b']) }]);
      await assertRefused(up.dir, answer, 422, /took too long/, 'slow.pdf');
      assert.equal(answer.body.code, 'render_timeout');
    } finally {
      await slow.close();
    }
  });

  it('refuses a PDF together with anything else (422)', async () => {
    const pdf = makePdf(['x']);
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'a.pdf', data: pdf }, { name: 'b.pdf', data: pdf }]), 422, /2 PDFs/);
    await assertRefused(up.dir, await upload(up.server.url, [{ name: 'a.pdf', data: pdf }, { name: 'b.png', data: await makeImage() }]), 422, /1 PDF, 1 image/);
  });
});
