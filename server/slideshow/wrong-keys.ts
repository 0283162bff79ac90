/**
 * What a wrong presenter key costs, wherever it is tried (sign-in form and link, remote codes,
 * Bearer on any route, the Bayeux handshake token): one limiter, so no route is a faster oracle.
 *
 * A wrong key waits `delayMs`, doubled for every `failuresPerStep` recent failures from the same
 * address (up to `maxDoublings`), and only `perAddress` wrong keys from one address (`total` from
 * everyone) may be waiting at once: a guess beyond that is refused at once (429 with Retry-After)
 * instead of queueing, so neither parallel requests nor many addresses buy speed, and waiting
 * guesses cannot pile up timers. The right key is never asked about: it always goes through at
 * once, however many wrong ones came before it from the same address (a shared proxy address
 * must never lock the presenter out).
 */
export interface WrongKeyOptions {
  delayMs: number;
  failuresPerStep: number;
  maxDoublings: number;
  /** Recent = within this window. */
  windowMs: number;
  perAddress: number;
  total: number;
  /** Addresses remembered at most (the oldest are forgotten first). */
  maxAddresses: number;
  /** Injectable for tests: the wait itself, and the clock of the failure window. */
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export const DEFAULT_WRONG_KEY_OPTIONS: WrongKeyOptions = {
  delayMs: 750,
  failuresPerStep: 10,
  maxDoublings: 4,
  windowMs: 10 * 60_000,
  perAddress: 2,
  total: 32,
  maxAddresses: 10_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: Date.now,
};

export type WrongKeyVerdict = { refused: false; waitedMs: number } | { refused: true; retryAfterS: number };

export class WrongKeyLimiter {
  readonly options: WrongKeyOptions;
  readonly #failures = new Map<string, number[]>();
  readonly #waiting = new Map<string, number>();
  #waitingTotal = 0;

  constructor(options: Partial<WrongKeyOptions> = {}) {
    this.options = { ...DEFAULT_WRONG_KEY_OPTIONS, ...options };
  }

  /** A wrong key came from `address`: resolves after its delay, or at once if too many are already waiting. */
  async wrongKey(address: string): Promise<WrongKeyVerdict> {
    const { perAddress, total, sleep } = this.options;
    const waiting = this.#waiting.get(address) ?? 0;
    if (waiting >= perAddress || this.#waitingTotal >= total) return { refused: true, retryAfterS: Math.max(1, Math.ceil(this.delayFor(address) / 1000)) };
    const delay = this.delayFor(address);
    this.#recordFailure(address);
    this.#waiting.set(address, waiting + 1);
    this.#waitingTotal += 1;
    try {
      await sleep(delay);
    } finally {
      this.#waitingTotal -= 1;
      const left = (this.#waiting.get(address) ?? 1) - 1;
      if (left === 0) this.#waiting.delete(address);
      else this.#waiting.set(address, left);
    }
    return { refused: false, waitedMs: delay };
  }

  /** The delay the next wrong key from `address` would wait. */
  delayFor(address: string): number {
    const { delayMs, failuresPerStep, maxDoublings } = this.options;
    const doublings = Math.min(maxDoublings, Math.floor(this.#recent(address).length / failuresPerStep));
    return delayMs * 2 ** doublings;
  }

  #recordFailure(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.options.now());
    // Re-inserted so the map's order is "least recently failed first", which is what is dropped.
    this.#failures.delete(address);
    this.#failures.set(address, recent.slice(-this.options.failuresPerStep * (this.options.maxDoublings + 1)));
    if (this.#failures.size > this.options.maxAddresses) this.#failures.delete(this.#failures.keys().next().value!);
  }

  #recent(address: string): number[] {
    const since = this.options.now() - this.options.windowMs;
    return (this.#failures.get(address) ?? []).filter((time) => time > since);
  }
}
