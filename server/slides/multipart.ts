/**
 * The event plumbing of receiveUpload: wires busboy to temp files and settles exactly once, with
 * the files or with the first limit that was hit. Kept apart so upload.ts reads as the policy.
 */
import type { IncomingMessage } from 'node:http';
import { type WriteStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type busboy from 'busboy';
import { MAX_NAME_CHARS } from './deck-file';
import { type UploadFailure, type UploadLimits, fail, formatBytes } from './limits';
import type { ProgressListener, ReceivedFile } from './types';

export type PartFile = ReceivedFile & { unnamed: boolean };
export type PartsResult = { ok: true; files: PartFile[]; title?: string } | UploadFailure;

/** Progress lines at most this often: a 200 MB upload should not send 3,000 of them. */
const PROGRESS_INTERVAL_MS = 200;

export function receiveParts(
  req: IncomingMessage,
  parser: busboy.Busboy,
  tmpDir: string,
  limits: UploadLimits,
  onProgress?: ProgressListener,
): Promise<PartsResult> {
  return new Promise((resolve) => new PartsReceiver(req, parser, tmpDir, limits, resolve, onProgress).start());
}

class PartsReceiver {
  private readonly files: PartFile[] = [];
  private readonly writes: Promise<void>[] = [];
  private readonly sources: Readable[] = [];
  private readonly sinks: WriteStream[] = [];
  private title: string | undefined;
  private totalBytes = 0;
  private settled = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly parser: busboy.Busboy,
    private readonly tmpDir: string,
    private readonly limits: UploadLimits,
    private readonly resolve: (result: PartsResult) => void,
    private readonly onProgress?: ProgressListener,
  ) {}

  start(): void {
    const { parser, req, limits } = this;
    const progress = progressReporter(req, this.onProgress);
    parser.on('file', (_field, stream, info) => this.onFile(stream, info.filename));
    parser.on('field', (field, value, info) => {
      if (field !== 'title') return;
      if (info.valueTruncated) this.fail(fail(413, 'The title is too long.'));
      else this.title = value;
    });
    parser.on('filesLimit', () => this.fail(fail(413, `Too many files: at most ${limits.maxSlides} per upload.`)));
    parser.on('partsLimit', () => this.fail(fail(413, 'Too many parts in the form.')));
    parser.on('fieldsLimit', () => this.fail(fail(413, 'Too many fields in the form.')));
    parser.on('error', (error: Error) => this.fail(fail(400, `Malformed multipart body: ${error.message}`)));
    parser.on('close', () => void Promise.all(this.writes).then(() => this.succeed(progress)));
    req.on('close', () => {
      if (!req.complete) this.fail(fail(400, 'The upload was interrupted.'));
    });
    req.pipe(parser);
  }

  /** Streams one file part to `part-<n>` in the temp folder, counting it against the limits. */
  private onFile(stream: Readable, rawName: string | undefined): void {
    if (this.settled) return void stream.resume();
    const { name, unnamed } = cleanFileName(rawName, this.files.length);
    const file: PartFile = { name, unnamed, path: path.join(this.tmpDir, `part-${this.files.length}`), size: 0 };
    this.files.push(file);
    stream.on('data', (chunk: Buffer) => {
      file.size += chunk.length;
      this.totalBytes += chunk.length;
      if (this.totalBytes > this.limits.maxTotalBytes) {
        this.fail(fail(413, `The upload is too large: at most ${formatBytes(this.limits.maxTotalBytes)} in total.`, name));
      }
    });
    // busboy truncates the file at `fileSize` and says so only through this event.
    stream.on('limit', () => this.fail(fail(413, `The file is too large: at most ${formatBytes(this.limits.maxFileBytes)} per file.`, name)));
    const sink = createWriteStream(file.path, { flags: 'wx' });
    this.sources.push(stream);
    this.sinks.push(sink);
    this.writes.push(pipeline(stream, sink).catch((error: Error) => this.fail(fail(500, `Could not store the upload: ${error.message}`, name))));
  }

  private succeed(progress: { end(): void }): void {
    if (this.settled) return;
    this.settled = true;
    progress.end();
    this.resolve(this.title === undefined ? { ok: true, files: this.files } : { ok: true, files: this.files, title: this.title });
  }

  private fail(failure: UploadFailure): void {
    if (this.settled) return;
    this.settled = true;
    this.req.unpipe(this.parser);
    this.req.resume(); // drain the rest; see the note in upload.ts
    // Destroy both ends ourselves: a pipeline whose source ended but was not yet drained does
    // not settle when that source is destroyed (Node 20), so waiting on it could hang.
    for (const source of this.sources) source.destroy();
    for (const sink of this.sinks) sink.destroy();
    void Promise.all(this.sinks.map(closed)).then(() => this.resolve(failure));
  }
}

function closed(sink: WriteStream): Promise<void> {
  return new Promise((resolve) => (sink.closed ? resolve() : sink.once('close', () => resolve())));
}

/** Reports `receiving` progress in bytes of the request body (total from Content-Length, else 0). */
function progressReporter(req: IncomingMessage, onProgress?: ProgressListener): { end(): void } {
  if (!onProgress) return { end() {} };
  const length = Number(req.headers['content-length']);
  const total = Number.isSafeInteger(length) && length > 0 ? length : 0;
  let done = 0;
  let last = 0;
  onProgress({ type: 'progress', stage: 'receiving', done, total });
  req.on('data', (chunk: Buffer) => {
    done += chunk.length;
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    onProgress({ type: 'progress', stage: 'receiving', done, total });
  });
  return { end: () => onProgress({ type: 'progress', stage: 'receiving', done, total: total || done }) };
}

/** The last path segment of a client's file name (old browsers send a full path), made printable. */
export function cleanFileName(raw: string | undefined, index: number): { name: string; unnamed: boolean } {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  const name = base.normalize('NFC').replace(/[\p{Cc}\p{Cf}]+/gu, '').trim();
  if (!name) return { name: `file ${index + 1}`, unnamed: true };
  return { name: [...name].slice(0, MAX_NAME_CHARS).join(''), unnamed: false };
}
