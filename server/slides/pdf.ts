/**
 * A PDF being turned into slides, page by page, in a worker thread (pdf-worker.mjs). The
 * worker gets a heap limit (`resourceLimits`) and every request a deadline; a page that takes too
 * long or a worker that dies fails the upload with 422 and the worker is terminated, so a hostile
 * PDF costs at most one page timeout of one thread. Requests are queued, one in flight at a time.
 */
import { Worker } from 'node:worker_threads';
import { type UploadFailure, type UploadLimits, fail } from './limits';
import type { PdfReply, PdfRequest } from './pdf-protocol';
import type { RawImage } from './render-image';

/** Pages are drawn this wide: the largest slide variant, so nothing is upscaled later. */
export const PDF_RENDER_WIDTH = 1920;
const PDF_MAX_HEIGHT = PDF_RENDER_WIDTH * 4;
const WORKER_URL = new URL('./pdf-worker.mjs', import.meta.url);

export type PdfPage = { ok: true; image: RawImage; text: string };

export class PdfDocument {
  private queue: Promise<unknown> = Promise.resolve();
  private dead: UploadFailure | undefined;
  private pageCount = 0;

  private constructor(
    private readonly worker: Worker,
    private readonly label: string,
    private readonly timeoutMs: number,
  ) {}

  get pages(): number {
    return this.pageCount;
  }

  /** Opens `file` in a new worker; 422 naming `label` if it is encrypted, broken or too slow. */
  static async open(file: string, label: string, limits: UploadLimits): Promise<{ ok: true; pdf: PdfDocument } | UploadFailure> {
    const worker = new Worker(WORKER_URL, {
      resourceLimits: { maxOldGenerationSizeMb: limits.pdfWorkerHeapMb, maxYoungGenerationSizeMb: 64 },
      stdout: false,
      stderr: false,
    });
    const pdf = new PdfDocument(worker, label, limits.pdfPageTimeoutMs);
    const reply = await pdf.request({ type: 'open', file, maxImagePixels: limits.maxPixels }, 'opening the PDF');
    if (reply.type !== 'opened') {
      await pdf.close();
      return reply.type === 'failure' ? reply.failure : fail(422, 'The PDF could not be opened.', label);
    }
    pdf.pageCount = reply.pages;
    return { ok: true, pdf };
  }

  /** Renders page `number` (1-based) about 1920 px wide, with its text. */
  async renderPage(number: number): Promise<PdfPage | UploadFailure> {
    const request: PdfRequest = { type: 'render', page: number, width: PDF_RENDER_WIDTH, maxHeight: PDF_MAX_HEIGHT };
    const reply = await this.request(request, `rendering page ${number}`);
    if (reply.type === 'failure') return reply.failure;
    if (reply.type !== 'page') return fail(422, `Page ${number} of the PDF could not be rendered.`, this.label);
    const image: RawImage = { data: Buffer.from(reply.pixels.buffer, reply.pixels.byteOffset, reply.pixels.byteLength), width: reply.width, height: reply.height, channels: 4 };
    return { ok: true, image, text: reply.text };
  }

  async close(): Promise<void> {
    this.dead ??= fail(500, 'The PDF worker was closed.', this.label);
    await this.worker.terminate();
  }

  /** Sends one request once the previous one is answered; a deadline or a crash ends the worker. */
  private request(message: PdfRequest, doing: string): Promise<PdfReply | { type: 'failure'; failure: UploadFailure }> {
    const run = async (): Promise<PdfReply | { type: 'failure'; failure: UploadFailure }> => {
      if (this.dead) return { type: 'failure', failure: this.dead };
      const outcome = await exchange(this.worker, message, this.timeoutMs);
      if (outcome.type === 'timeout' || outcome.type === 'crash') {
        this.dead = fail(422, outcome.type === 'timeout' ? `The PDF took too long (${doing}).` : `The PDF could not be processed (${doing}): ${outcome.message}`, this.label);
        void this.worker.terminate();
        return { type: 'failure', failure: this.dead };
      }
      return outcome.reply.type === 'failed' ? { type: 'failure', failure: describe(outcome.reply, this.label) } : outcome.reply;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

type Exchange = { type: 'reply'; reply: PdfReply } | { type: 'timeout' } | { type: 'crash'; message: string };

/** One message out, the next one in, whichever of reply, deadline or worker death comes first. */
function exchange(worker: Worker, message: PdfRequest, timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const done = (outcome: Exchange): void => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      resolve(outcome);
    };
    const onMessage = (reply: PdfReply): void => done({ type: 'reply', reply });
    const onError = (error: Error): void => done({ type: 'crash', message: (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : error.message });
    const onExit = (code: number): void => done({ type: 'crash', message: `worker exited (${code})` });
    const timer = setTimeout(() => done({ type: 'timeout' }), timeoutMs);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(message);
  });
}

function describe(reply: Extract<PdfReply, { type: 'failed' }>, label: string): UploadFailure {
  if (reply.reason === 'password') return fail(422, 'The PDF is encrypted or password-protected; upload an unprotected copy.', label);
  if (reply.reason === 'invalid') return fail(422, 'The PDF is damaged or not a PDF.', label);
  return fail(422, `The PDF could not be processed: ${reply.message}`, label);
}
