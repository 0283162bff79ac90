/**
 * The one error a route handler throws: a status, a stable `ApiErrorCode` (docs/api.md lists them
 * all) and a message for people. The router turns it into the `ApiError` body; anything else
 * thrown is a bug, answered 500 `internal` and logged. Named factories for the errors several
 * routes share, as Fastify's `lib/errors.js` keeps them in one place.
 */
import type { ApiErrorCode } from '../../../lib/slideshow/index';

type Headers = Record<string, string>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** `file`: the upload the error is about; `headers`: e.g. `Retry-After`, `Connection: close`. */
    readonly extra: { file?: string; headers?: Headers } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The one answer for anything the caller may not see, and for paths we do not serve. */
export const notFound = (message = 'not found'): HttpError => new HttpError(404, 'not_found', message);

export function methodNotAllowed(allowed: readonly string[]): HttpError {
  const named = allowed.filter((method) => method !== 'HEAD');
  const list = named.length > 1 ? `${named.slice(0, -1).join(', ')} or ${named.at(-1)}` : named[0] ?? 'another method';
  return new HttpError(405, 'method_not_allowed', `use ${list}`, { headers: { Allow: allowed.join(', ') } });
}

export const signInRequired = (): HttpError => new HttpError(401, 'sign_in_required', 'sign in as the presenter first');
export const wrongKey = (): HttpError => new HttpError(401, 'wrong_key', 'wrong presenter key');
export const crossOrigin = (): HttpError => new HttpError(403, 'cross_origin', 'cross-origin request refused');

/** Too many wrong keys are waiting from this client (or from everyone): come back later. */
export function tooManyWrongKeys(retryAfterS: number): HttpError {
  return new HttpError(429, 'too_many_wrong_keys', 'too many wrong keys at once: wait and try again', { headers: { 'Retry-After': String(retryAfterS) } });
}
