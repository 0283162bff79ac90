/**
 * Who may do what over HTTP. Presenter requests are signed in (cookie) or carry the key as a
 * Bearer token. A cookie rides along on any request the browser makes, so a cookie-authenticated
 * request that changes state must also come from our own origin (CSRF); Bearer requests come from
 * scripts that had to know the key.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PresenterAuth } from '../auth';
import { isSameOrigin, sendError, sendTooManyGuesses } from './respond';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True if the request may go on; otherwise the answer (401/403/429) has been sent. A wrong key in
 * `Authorization` goes through the one wrong-key limiter (late 401, or 429 when too many wait).
 */
export async function requirePresenter(auth: PresenterAuth, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (auth.viaBearer(req)) return true;
  if (!(await auth.isSignedIn(req))) {
    if (!(await chargeWrongAuthorization(auth, req, res))) return false;
    sendError(res, 401, 'sign in as the presenter first');
    return false;
  }
  if (!SAFE_METHODS.has(req.method ?? 'GET') && !isSameOrigin(req)) {
    sendError(res, 403, 'cross-origin request refused');
    return false;
  }
  return true;
}

/**
 * For routes open to everyone that treat presenters differently (`GET /api/session`, images, the
 * presenter pages): a request with a wrong key pays for it before it is answered as anyone's.
 * False if the 429 has been sent.
 */
export async function chargeWrongAuthorization(auth: PresenterAuth, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (!auth.hasWrongAuthorization(req)) return true;
  const verdict = await auth.wrongKey(req);
  if (verdict.refused) sendTooManyGuesses(res, verdict.retryAfterS);
  return !verdict.refused;
}
