/**
 * Signing in and out, and the short-lived token a signed-in presenter page puts in its Bayeux
 * handshake. The right key always signs in at once; a wrong one goes through the one wrong-key
 * limiter (a growing delay, a cap on guesses waiting at once: ../wrong-keys.ts), keyed by the
 * client's address through trusted proxies. Attempts another site started (a foreign page's
 * `<img src="/sign-in?key=…">`) are neither checked nor counted. The key never travels back to any page.
 */
import type { IncomingMessage } from 'node:http';
import type { PresenterAuth } from '../auth';
import { clearedSessionCookie, sessionCookie } from '../auth';
import { crossOrigin, tooManyWrongKeys, wrongKey } from './errors';
import { isForeignAttempt, isHttps, readJson } from './respond';
import { empty, json, TO_NEXT, type Reply, type RequestContext } from './router';
import { RemoteCodes } from '../remote-codes';
import { safeNext } from '../../../lib/slideshow/safe-next';

/** Where a refused sign-in link sends the browser (the sign-in page shows the reason). */
const LINK_ERRORS = { wrong: 'wrong-key', busy: 'too-many', foreign: 'cross-site', remote: 'remote-code' } as const;

/** The handlers of the session routes (their paths and access: routes.ts). */
export class SessionRoutes {
  /** Base URL of the audience page, told to presenters for the join link. */
  audienceUrl: string | undefined;
  constructor(private readonly auth: PresenterAuth, private readonly publicUrl?: string, private readonly remoteCodes = new RemoteCodes()) {}

  /**
   * `GET /api/join`: the audience link is public by nature (it is on the projector): the room
   * display on a machine that is not signed in needs it as much as the presenter does.
   */
  join(): Reply {
    return json(200, this.#join());
  }

  /** `GET /api/presenter/token`. */
  token(): Reply {
    return json(200, this.auth.issueBayeuxToken());
  }

  /** `POST /api/presenter/remote-code`. */
  remoteCode(): Reply {
    return json(201, this.#remoteCode());
  }

  /** `DELETE /api/sessions`: sign out everywhere. */
  async signOutEverywhere(): Promise<Reply> {
    await this.auth.signOutEverywhere();
    return empty(204, { 'Set-Cookie': clearedSessionCookie() });
  }

  /** `GET /sign-in?key=…` and `?remote=…`; without either it is the sign-in form, Next's page. */
  signInLinks({ req, url }: RequestContext): Promise<Reply> | Reply {
    const { searchParams } = url;
    if (searchParams.has('remote')) return this.#signInRemote(req, searchParams.get('remote')!);
    if (searchParams.has('key')) return this.#signInLink(req, searchParams.get('key')!, safeNext(searchParams.get('next')));
    return TO_NEXT;
  }

  #join(): { audienceUrl?: string; publicUrl?: string } {
    return {
      ...(this.audienceUrl ? { audienceUrl: `${this.audienceUrl}/` } : {}),
      ...(this.publicUrl ? { publicUrl: `${this.publicUrl}/` } : {}),
    };
  }

  /** `GET /api/session`: open to all (`anyone`), so a wrong Bearer key here pays like anywhere else. */
  async status({ isPresenter }: RequestContext): Promise<Reply> {
    const presenter = await isPresenter();
    if (!presenter || !this.audienceUrl) return json(200, { presenter });
    return json(200, { presenter, audienceUrl: `${this.audienceUrl}/`, ...(this.publicUrl ? { publicUrl: `${this.publicUrl}/` } : {}) });
  }

  /** `DELETE /api/session`: this cookie is revoked on the server (on every node), not only cleared. */
  async signOut({ req }: RequestContext): Promise<Reply> {
    await this.auth.signOut(req);
    return empty(204, { 'Set-Cookie': clearedSessionCookie() });
  }

  /** A one-time code and the link a phone opens with it (PUBLIC_URL or the network address, as for the audience). */
  #remoteCode(): { url: string; expiresAt: number } {
    const { code, expiresAt } = this.remoteCodes.issue();
    return { url: `${this.publicUrl ?? this.audienceUrl ?? ''}/sign-in?remote=${code}`, expiresAt };
  }

  /** The remote's link: a live code signs the phone in once; a used, expired or wrong one is refused like a wrong key. */
  async #signInRemote(req: IncomingMessage, code: string): Promise<Reply> {
    if (isForeignAttempt(req)) return linkRefused('foreign');
    if (!this.remoteCodes.redeem(code)) {
      const verdict = await this.auth.wrongKey(req);
      return linkRefused(verdict.refused ? 'busy' : 'remote');
    }
    return this.#signedIn(req, '/presenter');
  }

  /** `POST /api/session` `{ key }`. */
  async signIn({ req }: RequestContext): Promise<Reply> {
    if (isForeignAttempt(req)) throw crossOrigin();
    const key = ((await readJson(req)) as { key?: unknown } | null)?.key;
    if (!this.auth.checkKey(key)) {
      const verdict = await this.auth.wrongKey(req);
      throw verdict.refused ? tooManyWrongKeys(verdict.retryAfterS) : wrongKey();
    }
    return empty(204, { 'Set-Cookie': sessionCookie(await this.auth.issueSession(), isHttps(req)) });
  }

  /** The sign-in link the server prints: sets the cookie and drops the key from the address bar. */
  async #signInLink(req: IncomingMessage, key: string, next: string): Promise<Reply> {
    if (isForeignAttempt(req)) return linkRefused('foreign');
    if (!this.auth.checkKey(key)) {
      const verdict = await this.auth.wrongKey(req);
      return linkRefused(verdict.refused ? 'busy' : 'wrong');
    }
    return this.#signedIn(req, next);
  }

  async #signedIn(req: IncomingMessage, next: string): Promise<Reply> {
    return empty(303, { Location: next, 'Set-Cookie': sessionCookie(await this.auth.issueSession(), isHttps(req)), 'Referrer-Policy': 'no-referrer' });
  }
}

function linkRefused(why: keyof typeof LINK_ERRORS): Reply {
  return empty(303, { Location: `/sign-in?error=${LINK_ERRORS[why]}`, 'Referrer-Policy': 'no-referrer' });
}
