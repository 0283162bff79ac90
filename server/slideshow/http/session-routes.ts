/**
 * Signing in and out, and the short-lived token a signed-in presenter page puts in its Bayeux
 * handshake. The right key always signs in at once; a wrong one goes through the one wrong-key
 * limiter (a growing delay, a cap on guesses waiting at once: ../wrong-keys.ts), keyed by the
 * client's address through trusted proxies. Attempts another site started (a foreign page's
 * `<img src="/sign-in?key=…">`) are neither checked nor counted. The key never travels back to any page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PresenterAuth } from '../auth';
import { clearedSessionCookie, sessionCookie } from '../auth';
import { chargeWrongAuthorization, requirePresenter } from './guard';
import { isForeignAttempt, isHttps, readJson, sendEmpty, sendError, sendJson, sendTooManyGuesses } from './respond';
import { RemoteCodes } from '../remote-codes';
import { safeNext } from '../../../lib/slideshow/safe-next';

/** Where a refused sign-in link sends the browser (the sign-in page shows the reason). */
const LINK_ERRORS = { wrong: 'wrong-key', busy: 'too-many', foreign: 'cross-site', remote: 'remote-code' } as const;

export class SessionRoutes {
  /** Base URL of the audience page, told to presenters for the join link. */
  audienceUrl: string | undefined;
  constructor(private readonly auth: PresenterAuth, private readonly publicUrl?: string, private readonly remoteCodes = new RemoteCodes()) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const { pathname } = url;
    if (pathname === '/api/session') {
      if (req.method === 'GET') await this.#status(req, res);
      else if (req.method === 'POST') await this.#signIn(req, res);
      else if (req.method === 'DELETE') await this.#signOut(req, res);
      else sendError(res, 405, 'use GET, POST or DELETE');
      return true;
    }
    if (pathname === '/api/sessions') {
      if (req.method !== 'DELETE') sendError(res, 405, 'use DELETE');
      else if (await requirePresenter(this.auth, req, res)) {
        await this.auth.signOutEverywhere();
        sendEmpty(res, 204, { 'Set-Cookie': clearedSessionCookie() });
      }
      return true;
    }
    if (pathname === '/api/join') {
      // The audience link is public by nature (it is on the projector): the room display on a
      // machine that is not signed in needs it as much as the presenter does.
      if (req.method === 'GET') sendJson(res, 200, this.#join());
      else sendError(res, 405, 'use GET');
      return true;
    }
    if (pathname === '/api/presenter/token' && req.method === 'GET') {
      if (await requirePresenter(this.auth, req, res)) sendJson(res, 200, this.auth.issueBayeuxToken());
      return true;
    }
    if (pathname === '/api/presenter/remote-code') {
      if (req.method !== 'POST') sendError(res, 405, 'use POST');
      else if (await requirePresenter(this.auth, req, res)) sendJson(res, 201, this.#remoteCode());
      return true;
    }
    if (pathname === '/sign-in' && req.method === 'GET' && url.searchParams.has('remote')) {
      await this.#signInRemote(req, res, url.searchParams.get('remote')!);
      return true;
    }
    if (pathname === '/sign-in' && req.method === 'GET' && url.searchParams.has('key')) {
      await this.#signInLink(req, res, url.searchParams.get('key')!, safeNext(url.searchParams.get('next')));
      return true;
    }
    return false;
  }

  #join(): { audienceUrl?: string; publicUrl?: string } {
    return {
      ...(this.audienceUrl ? { audienceUrl: `${this.audienceUrl}/` } : {}),
      ...(this.publicUrl ? { publicUrl: `${this.publicUrl}/` } : {}),
    };
  }

  /** `GET /api/session`: open to all, so a wrong Bearer key here pays like anywhere else. */
  async #status(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(await chargeWrongAuthorization(this.auth, req, res))) return;
    const presenter = this.auth.viaBearer(req) || (await this.auth.isSignedIn(req));
    if (!presenter || !this.audienceUrl) return sendJson(res, 200, { presenter });
    sendJson(res, 200, { presenter, audienceUrl: `${this.audienceUrl}/`, ...(this.publicUrl ? { publicUrl: `${this.publicUrl}/` } : {}) });
  }

  /** `DELETE /api/session`: this cookie is revoked on the server (on every node), not only cleared. */
  async #signOut(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await this.auth.signOut(req);
    sendEmpty(res, 204, { 'Set-Cookie': clearedSessionCookie() });
  }

  /** A one-time code and the link a phone opens with it (PUBLIC_URL or the network address, as for the audience). */
  #remoteCode(): { url: string; expiresAt: number } {
    const { code, expiresAt } = this.remoteCodes.issue();
    return { url: `${this.publicUrl ?? this.audienceUrl ?? ''}/sign-in?remote=${code}`, expiresAt };
  }

  /** The remote's link: a live code signs the phone in once; a used, expired or wrong one is refused like a wrong key. */
  async #signInRemote(req: IncomingMessage, res: ServerResponse, code: string): Promise<void> {
    if (isForeignAttempt(req)) return this.#linkRefused(res, 'foreign');
    if (!this.remoteCodes.redeem(code)) {
      const verdict = await this.auth.wrongKey(req);
      return this.#linkRefused(res, verdict.refused ? 'busy' : 'remote');
    }
    await this.#signedIn(req, res, '/presenter');
  }

  async #signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (isForeignAttempt(req)) return sendError(res, 403, 'cross-origin request refused');
    const body = await readJson(req);
    if (!body.ok) return sendError(res, body.status, body.error);
    const key = (body.value as { key?: unknown } | null)?.key;
    if (!this.auth.checkKey(key)) {
      const verdict = await this.auth.wrongKey(req);
      return verdict.refused ? sendTooManyGuesses(res, verdict.retryAfterS) : sendError(res, 401, 'wrong presenter key');
    }
    sendEmpty(res, 204, { 'Set-Cookie': sessionCookie(await this.auth.issueSession(), isHttps(req)) });
  }

  /** The sign-in link the server prints: sets the cookie and drops the key from the address bar. */
  async #signInLink(req: IncomingMessage, res: ServerResponse, key: string, next: string): Promise<void> {
    if (isForeignAttempt(req)) return this.#linkRefused(res, 'foreign');
    if (!this.auth.checkKey(key)) {
      const verdict = await this.auth.wrongKey(req);
      return this.#linkRefused(res, verdict.refused ? 'busy' : 'wrong');
    }
    await this.#signedIn(req, res, next);
  }

  async #signedIn(req: IncomingMessage, res: ServerResponse, next: string): Promise<void> {
    sendEmpty(res, 303, { Location: next, 'Set-Cookie': sessionCookie(await this.auth.issueSession(), isHttps(req)), 'Referrer-Policy': 'no-referrer' });
  }

  #linkRefused(res: ServerResponse, why: keyof typeof LINK_ERRORS): void {
    sendEmpty(res, 303, { Location: `/sign-in?error=${LINK_ERRORS[why]}`, 'Referrer-Policy': 'no-referrer' });
  }
}
