// The PDF render child process: pdfjs-dist (legacy build, the one meant for Node) draws each page
// onto @napi-rs/canvas, and sharp (render-image.ts) encodes the slide's image files from those
// pixels, here, so raw pixels never enter the server's process. The server (render-child.ts)
// starts this file under an OS memory limit (RLIMIT_DATA), kills it on a deadline, a cancel or
// the end of the upload, and reads only the replies of pdf-protocol.ts.
//
// Plain JavaScript on purpose: pdfjs loaded through tsx takes ~1.2 s instead of ~0.15 s. In the
// compiled server (scripts/build-server.mjs) render-image.ts is bundled into this file; run from
// source, plain Node cannot import TypeScript, so only that one module goes through tsx (scoped
// `tsImport`, which leaves every other import to Node).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

// Before loading anything heavy and before any thread pool exists, so that loading and sharp's
// and libuv's threads run at this priority too: the server's event loop (nice 0) wins every
// contest for a core against this child's work.
try {
  os.setPriority(10);
} catch {
  // Not permitted or not supported: render at normal priority.
}

const { createCanvas } = await import('@napi-rs/canvas');
const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
/** @type {typeof import('./render-image')} */
const { renderVariants } = await import('./render-image.ts').catch(async () => {
  const { tsImport } = await import('tsx/esm/api');
  return tsImport('./render-image.ts', import.meta.url);
});

const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
// pdfjs reads these folders itself; on Node a plain path ending in a separator is accepted.
const assets = {
  standardFontDataUrl: path.join(pdfjsRoot, 'standard_fonts') + path.sep,
  cMapUrl: path.join(pdfjsRoot, 'cmaps') + path.sep,
  cMapPacked: true,
  wasmUrl: path.join(pdfjsRoot, 'wasm') + path.sep,
  iccUrl: path.join(pdfjsRoot, 'iccs') + path.sep,
};

/** @type {import('pdfjs-dist').PDFDocumentProxy | undefined} */
let pdf;
/** pdfjs draws one page at a time; sharp encodes the previous page meanwhile. */
let drawing = Promise.resolve();

process.on('message', (/** @type {import('./pdf-protocol').PdfRequest} */ request) => {
  handle(request).then(
    (reply) => process.send?.({ id: request.id, ...reply }),
    (error) => process.send?.({ id: request.id, ...failure(error) }),
  );
});
// The server went away: nobody will read what we make.
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, type: 'ready' });

async function handle(request) {
  if (request.type === 'open') {
    const data = new Uint8Array(await readFile(request.file));
    pdf = await getDocument({
      data,
      ...assets,
      isEvalSupported: false, // never compile code out of a document
      enableXfa: false,
      maxImageSize: request.maxImagePixels,
      verbosity: 0,
    }).promise;
    return { type: 'opened', pages: pdf.numPages };
  }
  const drawn = drawing.then(() => draw(request.page, request.width, request.maxPagePixels));
  drawing = drawn.then(() => undefined, () => undefined);
  const page = await drawn;
  if (page.type === 'failed') return page;
  const image = { data: page.pixels, width: page.width, height: page.height, channels: 4 };
  const slide = await renderVariants(image, request.outDir, request.token);
  return { type: 'rendered', slide, text: page.text };
}

/** The page's RGBA pixels `width` px wide and its text, or a refusal when that is too many pixels. */
async function draw(number, width, maxPagePixels) {
  if (!pdf) throw new Error('no document open');
  const page = await pdf.getPage(number);
  try {
    const natural = page.getViewport({ scale: 1 });
    const scale = width / natural.width;
    if (!(scale > 0 && Number.isFinite(scale) && natural.height > 0)) throw new Error(`page ${number} has no size`);
    const height = Math.max(1, Math.floor(natural.height * scale));
    if (width * height > maxPagePixels) {
      return { type: 'failed', reason: 'page-too-large', message: `Page ${number} would be ${width}×${height} pixels, at most ${maxPagePixels.toLocaleString('en')} pixels (a page at most ${Math.floor(maxPagePixels / width / width)} times as tall as it is wide).` };
    }
    const viewport = page.getViewport({ scale });
    const canvas = createCanvas(width, height);
    await page.render({ canvas, viewport }).promise;
    // getImageData: plain RGBA, not premultiplied, which is what sharp's raw input expects.
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    const content = await page.getTextContent();
    const text = content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join('');
    return { type: 'page', pixels: Buffer.from(data.buffer, data.byteOffset, data.byteLength), width, height, text };
  } finally {
    page.cleanup();
  }
}

// What running out of the memory limit looks like from here: V8's ArrayBuffer allocation, Skia
// refusing a canvas, glib unable to map a thread's stack, libvips or libc reporting ENOMEM.
const OUT_OF_MEMORY = /allocation failed|out of memory|cannot allocate|bad_alloc|surface failed|creating thread|resource temporarily unavailable|ENOMEM/i;

function failure(error) {
  const message = error instanceof Error ? error.message : String(error);
  if (error?.name === 'PasswordException') return { type: 'failed', reason: 'password', message };
  if (error?.name === 'InvalidPDFException') return { type: 'failed', reason: 'invalid', message };
  if (OUT_OF_MEMORY.test(message)) return { type: 'failed', reason: 'memory', message };
  return { type: 'failed', reason: 'other', message };
}
