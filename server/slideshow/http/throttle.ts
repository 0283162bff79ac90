/**
 * Counts failures per client address in a sliding window; bounded so a flood of addresses cannot
 * grow it without limit (the oldest entries go first).
 */
export class FailureThrottle {
  readonly #failures = new Map<string, number[]>();

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly maxAddresses = 10_000, private readonly now: () => number = Date.now) {}

  fail(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.now());
    this.#failures.delete(address);
    this.#failures.set(address, recent);
    if (this.#failures.size > this.maxAddresses) this.#failures.delete(this.#failures.keys().next().value!);
  }

  blocked(address: string): boolean {
    return this.#recent(address).length >= this.limit;
  }

  #recent(address: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.#failures.get(address) ?? []).filter((time) => time > since);
  }
}
