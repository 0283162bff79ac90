/**
 * HTTP plumbing shared by long-polling and callback-polling: bounded body reading, strict UTF-8,
 * Bayeux payload parsing (JSON array or single object, form-encoded `message=`), JSON depth limit,
 * the BAYEUX_BROWSER cookie and CORS. Every failure is a value naming an HTTP status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { isPlainObject } from '../../../lib/bayeux/index';
import type { BayeuxOptions } from '../options';

export type Parsed = { ok: true; messages: unknown[] } | { ok: false; status: 400 | 413 | 415; reason: string };

export type BodyResult = Buffer | 'too-large' | 'aborted';

/**
 * Read the body up to `limit` bytes; beyond it, stop reading and report 413. `done` is called
 * once, from the request's events, so it must not throw. A callback rather than a promise: every
 * phone's poll is read here once per slide change.
 *
 * Once the body is read its listeners come off the request: a held long poll's request lives for
 * up to the connect timeout, and listeners left on it would keep the body (and the socket read
 * buffer its chunk is a slice of) alive, for every phone.
 */
export function readBody(req: IncomingMessage, limit: number, done: (result: BodyResult) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return done('too-large');
  }
  let chunks: Buffer[] = [];
  let size = 0;
  const settle = (result: BodyResult) => {
    req.off('data', onData).off('end', onEnd).off('error', onAborted).off('aborted', onAborted);
    chunks = [];
    done(result);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) return void chunks.push(chunk);
    req.resume();
    settle('too-large');
  };
  // A Bayeux request is one chunk nearly always: no copy then.
  const onEnd = () => settle(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  const onAborted = () => settle('aborted');
  req.on('data', onData).on('end', onEnd).on('error', onAborted).on('aborted', onAborted);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Parse a POST body. JSON content types (and anything starting with `[` or `{`, for clients that
 * send `text/plain`) are JSON; `application/x-www-form-urlencoded` carries JSON in `message=`
 * (dojox.cometd posts its handshake that way), possibly repeated.
 */
export function parsePostBody(text: string, contentType: string | undefined, options: BayeuxOptions): Parsed {
  const type = mediaType(contentType);
  if (type === 'application/x-www-form-urlencoded' && !/^\s*[[{]/.test(text)) {
    return parseMessageParams(new URLSearchParams(text).getAll('message'), options);
  }
  if (type === 'multipart/form-data') return { ok: false, status: 415, reason: 'multipart bodies are not Bayeux messages' };
  return parseJsonMessages(text, options);
}

/** The media type, lower-cased and without parameters; `application/json…` (nearly every request) without copying. */
function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  if (contentType.startsWith('application/json')) return 'application/json';
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** Parse one or more `message` parameters (form bodies and callback-polling query strings). */
export function parseMessageParams(values: string[], options: BayeuxOptions): Parsed {
  if (values.length === 0) return { ok: false, status: 400, reason: 'missing "message" parameter' };
  const messages: unknown[] = [];
  for (const value of values) {
    const parsed = parseJsonMessages(value, options);
    if (!parsed.ok) return parsed;
    messages.push(...parsed.messages);
  }
  return checkCount(messages, options);
}

export function parseJsonMessages(text: string, options: BayeuxOptions): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, reason: 'body is not valid JSON' };
  }
  if (exceedsDepth(value, options.maxJsonDepth)) return { ok: false, status: 400, reason: `JSON nested deeper than ${options.maxJsonDepth}` };
  if (isPlainObject(value)) return { ok: true, messages: [value] };
  if (!Array.isArray(value)) return { ok: false, status: 400, reason: 'body must be a JSON array of messages' };
  return checkCount(value, options);
}

function checkCount(messages: unknown[], options: BayeuxOptions): Parsed {
  if (messages.length > options.maxMessagesPerRequest) {
    return { ok: false, status: 413, reason: `more than ${options.maxMessagesPerRequest} messages in one request` };
  }
  return { ok: true, messages };
}

/** Iterative, so a hostile nesting cannot overflow our stack (JSON.parse itself throws beyond V8's limit). */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** The browser id from the cookie, or a fresh one (with `isNew`, so the caller sets the cookie). */
export function browserIdOf(req: IncomingMessage, cookieName: string): { id: string; isNew: boolean } {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === cookieName) {
      const value = part.slice(eq + 1).trim();
      if (/^[A-Za-z0-9]{16,64}$/.test(value)) return { id: value, isNew: false };
    }
  }
  return { id: randomBytes(16).toString('hex'), isNew: true };
}

export function browserCookie(id: string, options: BayeuxOptions): string {
  const attributes = options.browserCookieSecure ? 'Secure; SameSite=None; Partitioned' : 'SameSite=Lax';
  return `${options.browserCookieName}=${id}; Path=/; HttpOnly; ${attributes}`;
}

export type OriginVerdict = 'none' | 'same' | 'allowed' | 'forbidden';

/** Same-origin (Host or X-Forwarded-Host), listed, or foreign. Requests without Origin are not browsers' cross-origin calls. */
export function judgeOrigin(req: IncomingMessage, allowed: readonly string[]): OriginVerdict {
  const origin = req.headers.origin;
  if (origin === undefined) return 'none';
  const hosts = [req.headers.host, ...String(req.headers['x-forwarded-host'] ?? '').split(',')].map((h) => h?.trim()).filter(Boolean);
  try {
    if (origin !== 'null' && hosts.includes(new URL(origin).host)) return 'same';
  } catch {
    return 'forbidden';
  }
  return allowed.includes('*') || allowed.includes(origin) ? 'allowed' : 'forbidden';
}

export function corsHeaders(req: IncomingMessage): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': String(req.headers.origin),
    'Access-Control-Allow-Credentials': 'true',
    Vary: 'Origin',
  };
}

/** Answer a CORS preflight: allowed origins get the methods and headers Bayeux clients use. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, verdict: OriginVerdict): void {
  if (verdict === 'forbidden') return sendPlain(res, 403, 'origin not allowed');
  res.writeHead(204, {
    ...(verdict === 'allowed' ? corsHeaders(req) : {}),
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Accept, Authorization, Content-Type, Pragma, X-Requested-With',
    'Access-Control-Max-Age': '86400',
  });
  res.end();
}

export const NO_CACHE = { 'Cache-Control': 'no-cache, no-store, must-revalidate', 'X-Content-Type-Options': 'nosniff' } as const;

/**
 * Run one step of answering a request, now or, when it returns a promise, later. A throw or a
 * rejection is reported and answered with a 500: errors are values at the protocol boundary, and a
 * step run from a request's events must not throw into them.
 */
export function serveSafely(res: ServerResponse, report: (error: unknown) => void, step: () => void | Promise<void>): void {
  try {
    const served = step();
    if (served instanceof Promise) served.catch((error: unknown) => failRequest(res, report, error));
  } catch (error) {
    failRequest(res, report, error);
  }
}

function failRequest(res: ServerResponse, report: (error: unknown) => void, error: unknown): void {
  report(error);
  sendPlain(res, 500, 'internal error');
}

/** A request we refuse before any Bayeux processing: the status and a one-line JSON reason. */
export function sendPlain(res: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ error: reason });
  res.writeHead(status, { ...NO_CACHE, ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
