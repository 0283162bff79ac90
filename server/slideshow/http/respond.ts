/** Small helpers every slideshow route uses: JSON answers, bounded JSON bodies, same-origin checks. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { judgeOrigin } from '../../bayeux/index';
import { chooseEncoding, encodeBody } from './compress';

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

export function sendError(res: ServerResponse, status: number, error: string, file?: string): Promise<void> {
  return sendJson(res, status, file === undefined ? { error } : { error, file });
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...NO_STORE, ...headers });
  res.end();
}

/** Read a small JSON body (commands, renames, sign-in). Errors are values naming the status. */
export async function readJson(req: IncomingMessage, limit = 16 * 1024): Promise<{ ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; error: string }> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return { ok: false, status: 415, error: 'send application/json' };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return { ok: false, status: 413, error: `body larger than ${limit} bytes` };
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, status: 400, error: 'body is not valid JSON' };
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

/** Too many wrong keys are waiting from this client (or from everyone): come back later. */
export function sendTooManyGuesses(res: ServerResponse, retryAfterS: number): void {
  sendJson(res, 429, { error: 'too many wrong keys at once: wait and try again', code: 'too_many_wrong_keys' }, { 'Retry-After': String(retryAfterS) });
}
