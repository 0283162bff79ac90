/**
 * Signing in and out, and the short-lived token a signed-in presenter page puts in its Bayeux
 * handshake. A wrong key costs the caller a delay, and repeated failures from one address are
 * refused for a while, so guessing is slow; the key never travels back to any page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PresenterAuth } from '../auth';
import { clearedSessionCookie, sessionCookie, wrongKeyDelay } from '../auth';
import { requirePresenter } from './guard';
import { isHttps, isSameOrigin, readJson, sendEmpty, sendError, sendJson } from './respond';
import { FailureThrottle } from './throttle';
import { RemoteCodes } from '../remote-codes';
import { safeNext } from '../../../lib/slideshow/safe-next';

export class SessionRoutes {
  readonly #throttle = new FailureThrottle(10, 10 * 60_000);
  /** Base URL of the audience page, told to presenters for the join link. */
  audienceUrl: string | undefined;
  constructor(private readonly auth: PresenterAuth, private readonly publicUrl?: string, private readonly remoteCodes = new RemoteCodes()) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const { pathname } = url;
    if (pathname === '/api/session') {
      if (req.method === 'GET') sendJson(res, 200, this.#status(req));
      else if (req.method === 'POST') await this.#signIn(req, res);
      else if (req.method === 'DELETE') sendEmpty(res, 204, { 'Set-Cookie': clearedSessionCookie() });
      else sendError(res, 405, 'use GET, POST or DELETE');
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

  #status(req: IncomingMessage): { presenter: boolean; audienceUrl?: string; publicUrl?: string } {
    const presenter = this.auth.isPresenterRequest(req);
    if (!presenter || !this.audienceUrl) return { presenter };
    return { presenter, audienceUrl: `${this.audienceUrl}/`, ...(this.publicUrl ? { publicUrl: `${this.publicUrl}/` } : {}) };
  }

  /** A one-time code and the link a phone opens with it (PUBLIC_URL or the network address, as for the audience). */
  #remoteCode(): { url: string; expiresAt: number } {
    const { code, expiresAt } = this.remoteCodes.issue();
    return { url: `${this.publicUrl ?? this.audienceUrl ?? ''}/sign-in?remote=${code}`, expiresAt };
  }

  /** The remote's link: a live code signs the phone in once; a used, expired or wrong one is refused like a wrong key. */
  async #signInRemote(req: IncomingMessage, res: ServerResponse, code: string): Promise<void> {
    const address = clientAddress(req);
    if (this.#throttle.blocked(address) || !this.remoteCodes.redeem(code)) {
      this.#throttle.fail(address);
      await wrongKeyDelay();
      return sendEmpty(res, 303, { Location: '/sign-in?error=remote-code', 'Referrer-Policy': 'no-referrer' });
    }
    sendEmpty(res, 303, { Location: '/presenter', 'Set-Cookie': sessionCookie(this.auth.issueSession(), isHttps(req)), 'Referrer-Policy': 'no-referrer' });
  }

  async #signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.origin !== undefined && !isSameOrigin(req)) return sendError(res, 403, 'cross-origin request refused');
    const body = await readJson(req);
    if (!body.ok) return sendError(res, body.status, body.error);
    const key = (body.value as { key?: unknown } | null)?.key;
    if (!(await this.#accept(req, key))) return sendError(res, this.#throttle.blocked(clientAddress(req)) ? 429 : 401, 'wrong presenter key');
    sendEmpty(res, 204, { 'Set-Cookie': sessionCookie(this.auth.issueSession(), isHttps(req)) });
  }

  /** The sign-in link the server prints: sets the cookie and drops the key from the address bar. */
  async #signInLink(req: IncomingMessage, res: ServerResponse, key: string, next: string): Promise<void> {
    if (!(await this.#accept(req, key))) return sendEmpty(res, 303, { Location: '/sign-in?error=wrong-key' });
    sendEmpty(res, 303, { Location: next, 'Set-Cookie': sessionCookie(this.auth.issueSession(), isHttps(req)), 'Referrer-Policy': 'no-referrer' });
  }

  async #accept(req: IncomingMessage, key: unknown): Promise<boolean> {
    const address = clientAddress(req);
    if (!this.#throttle.blocked(address) && this.auth.checkKey(key)) return true;
    this.#throttle.fail(address);
    await wrongKeyDelay();
    return false;
  }
}

function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
