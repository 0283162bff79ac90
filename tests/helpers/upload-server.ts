/**
 * A tiny HTTP server on 127.0.0.1:0 that does what the real `POST /api/decks` route will do with
 * server/slides: receiveUpload, then buildDeck, answering JSON. Tests drive it with real requests
 * (`fetch` + `FormData`, or a hand-built multipart body over a raw socket).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { buildDeck, deckSummary, type DeckStore, type ProgressEvent, receiveUpload, type UploadLimits } from '../../server/slides/index';
import { openTempDeckStore, removeTempDir, type TempDeckStore } from './temp-deck-store';

export interface UploadServer {
  url: string;
  /** Progress events of every request so far, in order. */
  progress: ProgressEvent[];
  close(): Promise<void>;
}

export async function startUploadServer(store: DeckStore, limits: UploadLimits): Promise<UploadServer> {
  const progress: ProgressEvent[] = [];
  const onProgress = (event: ProgressEvent): void => void progress.push(event);
  const server = http.createServer((req, res) => {
    void (async () => {
      const received = await receiveUpload(req, limits, onProgress, store.dir);
      if (!received.ok) return answer(res, received.status, { error: received.error, file: received.file }, true);
      const built = await buildDeck(store, received, limits, onProgress);
      if (!built.ok) return answer(res, built.status, { error: built.error, file: built.file, code: built.code });
      answer(res, 201, { ...deckSummary(built.deck), slides: built.deck.slides });
    })().catch((error: unknown) => answer(res, 500, { error: String(error) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/decks`,
    progress,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A quiet DeckStore in a fresh temp folder behind an upload server. */
export interface TempUploads extends TempDeckStore {
  server: UploadServer;
}

export async function openTempUploads(prefix: string, limits: UploadLimits): Promise<TempUploads & { close(): Promise<void> }> {
  const temp = await openTempDeckStore(prefix);
  const server = await startUploadServer(temp.store, limits);
  return { ...temp, server, close: () => closeTempUploads({ ...temp, server }) };
}

async function closeTempUploads(temp: Partial<TempUploads>): Promise<void> {
  await temp.server?.close();
  await removeTempDir(temp.dir);
}

/**
 * The same for the describe this is called in: set by its `before`, closed and removed by its
 * `after`. Read the fields inside tests and hooks, never at declaration.
 */
export function useTempUploads(prefix: string, limits: UploadLimits): TempUploads {
  const temp = {} as TempUploads;
  before(async () => {
    Object.assign(temp, await openTempDeckStore(prefix));
    temp.server = await startUploadServer(temp.store, limits);
  });
  after(() => closeTempUploads(temp));
  return temp;
}

function answer(res: http.ServerResponse, status: number, body: unknown, closeConnection = false): void {
  if (res.headersSent) return;
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
  if (closeConnection) headers.connection = 'close';
  res.writeHead(status, headers).end(JSON.stringify(body));
}

export interface UploadAnswer {
  status: number;
  body: { error?: string; file?: string; code?: string; id?: string; title?: string; count?: number; source?: string; slides?: Array<Record<string, unknown>> };
}

/** Asserts that an upload was refused as expected and left nothing behind in the data folder `dataDir`. */
export async function assertRefused(dataDir: string, answer: UploadAnswer, status: number, error: RegExp, file?: string): Promise<void> {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.match(answer.body.error ?? '', error);
  assert.equal(answer.body.file, file);
  assert.deepEqual((await readdir(dataDir)).filter((name) => name.startsWith('.')), [], 'no temp folder left');
}

/** POSTs files as `file` parts (plus an optional title) with fetch's own multipart encoding. */
export async function upload(url: string, files: Array<{ name: string; data: Buffer; type?: string }>, title?: string): Promise<UploadAnswer> {
  const form = new FormData();
  for (const file of files) form.append('file', new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }), file.name);
  if (title !== undefined) form.append('title', title);
  const response = await fetch(url, { method: 'POST', body: form });
  return { status: response.status, body: (await response.json()) as UploadAnswer['body'] };
}

/** POSTs a body exactly as given (for malformed and hand-built multipart requests). */
export async function postRaw(url: string, headers: Record<string, string>, body: Buffer | string): Promise<UploadAnswer> {
  const response = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: response.status, body: (await response.json()) as UploadAnswer['body'] };
}

/** A multipart/form-data body built by hand: `parts` are [field, file name or null, data]. */
export function multipartBody(boundary: string, parts: Array<[string, string | null, Buffer | string]>): Buffer {
  const chunks: Buffer[] = [];
  for (const [field, fileName, data] of parts) {
    const disposition = fileName === null ? `form-data; name="${field}"` : `form-data; name="${field}"; filename="${fileName}"`;
    const type = fileName === null ? '' : 'Content-Type: application/octet-stream\r\n';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`), Buffer.from(data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
