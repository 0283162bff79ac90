/**
 * Callback-polling (JSON-P, spec "callback-polling"): `GET ?message=<JSON>&jsonp=<callback>`,
 * answered as `text/javascript` calling the callback. Lets cross-origin pages without CORS (old
 * dojox.cometd) take part. The callback name is checked strictly, so the reply cannot carry script.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BayeuxCore } from '../core';
import { parseMessageParams, sendPlain } from './http';
import { framing, runPollingCycle } from './polling';

const CALLBACK = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
const MAX_CALLBACK_LENGTH = 64;
const DEFAULT_CALLBACK = 'jsonpcallback';

export function callbackName(query: URLSearchParams): string | undefined {
  const name = query.get('jsonp') ?? DEFAULT_CALLBACK;
  return name.length <= MAX_CALLBACK_LENGTH && CALLBACK.test(name) ? name : undefined;
}

export function handleCallbackPolling(core: BayeuxCore, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void | Promise<void> {
  const callback = callbackName(query);
  if (callback === undefined) return sendPlain(res, 400, 'invalid "jsonp" callback name');
  const parsed = parseMessageParams(query.getAll('message'), core.options);
  if (!parsed.ok) return sendPlain(res, parsed.status, parsed.reason);
  // The leading comment defuses content sniffing tricks (as Faye does).
  const jsonp = framing('text/javascript; charset=utf-8', `/**/${callback}(`, ');');
  return runPollingCycle(core, req, res, parsed.messages, 'callback-polling', jsonp, {});
}
