/**
 * Deck upload with two kinds of progress: bytes sent (`xhr.upload.onprogress`) and the server's
 * own work, streamed back as NDJSON `UploadProgress` lines (`Accept: application/x-ndjson`) and
 * read from `responseText` as they arrive. fetch() cannot report upload progress, hence XHR.
 */
import type { ApiError, ApiErrorCode, DeckSummary, UploadProgress } from '@/lib/slideshow';

export type ServerProgress = Extract<UploadProgress, { type: 'progress' }>;

export type UploadEvent = { kind: 'transfer'; loaded: number; total: number } | { kind: 'processing'; progress: ServerProgress };

export type UploadResult =
  | { ok: true; deck: DeckSummary }
  | { ok: false; status: number; error: string; code?: ApiErrorCode; file?: string; cancelled?: boolean };

export interface UploadJob {
  result: Promise<UploadResult>;
  cancel(): void;
}

export function uploadDeck(files: readonly File[], title: string | undefined, onEvent: (event: UploadEvent) => void): UploadJob {
  const xhr = new XMLHttpRequest();
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  let outcome: UploadResult | undefined;
  const lines = progressLines(xhr, (line) => {
    if (line.type === 'progress') onEvent({ kind: 'processing', progress: line });
    else if (line.type === 'done') outcome = { ok: true, deck: line.deck };
    else if (line.type === 'error') outcome = { ok: false, status: line.status, error: line.error, code: line.code, file: line.file };
  });
  const streaming = () => xhr.status === 200 && (xhr.getResponseHeader('Content-Type') ?? '').includes('ndjson');

  const result = new Promise<UploadResult>((resolve) => {
    xhr.upload.onprogress = (event) => onEvent({ kind: 'transfer', loaded: event.loaded, total: event.lengthComputable ? event.total : totalBytes });
    xhr.onprogress = () => {
      if (streaming()) lines.read(false);
    };
    xhr.onload = () => {
      if (!streaming()) return resolve(plainResult(xhr));
      lines.read(true);
      resolve(outcome ?? { ok: false, status: 0, error: 'The upload ended before the server finished processing it.' });
    };
    xhr.onerror = () => resolve({ ok: false, status: 0, error: 'The upload was interrupted: the server closed the connection or the network is down.' });
    xhr.onabort = () => resolve({ ok: false, status: 0, error: 'Upload cancelled.', cancelled: true });
  });

  xhr.open('POST', '/api/decks');
  xhr.setRequestHeader('Accept', 'application/x-ndjson');
  xhr.send(deckForm(files, title));
  return { result, cancel: () => xhr.abort() };
}

function deckForm(files: readonly File[], title: string | undefined): FormData {
  const form = new FormData();
  if (title) form.append('title', title);
  for (const file of files) form.append('file', file, file.name);
  return form;
}

/** The NDJSON progress stream, read from `responseText` as it grows: each complete line handed on once. */
function progressLines(xhr: XMLHttpRequest, handle: (line: UploadProgress) => void): { read(final: boolean): void } {
  let consumed = 0;
  return {
    /** Parse the complete lines received so far (all of it once the response is over). */
    read(final) {
      const text = xhr.responseText;
      const end = final ? text.length : text.lastIndexOf('\n') + 1;
      if (end <= consumed) return;
      const chunk = text.slice(consumed, end);
      consumed = end;
      for (const line of chunk.split('\n')) {
        if (!line.trim()) continue;
        try {
          handle(JSON.parse(line) as UploadProgress);
        } catch {
          // A malformed line is skipped; the final `done` or `error` line decides.
        }
      }
    },
  };
}

/** The outcome of an answer that is not a progress stream (a refusal before any work, or a plain JSON reply). */
function plainResult(xhr: XMLHttpRequest): UploadResult {
  let body: unknown;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    body = undefined;
  }
  if (xhr.status === 201 || xhr.status === 200) return { ok: true, deck: body as DeckSummary };
  const error = body as Partial<ApiError> | undefined;
  return { ok: false, status: xhr.status, error: error?.error ?? `The server answered ${xhr.status}.`, code: error?.code, file: error?.file };
}
