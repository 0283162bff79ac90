// The PDF worker thread: pdfjs-dist (legacy build, the one meant for Node) draws pages onto
// @napi-rs/canvas. Rendering is synchronous JavaScript for hundreds of milliseconds a page, so it
// runs here and never blocks the server's event loop; the main thread (pdf.ts) bounds its memory
// and time and kills it when a page hangs. One request at a time; replies carry raw RGBA pixels.
//
// Plain JavaScript on purpose: a worker does not inherit the parent's tsx loader on Node 20, and
// loading pdfjs through tsx takes ~1.2 s instead of ~0.15 s per upload. Message shapes are the
// `PdfRequest` / `PdfReply` types in pdf-protocol.ts.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { createCanvas } from '@napi-rs/canvas';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

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

parentPort.on('message', (/** @type {import('./pdf-protocol').PdfRequest} */ request) => {
  handle(request).then(
    ({ reply, transfer }) => parentPort.postMessage(reply, transfer),
    (error) => parentPort.postMessage(failure(error)),
  );
});

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
    return { reply: { type: 'opened', pages: pdf.numPages }, transfer: [] };
  }
  return renderPage(request.page, request.width, request.maxHeight);
}

async function renderPage(number, width, maxHeight) {
  if (!pdf) throw new Error('no document open');
  const page = await pdf.getPage(number);
  try {
    const natural = page.getViewport({ scale: 1 });
    const scale = Math.min(width / natural.width, maxHeight / natural.height);
    if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`page ${number} has no size`);
    const viewport = page.getViewport({ scale });
    const canvas = createCanvas(Math.max(1, Math.floor(viewport.width)), Math.max(1, Math.floor(viewport.height)));
    await page.render({ canvas, viewport }).promise;
    // getImageData: plain RGBA, not premultiplied, in a fresh buffer that can be transferred.
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const content = await page.getTextContent();
    const text = content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join('');
    const bytes = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
    return { reply: { type: 'page', width: canvas.width, height: canvas.height, pixels: bytes, text }, transfer: [pixels.buffer] };
  } finally {
    page.cleanup();
  }
}

function failure(error) {
  const message = error instanceof Error ? error.message : String(error);
  if (error?.name === 'PasswordException') return { type: 'failed', reason: 'password', message };
  if (error?.name === 'InvalidPDFException') return { type: 'failed', reason: 'invalid', message };
  return { type: 'failed', reason: 'other', message };
}
