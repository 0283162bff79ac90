/**
 * Who may do what over HTTP. Presenter requests are signed in (cookie) or carry the key as a
 * Bearer token. A cookie rides along on any request the browser makes, so a cookie-authenticated
 * request that changes state must also come from our own origin (CSRF); Bearer requests come from
 * scripts that had to know the key.
 */
import type { IncomingMessage } from 'node:http';
import type { PresenterAuth } from '../auth';
import { crossOrigin, signInRequired, tooManyWrongKeys, wrongKey } from './errors';
import { isSameOrigin } from './respond';

/**
 * Who may call a route (the `access` of each entry in routes.ts):
 * - `public`: anyone; no key is looked at.
 * - `anyone`: anyone, and presenters are told apart (`GET /api/session`, images): a wrong key
 *   pays for it before the request is answered as anyone's.
 * - `presenter page`: a page Next renders for presenters; anyone else is sent to sign in.
 * - `presenter`: Bearer or a signed-in cookie; only for methods that change nothing.
 * - `same-origin presenter`: Bearer, or a signed-in cookie sent by a page of our own origin.
 */
export type Access = 'public' | 'anyone' | 'presenter page' | 'presenter' | 'same-origin presenter';

/**
 * May the request go on? Throws the 401/403/429 to answer. True when it has been shown to be the
 * presenter's; on `public`, `anyone` and `presenter page` routes that is left for the handler to
 * ask (most of those requests are the audience's). A wrong key in `Authorization` goes through
 * the one wrong-key limiter (late 401, or 429 when too many wait); a signed-in presenter is not
 * charged for a stale header.
 */
export async function admit(access: Access, auth: PresenterAuth, req: IncomingMessage): Promise<true | undefined> {
  if (access === 'public') return undefined;
  if (access === 'anyone' || access === 'presenter page') return void (await chargeWrongAuthorization(auth, req));
  if (auth.viaBearer(req)) return true;
  if (!(await auth.isSignedIn(req))) {
    const wrong = auth.hasWrongAuthorization(req);
    await chargeWrongAuthorization(auth, req);
    throw wrong ? wrongKey() : signInRequired();
  }
  if (access === 'same-origin presenter' && !isSameOrigin(req)) throw crossOrigin();
  return true;
}

/**
 * A request with a wrong key pays for it (the limiter's delay) before it is answered; throws the
 * 429 when too many wrong keys already wait.
 */
export async function chargeWrongAuthorization(auth: PresenterAuth, req: IncomingMessage): Promise<void> {
  if (!auth.hasWrongAuthorization(req)) return;
  const verdict = await auth.wrongKey(req);
  if (verdict.refused) throw tooManyWrongKeys(verdict.retryAfterS);
}
