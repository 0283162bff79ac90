/**
 * One-time codes that sign a phone in as the presenter's remote ("Use my phone as a remote"): the
 * presenter view shows one as a QR code, the phone opens it and gets its own session cookie. The
 * presenter key itself never goes into a QR code (a photo of the screen would give it away for
 * good); a code works once, expires in minutes, and only a few are outstanding at any time.
 *
 * Kept in this node's memory: with several nodes, the phone must reach the node that issued the
 * code (docs/deploy.md). Comparisons are constant-time against every outstanding code.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const REMOTE_CODE_TTL_MS = 3 * 60_000;
/** Outstanding codes at most: issuing another drops the oldest. */
export const MAX_REMOTE_CODES = 4;

interface Outstanding {
  readonly code: Buffer;
  readonly expiresAt: number;
}

export class RemoteCodes {
  #codes: Outstanding[] = [];

  constructor(private readonly now: () => number = Date.now, private readonly ttlMs = REMOTE_CODE_TTL_MS) {}

  issue(): { code: string; expiresAt: number } {
    this.#dropExpired();
    const code = randomBytes(18).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.#codes.push({ code: Buffer.from(code), expiresAt });
    if (this.#codes.length > MAX_REMOTE_CODES) this.#codes.shift();
    return { code, expiresAt };
  }

  /** True once for a live code, which is then used up; false for anything else. */
  redeem(candidate: unknown): boolean {
    this.#dropExpired();
    if (typeof candidate !== 'string' || candidate.length > 64) return false;
    const given = Buffer.from(candidate);
    let found: Outstanding | undefined;
    // Compare with every code, not stopping at a match: the time taken tells nothing.
    for (const entry of this.#codes) {
      if (entry.code.length === given.length && timingSafeEqual(entry.code, given)) found = entry;
    }
    if (!found) return false;
    this.#codes = this.#codes.filter((entry) => entry !== found);
    return true;
  }

  get outstanding(): number {
    this.#dropExpired();
    return this.#codes.length;
  }

  #dropExpired(): void {
    const now = this.now();
    this.#codes = this.#codes.filter((entry) => entry.expiresAt > now);
  }
}
