/**
 * Clients for the slideshow's end-to-end tests: bounded waits, HTTP helpers (sign-in cookie,
 * Bearer key, multipart uploads, comparable snapshots of answers) and the official CometD client
 * promisified, with a log of every message a client receives off the wire.
 *
 * Every CometD instance in a process shares the adapter's one cookie jar (they are tabs of one
 * browser), so servers for these tests allow many long polls per browser (the slideshow test
 * server does by default).
 */
import assert from 'node:assert/strict';
import { CometD, type Message as CometDMessage, type SubscriptionHandle } from 'cometd';
import { adapt } from 'cometd-nodejs-client';
import type { DeckSummary } from '../../lib/slideshow/index';
import type { SlideshowTestServer } from './slideshow-server';
import { sleep, until } from './wait';

export { sleep, until } from './wait';

adapt();

/** Bound on every single awaited step; generous, for a loaded 2-core machine. */
export const STEP_MS = 15_000;
/** Bound on a whole test. */
export const TEST_MS = 60_000;

// ---------------------------------------------------------------------------------------------
// Bounded waiting

export function within<T>(promise: Promise<T>, what: string, ms = STEP_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

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

export interface UploadFile {
  name: string;
  data: Buffer;
  type?: string;
}

export function uploadForm(files: UploadFile[], title?: string): FormData {
  const form = new FormData();
  if (title !== undefined) form.append('title', title);
  for (const file of files) form.append('file', new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }), file.name);
  return form;
}

export async function upload(server: SlideshowTestServer, files: UploadFile[], options: { title?: string; headers?: Headers } = {}): Promise<Response> {
  return within(fetch(`${server.url}/api/decks`, {
    method: 'POST',
    headers: options.headers ?? bearer(server),
    body: uploadForm(files, options.title),
  }), 'the upload answer', STEP_MS * 4);
}

/** Uploads with the Bearer key and expects a new deck. */
export async function uploadDeck(server: SlideshowTestServer, files: UploadFile[], title?: string): Promise<DeckSummary> {
  const response = await upload(server, files, { title });
  const body = await response.text();
  assert.equal(response.status, 201, `upload answer: ${body}`);
  return JSON.parse(body) as DeckSummary;
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

// ---------------------------------------------------------------------------------------------
// The CometD client, promisified

export type Mode = 'long-polling' | 'websocket';

/** Every CometD client made here, disconnected by `disconnectAll` (call it in `after`). */
const clients = new Set<CometD>();

/** A client restricted to one transport (a broken transport fails instead of falling back). */
export function newClient(endpoint: string, mode: Mode): CometD {
  const cometd = new CometD();
  for (const type of ['websocket', 'long-polling', 'callback-polling']) {
    if (type !== mode) cometd.unregisterTransport(type);
  }
  cometd.configure({ url: endpoint, logLevel: 'warn' });
  clients.add(cometd);
  return cometd;
}

/** Records every message the client receives (meta replies and events), serialised as they came. */
export function recordWire(cometd: CometD): string[] {
  const wire: string[] = [];
  cometd.registerExtension('wire-log', {
    incoming(message) {
      wire.push(JSON.stringify(message));
      return message;
    },
  });
  return wire;
}

/** Resolves with the handshake reply, successful or not. */
export function tryHandshake(cometd: CometD, props?: object): Promise<CometDMessage> {
  return within(new Promise<CometDMessage>((resolve) => {
    if (props) cometd.handshake(props, resolve);
    else cometd.handshake(resolve);
  }), 'the handshake reply');
}

/** A handshaken client whose first /meta/connect was answered (the session is fully established). */
export async function connected(cometd: CometD, props?: object): Promise<CometDMessage> {
  let ok = false;
  cometd.addListener('/meta/connect', (message) => {
    if (message.successful) ok = true;
  });
  const reply = await tryHandshake(cometd, props);
  assert.equal(reply.successful, true, `handshake: ${JSON.stringify(reply)}`);
  await until(() => ok, 'the first successful /meta/connect');
  return reply;
}

/** Resolves with the subscribe reply, successful or not. */
export function trySubscribe(cometd: CometD, channel: string, onMessage: (message: CometDMessage) => void): Promise<CometDMessage> {
  return within(new Promise<CometDMessage>((resolve) => {
    cometd.subscribe(channel, onMessage, resolve);
  }), `the subscribe reply for ${channel}`);
}

export async function subscribe(cometd: CometD, channel: string, onMessage: (message: CometDMessage) => void): Promise<SubscriptionHandle> {
  let handle: SubscriptionHandle | undefined;
  const reply = await within(new Promise<CometDMessage>((resolve) => {
    handle = cometd.subscribe(channel, onMessage, resolve);
  }), `the subscribe reply for ${channel}`);
  assert.equal(reply.successful, true, `subscribe ${channel}: ${JSON.stringify(reply)}`);
  return handle!;
}

/** Resolves with the publish reply, successful or not. */
export function publish(cometd: CometD, channel: string, data: unknown): Promise<CometDMessage> {
  return within(new Promise<CometDMessage>((resolve) => cometd.publish(channel, data, resolve)), `the publish reply for ${channel}`);
}

export async function disconnect(cometd: CometD): Promise<void> {
  clients.delete(cometd);
  if (cometd.isDisconnected()) return;
  await within(new Promise<CometDMessage>((resolve) => cometd.disconnect(resolve)), 'the disconnect reply');
}

export async function disconnectAll(): Promise<void> {
  const pending = [...clients];
  clients.clear();
  await Promise.allSettled(pending.map((cometd) => (cometd.isDisconnected() ? undefined : within(new Promise((resolve) => cometd.disconnect(resolve)), 'a disconnect reply', 5_000))));
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
