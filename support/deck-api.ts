/**
 * Decks over the HTTP API with the presenter's key, for tests whose subject is not the upload:
 * the multipart form, the upload expecting a new deck, a deck's detail, and a presenter command
 * (`POST /api/live`). Every request bounded.
 */
import assert from 'node:assert/strict';
import type { DeckDetail, DeckSummary, SlideshowState } from '../lib/slideshow/index';

export interface UploadFile {
  name: string;
  data: Buffer;
  type?: string;
}

/** Rendering a deck on a busy 2-core machine can take a while; still bounded. */
const UPLOAD_MS = 60_000;
const STEP_MS = 15_000;

export function uploadForm(files: readonly UploadFile[], title?: string): FormData {
  const form = new FormData();
  if (title !== undefined) form.append('title', title);
  for (const file of files) form.append('file', new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }), file.name);
  return form;
}

/** `POST /api/decks` with the Bearer key, expecting 201 and the new deck. */
export async function postDeck(url: string, key: string, files: readonly UploadFile[], title?: string): Promise<DeckSummary> {
  const response = await fetch(`${url}/api/decks`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: uploadForm(files, title), signal: AbortSignal.timeout(UPLOAD_MS) });
  const body = await response.text();
  assert.equal(response.status, 201, `upload of ${title ?? 'a deck'}: ${body}`);
  return JSON.parse(body) as DeckSummary;
}

export async function deckDetail(url: string, key: string, id: string): Promise<DeckDetail> {
  const response = await fetch(`${url}/api/decks/${id}`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(STEP_MS) });
  assert.equal(response.status, 200);
  return (await response.json()) as DeckDetail;
}

/** `POST /api/live` with the Bearer key (go live, move, end, handout), expecting 200 and the new state. */
export async function sendLive(url: string, key: string, command: object): Promise<SlideshowState> {
  const response = await fetch(`${url}/api/live`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(command),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const body = await response.text();
  assert.equal(response.status, 200, `POST /api/live ${JSON.stringify(command)}: ${body}`);
  return JSON.parse(body) as SlideshowState;
}
