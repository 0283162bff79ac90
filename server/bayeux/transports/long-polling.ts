/**
 * Long-polling (spec "long-polling" transport, the one every Bayeux server MUST offer): POST a JSON
 * array (`application/json`, `text/json`, or form-encoded `message=`), answered with a JSON array.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BayeuxCore } from '../core';
import { corsHeaders, decodeUtf8, judgeOrigin, parsePostBody, readBody, sendPlain } from './http';
import { framing, runPollingCycle } from './polling';

const JSON_FRAMING = framing('application/json; charset=utf-8');

export async function handleLongPolling(core: BayeuxCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const verdict = judgeOrigin(req, core.options.allowedOrigins);
  if (verdict === 'forbidden') return sendPlain(res, 403, 'origin not allowed');
  const cors = verdict === 'allowed' ? corsHeaders(req) : {};
  const body = await readBody(req, core.options.maxBodyBytes);
  if (body === 'aborted') return;
  if (body === 'too-large') return sendPlain(res, 413, `body larger than ${core.options.maxBodyBytes} bytes`, { ...cors, Connection: 'close' });
  const text = decodeUtf8(body);
  if (text === undefined) return sendPlain(res, 400, 'body is not valid UTF-8', cors);
  const parsed = parsePostBody(text, req.headers['content-type'], core.options);
  if (!parsed.ok) return sendPlain(res, parsed.status, parsed.reason, cors);
  await runPollingCycle(core, req, res, parsed.messages, 'long-polling', JSON_FRAMING, cors);
}
