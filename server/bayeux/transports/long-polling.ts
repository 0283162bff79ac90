/**
 * Long-polling (spec "long-polling" transport, the one every Bayeux server MUST offer): POST a JSON
 * array (`application/json`, `text/json`, or form-encoded `message=`), answered with a JSON array.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BayeuxCore } from '../core';
import { corsHeaders, decodeUtf8, judgeOrigin, parsePostBody, readBody, sendPlain, serveSafely, type BodyResult } from './http';
import { framing, runPollingCycle } from './polling';

const JSON_FRAMING = framing('application/json; charset=utf-8');
const NO_CORS: Record<string, string> = {};

/** Not async: each phone's poll passes here once per slide change (see processBatch). */
export function handleLongPolling(core: BayeuxCore, req: IncomingMessage, res: ServerResponse): void {
  const verdict = judgeOrigin(req, core.options.allowedOrigins);
  if (verdict === 'forbidden') return sendPlain(res, 403, 'origin not allowed');
  const cors = verdict === 'allowed' ? corsHeaders(req) : NO_CORS;
  readBody(req, core.options.maxBodyBytes, (body) => serveSafely(res, core.reportError, () => answerBody(core, req, res, body, cors)));
}

function answerBody(core: BayeuxCore, req: IncomingMessage, res: ServerResponse, body: BodyResult, cors: Record<string, string>): void | Promise<void> {
  if (body === 'aborted') return;
  if (body === 'too-large') return sendPlain(res, 413, `body larger than ${core.options.maxBodyBytes} bytes`, { ...cors, Connection: 'close' });
  const text = decodeUtf8(body);
  if (text === undefined) return sendPlain(res, 400, 'body is not valid UTF-8', cors);
  const parsed = parsePostBody(text, req.headers['content-type'], core.options);
  if (!parsed.ok) return sendPlain(res, parsed.status, parsed.reason, cors);
  return runPollingCycle(core, req, res, parsed.messages, 'long-polling', JSON_FRAMING, cors);
}
