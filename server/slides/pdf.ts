/**
 * A PDF being turned into slides, page by page, in a render child process (render-child.ts):
 * the child draws each page and writes its image files itself, under an OS memory limit, so
 * neither a hostile PDF's memory nor its raw pixels ever reach the server. Every request has a
 * deadline; a page that takes too long, a child that dies (of its memory limit or otherwise) or a
 * cancelled upload kills the child and fails the upload with a stable code. At most
 * `renderProcesses` children run at once in this process; a few more uploads wait their turn.
 */
import { type UploadFailure, type UploadLimits, fail, failWithCode } from './limits';
import { SlotQueue } from './office/queue';
import type { PdfReply, PdfRequest } from './pdf-protocol';
import type { RenderedSlide } from './render-image';
import { type Exchange, RenderChild } from './render-child';

/** Pages are drawn this wide: the largest slide variant, so nothing is upscaled later. */
export const PDF_RENDER_WIDTH = 1920;
/** Uploads that may wait for a render child, beyond those rendering; more are refused (503). */
const RENDER_WAITING = 8;

export type PdfPage = { ok: true; slide: RenderedSlide; text: string };
type Outcome = PdfReply | { type: 'failure'; failure: UploadFailure };
type RequestBody = PdfRequest extends infer R ? (R extends PdfRequest ? Omit<R, 'id'> : never) : never;

export class PdfDocument {
  #dead: UploadFailure | undefined;
  #pageCount = 0;
  #closed: Promise<void> | undefined;

  private constructor(
    private readonly child: RenderChild,
    private readonly release: () => void,
    private readonly label: string,
    private readonly limits: UploadLimits,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get pages(): number {
    return this.#pageCount;
  }

  /** The render child's process id, while it runs. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Waits for a render slot, starts a child and opens `file` in it; 422 naming `label` if it is
   * encrypted, broken or too slow, 503 if too many uploads are already waiting.
   */
  static async open(file: string, label: string, limits: UploadLimits, signal?: AbortSignal): Promise<{ ok: true; pdf: PdfDocument } | UploadFailure> {
    const slot = await renderQueue(limits.renderProcesses).acquire(signal);
    if (!slot.ok) {
      return slot.reason === 'full'
        ? failWithCode('render_busy', 503, 'Too many PDFs are being rendered; try again in a minute.', label)
        : cancelled(label);
    }
    const child = new RenderChild({ memoryMb: limits.renderMemoryMb, heapMb: Math.min(limits.pdfWorkerHeapMb, limits.renderMemoryMb) });
    const pdf = new PdfDocument(child, slot.release, label, limits, signal);
    if (signal?.aborted) pdf.#onAbort();
    const reply = await pdf.#request({ type: 'open', file, maxImagePixels: limits.maxPixels }, 'opening the PDF');
    if (reply.type !== 'opened') {
      await pdf.close();
      return reply.type === 'failure' ? reply.failure : fail(422, 'The PDF could not be opened.', label);
    }
    pdf.#pageCount = reply.pages;
    return { ok: true, pdf };
  }

  /** Renders page `number` (1-based) 1920 px wide into `outDir` as slide `token`, with its text. */
  async renderPage(number: number, outDir: string, token: string): Promise<PdfPage | UploadFailure> {
    const request = { type: 'render', page: number, width: PDF_RENDER_WIDTH, maxPagePixels: this.limits.maxPagePixels, outDir, token } as const;
    const reply = await this.#request(request, `rendering page ${number}`);
    if (reply.type === 'failure') return reply.failure;
    if (reply.type !== 'rendered') return fail(422, `Page ${number} of the PDF could not be rendered.`, this.label);
    return { ok: true, slide: reply.slide, text: reply.text };
  }

  /** Ends the child and frees its slot; once this resolves the child writes nothing more. */
  close(): Promise<void> {
    this.#dead ??= fail(500, 'The PDF renderer was closed.', this.label);
    this.signal?.removeEventListener('abort', this.#onAbort);
    this.#closed ??= this.child.kill().finally(this.release);
    return this.#closed;
  }

  readonly #onAbort = (): void => {
    this.#dead ??= cancelled(this.label);
    void this.child.kill();
  };

  async #request(message: RequestBody, doing: string): Promise<Outcome> {
    if (this.#dead) return { type: 'failure', failure: this.#dead };
    const outcome = await this.child.request(message, this.limits.pdfPageTimeoutMs);
    if (outcome.type === 'reply') return outcome.reply.type === 'failed' ? { type: 'failure', failure: describe(outcome.reply, this.label, this.limits) } : outcome.reply;
    this.#dead ??= this.#deathFailure(outcome, doing);
    void this.child.kill();
    return { type: 'failure', failure: this.#dead };
  }

  #deathFailure(outcome: Exclude<Exchange, { type: 'reply' }>, doing: string): UploadFailure {
    if (outcome.type === 'timeout') return failWithCode('render_timeout', 422, `The PDF took too long (${doing}).`, this.label);
    if (outcome.reason === 'memory') return memoryFailure(this.label, this.limits, doing);
    if (outcome.reason === 'no-limit') return failWithCode('render_unavailable', 500, `The PDF could not be rendered: ${outcome.message}.`, this.label);
    return failWithCode('render_failed', 422, `The PDF could not be processed (${doing}): ${outcome.message}`, this.label);
  }
}

const queues = new Map<number, SlotQueue>();

/** One line per process (and per setting, should callers pass different ones). */
function renderQueue(processes: number): SlotQueue {
  let queue = queues.get(processes);
  if (!queue) queues.set(processes, (queue = new SlotQueue(processes, RENDER_WAITING)));
  return queue;
}

function cancelled(label: string): UploadFailure {
  return failWithCode('upload_cancelled', 400, 'The upload was cancelled.', label);
}

function memoryFailure(label: string, limits: UploadLimits, doing: string): UploadFailure {
  return failWithCode('render_memory_exceeded', 422, `The PDF needs more memory than the ${limits.renderMemoryMb} MB allowed for rendering it (${doing}); export it with smaller images or fewer layers.`, label);
}

function describe(reply: Extract<PdfReply, { type: 'failed' }>, label: string, limits: UploadLimits): UploadFailure {
  if (reply.reason === 'password') return failWithCode('pdf_encrypted', 422, 'The PDF is encrypted or password-protected; upload an unprotected copy.', label);
  if (reply.reason === 'invalid') return failWithCode('pdf_invalid', 422, 'The PDF is damaged or not a PDF.', label);
  if (reply.reason === 'page-too-large') return failWithCode('page_too_large', 422, reply.message, label);
  if (reply.reason === 'memory') return memoryFailure(label, limits, 'rendering');
  return fail(422, `The PDF could not be processed: ${reply.message}`, label);
}
