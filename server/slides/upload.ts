/**
 * Receiving a `multipart/form-data` upload (docs/api.md, `POST /api/decks`): busboy streams each
 * file part to a temp file, so memory stays flat however large the body. Every busboy limit event
 * is handled (without a handler busboy silently drops what is over the limit), as are the total
 * size, a wrong content type, a malformed body, a client that goes away, and an upload without
 * files. Nothing is decided from file names or declared types here: buildDeck sniffs contents.
 *
 * On failure the temp folder is gone and the rest of the body is left to drain; a route answering
 * the error should add `Connection: close` so a huge body is not read to its end.
 */
import type { IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import busboy from 'busboy';
import { normalizeTitle } from './deck-file';
import { type UploadFailure, type UploadLimits, fail, formatBytes } from './limits';
import { TEMP_PREFIX } from './store';
import type { ProgressListener, ReceivedUpload } from './types';
import { type PartsResult, receiveParts } from './multipart';

export { buildDeck } from './build';
export type { ReceivedFile, ReceivedUpload, ProgressListener } from './types';

/** Multipart framing allowed on top of the files themselves when checking Content-Length. */
const FRAMING_ALLOWANCE = 1024 * 1024;

/**
 * Streams the request's files into a fresh temp folder under `tmpParent` (pass the store's
 * folder, `store.dir`, so that building the deck never copies across file systems and a crash
 * leaves only `.tmp-*` folders that `DeckStore.open()` removes).
 */
export async function receiveUpload(
  req: IncomingMessage,
  limits: UploadLimits,
  onProgress?: ProgressListener,
  tmpParent: string = tmpdir(),
): Promise<ReceivedUpload | UploadFailure> {
  const early = checkHeaders(req, limits);
  if (early) {
    req.resume();
    return early;
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: busboyLimits(limits), defParamCharset: 'utf8' });
  } catch {
    req.resume();
    return fail(400, 'The multipart body has no valid boundary.');
  }
  const tmpDir = await mkdtemp(path.join(tmpParent, `${TEMP_PREFIX}upload-`));
  const parts = await receiveParts(req, parser, tmpDir, limits, onProgress);
  const outcome = parts.ok ? toUpload(parts, tmpDir) : parts;
  if (!outcome.ok) await rm(tmpDir, { recursive: true, force: true, maxRetries: 2 });
  return outcome;
}

/** Drops empty file inputs (a part with no file name and no bytes) and checks the title. */
function toUpload(parts: Extract<PartsResult, { ok: true }>, tmpDir: string): ReceivedUpload | UploadFailure {
  const files = parts.files.filter((file) => file.size > 0 || !file.unnamed).map(({ name, path: p, size }) => ({ name, path: p, size }));
  if (files.length === 0) return fail(400, 'No files were uploaded: send one or more "file" parts.');
  const upload: ReceivedUpload = { ok: true, files, tmpDir };
  if (parts.title !== undefined && parts.title.trim() !== '') {
    const title = normalizeTitle(parts.title);
    if (title === undefined) return fail(400, 'The title must be 1 to 200 characters, at least one of them visible.');
    upload.title = title;
  }
  return upload;
}

/** Removes a received upload that will not be built (e.g. the client went away). */
export async function discardUpload(upload: ReceivedUpload): Promise<void> {
  await rm(upload.tmpDir, { recursive: true, force: true, maxRetries: 2 });
}

function checkHeaders(req: IncomingMessage, limits: UploadLimits): UploadFailure | undefined {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    return fail(415, 'Send the files as multipart/form-data.');
  }
  const length = Number(req.headers['content-length']);
  if (Number.isFinite(length) && length > limits.maxTotalBytes + FRAMING_ALLOWANCE) {
    return fail(413, `The upload is too large: at most ${formatBytes(limits.maxTotalBytes)} in total.`);
  }
  return undefined;
}

function busboyLimits(limits: UploadLimits): busboy.Limits {
  return {
    fileSize: limits.maxFileBytes,
    files: limits.maxSlides,
    fields: 20,
    parts: limits.maxSlides + 20,
    fieldSize: 4096,
    fieldNameSize: 100,
    headerPairs: 100,
  };
}
