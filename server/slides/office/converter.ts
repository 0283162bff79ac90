/**
 * Office presentations (PowerPoint, OpenDocument, Keynote) become a PDF, which is then rendered
 * like any uploaded PDF, plus the speaker notes of each slide. LibreOffice does the conversion
 * (`soffice --headless`), one or two at a time through a bounded queue; PowerPoint 97-2003 and
 * Keynote files are first converted to ODP so that their notes can be read from ODF as well.
 */
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { type UploadFailure, fail } from '../limits';
import type { ProgressListener, ReceivedFile } from '../types';
import { type OfficeKind, inputExtension } from './formats';
import { odpNotes } from './odp-notes';
import { pptxNotes } from './pptx-notes';
import { SlotQueue } from './queue';
import { type ConvertOutcome, convertWithSoffice } from './soffice';

export interface OfficeOptions {
  /** The soffice binary: a name looked up on PATH, or a path. */
  binary: string;
  /** A conversion step that takes longer is killed and the upload refused. */
  timeoutMs: number;
  /** Conversions at once. */
  concurrency: number;
  /** Uploads allowed to wait for a conversion; more are refused (503). */
  maxWaiting: number;
}

export const DEFAULT_OFFICE_OPTIONS: Readonly<OfficeOptions> = Object.freeze({ binary: 'soffice', timeoutMs: 120_000, concurrency: 1, maxWaiting: 4 });

export const LIBREOFFICE_PACKAGE = 'libreoffice-impress';
const MAX_PARTS = 20_000;
const MAX_PART_BYTES = 20 * 1024 * 1024;

export type Converted = { ok: true; pdf: string; notes: Array<string | undefined> };

export class OfficeConverter {
  readonly #queue: SlotQueue;

  constructor(readonly options: OfficeOptions = DEFAULT_OFFICE_OPTIONS) {
    this.#queue = new SlotQueue(options.concurrency, options.maxWaiting);
  }

  /** Converts `file` (of `kind`) inside `workDir`, which the caller removes afterwards. */
  async convert(file: ReceivedFile, kind: OfficeKind, workDir: string, signal?: AbortSignal, onProgress?: ProgressListener): Promise<Converted | UploadFailure> {
    const slot = await this.#queue.acquire(signal);
    if (!slot.ok) return slot.reason === 'full' ? fail(503, 'The server is busy converting other presentations; try again in a minute.', file.name) : cancelled(file.name);
    try {
      return await this.#convert(file, kind, path.join(workDir, 'office'), signal, onProgress);
    } finally {
      slot.release();
    }
  }

  async #convert(file: ReceivedFile, kind: OfficeKind, dir: string, signal?: AbortSignal, onProgress?: ProgressListener): Promise<Converted | UploadFailure> {
    await mkdir(dir, { recursive: true });
    const input = path.join(dir, `slides.${inputExtension(kind)}`);
    await rename(file.path, input);
    const steps = kind === 'pptx' || kind === 'odp' ? 1 : 2;
    const step = (to: 'pdf' | 'odp', from: string, done: number): Promise<ConvertOutcome> => {
      onProgress?.({ type: 'progress', stage: 'converting', done, total: steps, file: file.name });
      const job = { binary: this.options.binary, input: from, to, outDir: path.join(dir, `out-${done}`), profileDir: path.join(dir, 'profile'), timeoutMs: this.options.timeoutMs };
      return convertWithSoffice(signal ? { ...job, signal } : job);
    };
    let source = input;
    if (steps === 2) {
      const odp = await step('odp', input, 0);
      if (!odp.ok) return describe(odp, file.name, this.options.timeoutMs);
      source = odp.file;
    }
    const pdf = await step('pdf', source, steps - 1);
    if (!pdf.ok) return describe(pdf, file.name, this.options.timeoutMs);
    onProgress?.({ type: 'progress', stage: 'converting', done: steps, total: steps, file: file.name });
    return { ok: true, pdf: pdf.file, notes: await readNotes(kind === 'pptx' ? 'pptx' : 'odp', source) };
  }
}

/** Notes are a bonus: a package LibreOffice could convert but whose notes we cannot read still makes a deck. */
async function readNotes(format: 'pptx' | 'odp', file: string): Promise<Array<string | undefined>> {
  try {
    return format === 'pptx' ? await pptxNotes(file, MAX_PARTS, MAX_PART_BYTES) : await odpNotes(file, MAX_PARTS, MAX_PART_BYTES);
  } catch {
    return [];
  }
}

function describe(outcome: Extract<ConvertOutcome, { ok: false }>, label: string, timeoutMs: number): UploadFailure {
  if (outcome.reason === 'missing') {
    return fail(415, `Office files need LibreOffice on the server, which is not installed: install the ${LIBREOFFICE_PACKAGE} package (apt-get install -y ${LIBREOFFICE_PACKAGE}), or upload a PDF export.`, label, 'office_unavailable');
  }
  if (outcome.reason === 'timeout') return fail(422, `The presentation took too long to convert (over ${Math.round(timeoutMs / 1000)} s).`, label);
  if (outcome.reason === 'aborted') return cancelled(label);
  return fail(422, 'The presentation could not be converted: it is damaged, password-protected, or not a presentation. Upload an unprotected copy, or a PDF export.', label);
}

function cancelled(label: string): UploadFailure {
  return fail(400, 'The upload was cancelled.', label, 'upload_cancelled');
}
