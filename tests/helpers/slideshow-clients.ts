/**
 * Clients for the slideshow's end-to-end tests: bounded waits, HTTP helpers (sign-in cookie,
 * Bearer key, multipart uploads, comparable snapshots of answers), and presenters and followers
 * made of the official CometD client (promisified in ./cometd-client.ts, re-exported here).
 */
import assert from 'node:assert/strict';
import type { CometD } from 'cometd';
import type { DeckDetail, DeckSummary } from '../../lib/slideshow/index';
import { postDeck, uploadForm, type UploadFile } from '../../support/deck-api';
import type { SlideshowTestServer } from './slideshow-server';
import { connected, newClient, recordWire, subscribe, type Mode } from './cometd-client';
import { sleep, until, within } from '../../support/wait';

export { sleep, until } from '../../support/wait';
export { connected, disconnect, disconnectAll, handshake, newClient, publish, recordWire, subscribe, tryHandshake, trySubscribe, type Mode } from './cometd-client';


/** Bound on every single awaited step; generous, for a loaded 2-core machine. */
export const STEP_MS = 15_000;
/** Bound on a whole test. */
export const TEST_MS = 60_000;

// ---------------------------------------------------------------------------------------------
// Bounded waiting

export { within } from '../../support/wait';

// ---------------------------------------------------------------------------------------------
// HTTP

export type Headers = Record<string, string>;

export const bearer = (server: SlideshowTestServer): Headers => ({ authorization: `Bearer ${server.key}` });

/** A browser's same-origin headers for a cookie-authenticated request. */
export const sameOrigin = (server: SlideshowTestServer, cookie: string): Headers => ({ cookie, origin: server.url });

/** Signs in with the key (`POST /api/session`) and returns the cookie pair to send back (`name=value`). */
export async function signIn(server: SlideshowTestServer): Promise<string> {
  const response = await within(fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: server.key }),
  }), 'the sign-in answer');
  assert.equal(response.status, 204);
  const [cookie] = response.headers.getSetCookie();
  assert.ok(cookie, 'a Set-Cookie header');
  return cookie.split(';')[0]!;
}

export async function getJson<T = any>(url: string, headers: Headers = {}): Promise<{ status: number; body: T; response: Response }> {
  const response = await within(fetch(url, { headers }), `GET ${url}`);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, response };
}

export async function sendJson<T = any>(method: string, url: string, body: unknown, headers: Headers = {}): Promise<{ status: number; body: T; response: Response }> {
  const response = await within(fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }), `${method} ${url}`);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, response };
}

/** `PATCH` here edits slide `n` of deck `id` (its notes, its alt text). */
export function slideUrl(server: { url: string }, id: string, n: number): string {
  return `${server.url}/api/decks/${id}/slides/${n}`;
}

/** `PATCH` slide `n` of deck `id` as the presenter. */
export function patchSlide(server: SlideshowTestServer, id: string, n: number, body: unknown): Promise<{ status: number; body: any; response: Response }> {
  return sendJson('PATCH', slideUrl(server, id, n), body, bearer(server));
}

/** Deck `id`'s slides as the presenter's deck detail lists them. */
export async function deckSlides(server: SlideshowTestServer, id: string): Promise<DeckDetail['slides']> {
  const detail = await getJson<DeckDetail>(`${server.url}/api/decks/${id}`, bearer(server));
  assert.equal(detail.status, 200, JSON.stringify(detail.body));
  return detail.body.slides;
}

/** A refused request: where it goes, what it sends, and the status and stable code it must get. */
export type Refusal = readonly [url: string, body: unknown, status: number, code: string | undefined];

/** Each `PATCH` is refused with its status, its code and an error a person can read. */
export async function assertPatchesRefused(refusals: readonly Refusal[], headers: Headers): Promise<void> {
  for (const [url, body, status, code] of refusals) {
    const answer = await sendJson('PATCH', url, body, headers);
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal(answer.body.code, code);
    assert.ok(answer.body.error.length > 5);
  }
}

export { type UploadFile, uploadForm } from '../../support/deck-api';

export async function upload(server: SlideshowTestServer, files: UploadFile[], options: { title?: string; headers?: Headers } = {}): Promise<Response> {
  return within(fetch(`${server.url}/api/decks`, {
    method: 'POST',
    headers: options.headers ?? bearer(server),
    body: uploadForm(files, options.title),
  }), 'the upload answer', STEP_MS * 4);
}

/** Uploads with the Bearer key and expects a new deck. */
export function uploadDeck(server: SlideshowTestServer, files: UploadFile[], title?: string): Promise<DeckSummary> {
  return postDeck(server.url, server.key, files, title);
}

/** An answer as a comparable value: status, every header but Date, and the body. */
export async function snapshot(url: string, headers: Headers = {}): Promise<{ status: number; headers: Array<[string, string]>; body: string }> {
  const response = await within(fetch(url, { headers }), `GET ${url}`);
  const body = Buffer.from(await response.arrayBuffer()).toString('latin1');
  const kept = [...response.headers.entries()].filter(([name]) => name !== 'date').sort(([a], [b]) => a.localeCompare(b));
  return { status: response.status, headers: kept, body };
}

/** The 128-bit token in an image URL (`/img/<deck>/<token>-<width>.jpg`). */
export function tokenOf(url: string): string {
  const match = /\/img\/[^/]+\/([0-9a-f]{32})-/.exec(url);
  assert.ok(match, `an image URL: ${url}`);
  return match[1]!;
}

/** A short-lived Bayeux token for a signed-in presenter page (`GET /api/presenter/token`). */
export async function presenterToken(server: SlideshowTestServer, cookie: string): Promise<string> {
  const { status, body } = await getJson<{ token: string; expiresAt: number }>(`${server.url}/api/presenter/token`, { cookie });
  assert.equal(status, 200);
  assert.equal(typeof body.token, 'string');
  return body.token;
}

/** A presenter: the official client, handshaken with a token from the presenter's page session. */
export async function presenterClient(server: SlideshowTestServer, cookie: string, mode: Mode = 'websocket'): Promise<CometD> {
  const cometd = newClient(server.endpoint, mode);
  await connected(cometd, { ext: { auth: { token: await presenterToken(server, cookie) } } });
  return cometd;
}

/** An audience client following `/slideshow/change`: every state it received, and its whole wire. */
export interface Follower {
  readonly cometd: CometD;
  readonly mode: Mode;
  readonly states: any[];
  readonly wire: string[];
}

export async function follower(server: SlideshowTestServer, mode: Mode): Promise<Follower> {
  const cometd = newClient(server.endpoint, mode);
  const wire = recordWire(cometd);
  const states: any[] = [];
  await connected(cometd);
  await subscribe(cometd, '/slideshow/change', (message) => states.push(message.data));
  return { cometd, mode, states, wire };
}
