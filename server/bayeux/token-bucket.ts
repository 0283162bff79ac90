/**
 * A token bucket: `burst` tokens at first, refilled at `rate` a second, one taken per action. Lets
 * a client act in short bursts and then at a steady pace, never faster: the handshake budget of a
 * client address and the subscribe budget of a session.
 */
export class TokenBucket {
  #tokens: number;
  /** When `#tokens` was last brought up to date (ms). */
  #at: number;

  constructor(readonly rate: number, readonly burst: number, now: number) {
    this.#tokens = burst;
    this.#at = now;
  }

  /** Take one token if there is one; false when the budget is spent for now. */
  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Back to a full budget: nothing about it is worth remembering. */
  isFull(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.burst;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.burst, this.#tokens + (Math.max(0, now - this.#at) * this.rate) / 1000);
    this.#at = now;
  }
}
