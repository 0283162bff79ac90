/**
 * At most `running` conversions at once and at most `waiting` more in line; beyond that an upload
 * is refused at once rather than queued without bound. A waiter that is cancelled leaves the line.
 */
export type Slot = { ok: true; release: () => void } | { ok: false; reason: 'full' | 'aborted' };

export class SlotQueue {
  #running = 0;
  readonly #line: Array<() => void> = [];

  constructor(private readonly running: number, private readonly waiting: number) {}

  async acquire(signal?: AbortSignal): Promise<Slot> {
    if (signal?.aborted) return { ok: false, reason: 'aborted' };
    if (this.#running < this.running) return this.#grant();
    if (this.#line.length >= this.waiting) return { ok: false, reason: 'full' };
    return new Promise<Slot>((resolve) => {
      const onAbort = (): void => {
        this.#line.splice(this.#line.indexOf(wake), 1);
        resolve({ ok: false, reason: 'aborted' });
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.#grant());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#line.push(wake);
    });
  }

  #grant(): Slot {
    this.#running++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#running--;
        if (this.#running < this.running) this.#line.shift()?.();
      },
    };
  }
}
