/** Small helpers every slideshow route uses: JSON answers, errors as `ApiError`, bounded JSON bodies, same-origin checks. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from '../../../lib/slideshow/index';
import { judgeOrigin } from '../../bayeux/index';
import { chooseEncoding, encodeBody } from './compress';
import { HttpError } from './errors';
import { logger } from '../../log';

const slideshowLog = logger('slideshow');

const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

/**
 * A JSON answer, compressed as the request accepts (compress.ts). Resolves once it is handed to
 * the socket; callers that have nothing more to do need not wait.
 */
export async function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  // Never fails the answer: a body that cannot be compressed goes as it is.
  const encoded = await encodeBody(text, res.req ? chooseEncoding(res.req) : 'identity').catch(() => ({ body: Buffer.from(text, 'utf8'), encoding: 'identity' as const }));
  if (res.headersSent || res.destroyed) return;
  const encoding = encoded.encoding === 'identity' ? {} : { 'Content-Encoding': encoded.encoding };
  res.writeHead(status, { ...NO_STORE, ...headers, 'Content-Type': 'application/json; charset=utf-8', Vary: 'Accept-Encoding', ...encoding, 'Content-Length': encoded.body.length });
  res.end(res.req?.method === 'HEAD' ? undefined : encoded.body);
}

/**
 * The answer to a thrown error: an HttpError as its `ApiError` body; anything else is a bug,
 * logged and answered 500 `internal`. An answer already under way (a stream) can only be cut.
 */
export async function sendFailure(res: ServerResponse, error: unknown): Promise<void> {
  if (!(error instanceof HttpError)) slideshowLog.error('a route failed', error);
  if (res.headersSent) return void res.destroy();
  if (!(error instanceof HttpError)) return sendJson(res, 500, { error: 'internal error', code: 'internal' } satisfies ApiError);
  const { file, headers } = error.extra;
  const body: ApiError = { error: error.message, code: error.code, ...(file === undefined ? {} : { file }) };
  return sendJson(res, error.status, body, headers);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...NO_STORE, ...headers });
  res.end();
}

/**
 * Read a small JSON body (commands, renames, sign-in); throws the HttpError to answer. A body
 * refused half-read leaves the rest on the connection: the answer closes it rather than drain it.
 */
export async function readJson(req: IncomingMessage, limit = 16 * 1024): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'send application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'body_too_large', `body larger than ${limit} bytes`, { headers: { Connection: 'close' } });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_json', 'body is not valid JSON');
  }
}

/** Does the request come from a page of our own origin? (Host or X-Forwarded-Host, as the Bayeux endpoint judges it.) */
export function isSameOrigin(req: IncomingMessage): boolean {
  return judgeOrigin(req, []) === 'same';
}

export function isHttps(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim() === 'https';
}

/**
 * Was this sign-in attempt started by another site (a foreign page's `<img src="/sign-in?key=…">`,
 * form or link)? Such attempts are neither checked nor counted: they could otherwise slow the
 * presenter's own browser down. Browsers say so in `Sec-Fetch-Site` (`none` is the address bar or
 * a bookmark); older ones only in `Origin` or `Referer`. Scripts that send none of them are not foreign.
 */
export function isForeignAttempt(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  if (req.headers.origin !== undefined) return !isSameOrigin(req);
  const referer = req.headers.referer;
  if (typeof referer !== 'string' || referer === '') return false;
  const hosts = [req.headers.host, ...String(req.headers['x-forwarded-host'] ?? '').split(',')].map((h) => h?.trim()).filter(Boolean);
  try {
    return !hosts.includes(new URL(referer).host);
  } catch {
    return true;
  }
}
