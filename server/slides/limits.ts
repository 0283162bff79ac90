/**
 * Every bound an upload is held to, and the failure value every upload step returns. Defaults fit
 * the project's 2-core machine; the caller may override any of them (e.g. from env in config.ts).
 */

export interface UploadLimits {
  /** Bytes per uploaded file and per ZIP entry (uncompressed). */
  maxFileBytes: number;
  /** Bytes of all uploaded files together. */
  maxTotalBytes: number;
  /** Slides per deck, hence also files per upload. */
  maxSlides: number;
  /** Pixels per image (width x height); larger images are refused before they are decoded. */
  maxPixels: number;
  /** Entries in a ZIP's central directory, junk included. */
  maxZipEntries: number;
  /** Uncompressed bytes of all extracted ZIP entries together. */
  maxZipBytes: number;
  /** Pages per PDF. */
  maxPdfPages: number;
  /** A PDF page that takes longer to render fails the upload (its render child is killed). */
  pdfPageTimeoutMs: number;
  /** JavaScript heap limit of a PDF render child (MB); `renderMemoryMb` bounds all of its memory. */
  pdfWorkerHeapMb: number;
  /** Data memory a PDF render child may use (MB, RLIMIT_DATA); a child that outgrows it fails the upload. */
  renderMemoryMb: number;
  /** PDF render children at once, for the whole process; more uploads wait in a bounded line. */
  renderProcesses: number;
  /** Pixels of one PDF page drawn at slide width (1920 px); a larger page is refused. */
  maxPagePixels: number;
  /** Slides processed at once (sharp itself uses the libuv pool; 2 suits 2 cores). */
  concurrency: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_UPLOAD_LIMITS: Readonly<UploadLimits> = Object.freeze({
  maxFileBytes: 50 * MiB,
  maxTotalBytes: 200 * MiB,
  maxSlides: 500,
  maxPixels: 50_000_000,
  maxZipEntries: 2_000,
  maxZipBytes: 500 * MiB,
  maxPdfPages: 500,
  pdfPageTimeoutMs: 30_000,
  pdfWorkerHeapMb: 512,
  renderMemoryMb: 1024,
  renderProcesses: 1,
  maxPagePixels: 1920 * 7680,
  concurrency: 2,
});

/** Defaults overridden by `overrides`; throws on a bound that is not a positive integer. */
export function uploadLimits(overrides: Partial<UploadLimits> = {}): UploadLimits {
  const limits = { ...DEFAULT_UPLOAD_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`upload limit ${name} must be a positive integer, got ${value}`);
  }
  return limits;
}

export type FailureStatus = 400 | 413 | 415 | 422 | 500 | 503;

/** An upload that cannot become a deck: the HTTP status and the `ApiError` body to answer with. */
export interface UploadFailure {
  ok: false;
  status: FailureStatus;
  error: string;
  /** The uploaded file (or `archive.zip/entry.png`) the error is about. */
  file?: string;
  /** A stable code for the failures that have one (docs/api.md), e.g. `render_memory_exceeded`. */
  code?: string;
}

export function fail(status: FailureStatus, error: string, file?: string, code?: string): UploadFailure {
  return { ok: false, status, error, ...(file === undefined ? {} : { file }), ...(code === undefined ? {} : { code }) };
}

/** `fail` with a stable `code`. */
export function failWithCode(code: string, status: FailureStatus, error: string, file?: string): UploadFailure {
  return { ...fail(status, error, file), code };
}

export function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${Math.round((bytes / MiB) * 10) / 10} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
