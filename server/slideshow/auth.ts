/**
 * Presenter authentication: the sign-in cookie and the short-lived Bayeux handshake tokens are
 * HMACs of the presenter key, so any node holding the key can check them. A cookie also names the
 * sign-out generation it was issued in, and the session ledger (session-ledger.ts) revokes: one
 * cookie on sign-out, every cookie on "sign out everywhere". Rotating the key signs everyone out
 * too. Comparisons are constant-time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TrustedProxies } from './client-address';
import { WrongKeyLimiter, type WrongKeyVerdict } from './wrong-keys';
import { FileSessionLedger, type SessionLedger } from './session-ledger';

export const SESSION_COOKIE = 'cometdeck_session';
export const SESSION_TTL_MS = 7 * 24 * 3600_000;
export const BAYEUX_TOKEN_TTL_MS = 5 * 60_000;

export interface PresenterAuthOptions {
  /** What every wrong key costs, on every route (one limiter for the whole server). */
  wrongKeys?: WrongKeyLimiter;
  /** TRUSTED_PROXIES: whose `X-Forwarded-For` names the client. */
  proxies?: TrustedProxies;
  /** What has been signed out (default: in memory). */
  sessions?: SessionLedger;
}

/** A session cookie's parts once its MAC has been checked. */
interface SessionClaims {
  id: string;
  expiresAt: number;
  generation: number;
}

export class PresenterAuth {
  readonly #key: string;
  readonly #now: () => number;
  readonly wrongKeys: WrongKeyLimiter;
  readonly proxies: TrustedProxies;
  readonly sessions: SessionLedger;

  constructor(key: string, now: () => number = Date.now, options: PresenterAuthOptions = {}) {
    this.#key = key;
    this.#now = now;
    this.wrongKeys = options.wrongKeys ?? new WrongKeyLimiter();
    this.proxies = options.proxies ?? new TrustedProxies();
    this.sessions = options.sessions ?? FileSessionLedger.inMemory(now);
  }

  /** The address limits are kept for (the client's, through trusted proxies). */
  clientAddress(req: IncomingMessage): string {
    return this.proxies.clientAddress(req.socket?.remoteAddress, req.headers);
  }

  /** A wrong key from this request's client: wait its delay, or learn that too many are waiting. */
  wrongKey(req: IncomingMessage): Promise<WrongKeyVerdict> {
    return this.wrongKeys.wrongKey(this.clientAddress(req));
  }

  /**
   * A Bearer token that is not the key: a guess. Other schemes are not ours to judge (a proxy's
   * HTTP Basic authentication passes its header on with every phone's request).
   */
  hasWrongAuthorization(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    return typeof header === 'string' && /^bearer\s/i.test(header) && !this.viaBearer(req);
  }

  /** Is `candidate` the presenter key? */
  checkKey(candidate: unknown): boolean {
    return typeof candidate === 'string' && safeEqual(candidate, this.#key);
  }

  /** `v2.<expiresAt>.<generation>.<id>.<mac>`: a new cookie, in the current sign-out generation. */
  async issueSession(): Promise<string> {
    const generation = await this.sessions.generation();
    const expiresAt = this.#now() + SESSION_TTL_MS;
    const id = randomBytes(12).toString('base64url');
    return `v2.${expiresAt}.${generation}.${id}.${this.#mac('session', expiresAt, `${generation}.${id}`)}`;
  }

  /** `DELETE /api/session`: this request's cookie stops working, here and on every node. */
  async signOut(req: IncomingMessage): Promise<void> {
    const claims = this.#sessionClaims(req);
    if (claims) await this.sessions.revoke(claims.id, claims.expiresAt);
  }

  /** `DELETE /api/sessions`: every cookie issued so far stops working. */
  async signOutEverywhere(): Promise<void> {
    await this.sessions.revokeAll();
  }

  issueBayeuxToken(): { token: string; expiresAt: number } {
    const token = this.#issue('bayeux', BAYEUX_TOKEN_TTL_MS);
    return { token, expiresAt: Number(token.split('.')[1]) };
  }

  /** A Bayeux handshake token: a live token, or the key itself (for scripts). */
  checkBayeuxToken(token: unknown): boolean {
    return typeof token === 'string' && (this.#verify('bayeux', token) || this.checkKey(token));
  }

  /** Signed in (cookie, not signed out) or `Authorization: Bearer <key>`. */
  async isPresenterRequest(req: IncomingMessage): Promise<boolean> {
    return this.viaBearer(req) || (await this.isSignedIn(req));
  }

  viaBearer(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    return typeof header === 'string' && header.startsWith('Bearer ') && this.checkKey(header.slice(7).trim());
  }

  /** A valid session cookie (not signed out). */
  async isSignedIn(req: IncomingMessage): Promise<boolean> {
    const claims = this.#sessionClaims(req);
    if (!claims) return false;
    if (claims.generation < (await this.sessions.generation())) return false;
    return !(await this.sessions.isRevoked(claims.id));
  }

  /** The cookie's claims if its MAC is right and it has not expired (revocation is the ledger's). */
  #sessionClaims(req: IncomingMessage): SessionClaims | undefined {
    const value = readCookie(req, SESSION_COOKIE);
    const parts = value?.split('.') ?? [];
    if (parts.length !== 5 || parts[0] !== 'v2') return undefined;
    const [, expires, generationText, id, mac] = parts as [string, string, string, string, string];
    const expiresAt = Number(expires);
    const generation = Number(generationText);
    if (!Number.isSafeInteger(expiresAt) || expiresAt < this.#now() || !/^\d{1,16}$/.test(generationText)) return undefined;
    return safeEqual(mac, this.#mac('session', expiresAt, `${generation}.${id}`)) ? { id, expiresAt, generation } : undefined;
  }

  /** `v1.<expiresAt>.<nonce>.<mac>`: the purpose is inside the MAC, so a token is no cookie. */
  #issue(purpose: string, ttlMs: number): string {
    const expiresAt = this.#now() + ttlMs;
    const nonce = randomBytes(12).toString('base64url');
    return `v1.${expiresAt}.${nonce}.${this.#mac(purpose, expiresAt, nonce)}`;
  }

  #verify(purpose: string, value: string): boolean {
    const parts = value.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') return false;
    const [, expires, nonce, mac] = parts as [string, string, string, string];
    const expiresAt = Number(expires);
    if (!Number.isSafeInteger(expiresAt) || expiresAt < this.#now()) return false;
    return safeEqual(mac, this.#mac(purpose, expiresAt, nonce));
  }

  #mac(purpose: string, expiresAt: number, nonce: string): string {
    return createHmac('sha256', this.#key).update(`${purpose}|${expiresAt}|${nonce}`).digest('base64url');
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
