/**
 * Who may do what over HTTP. Presenter requests are signed in (cookie) or carry the key as a
 * Bearer token. A cookie rides along on any request the browser makes, so a cookie-authenticated
 * request that changes state must also come from our own origin (CSRF); Bearer requests come from
 * scripts that had to know the key.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PresenterAuth } from '../auth';
import { wrongKeyDelay } from '../auth';
import { isSameOrigin, sendError } from './respond';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True if the request may go on; otherwise the answer (401/403) has been sent. A wrong Bearer key is answered late. */
export async function requirePresenter(auth: PresenterAuth, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (auth.viaBearer(req)) return true;
  if (!auth.viaCookie(req)) {
    if (req.headers.authorization !== undefined) await wrongKeyDelay();
    sendError(res, 401, 'sign in as the presenter first');
    return false;
  }
  if (!SAFE_METHODS.has(req.method ?? 'GET') && !isSameOrigin(req)) {
    sendError(res, 403, 'cross-origin request refused');
    return false;
  }
  return true;
}
