/**
 * Delivers published events to their recipients in time slices, in publish order.
 *
 * Why slices: writing one slide change to 10,000 phones takes ~100 ms of one core. Done in one go,
 * everything else waits behind it: the presenter's next click (the issue: its acknowledgement must
 * come within 5 ms while the phones are served, not after them), new phones, pings. So a fan-out
 * runs for at most `sliceMs`, then lets the event loop serve I/O (setImmediate) and goes on.
 *
 * Why in order: a phone must see the changes in the order they were published, so a publish made
 * while an earlier fan-out is still running waits behind it entirely. Recipients are fixed when
 * the event is published (a phone subscribing a moment later is not sent it; one removed meanwhile
 * is skipped by `deliver`). A fan-out that fits in one slice, the usual case below a few thousand
 * recipients, is delivered before `push` returns, with no copy of the recipient set.
 */
import type { Outgoing } from './outgoing';
import type { ServerSession } from './session';

/** A slice: short enough that a publish waiting behind a fan-out is answered within 5 ms. */
export const FAN_OUT_SLICE_MS = 4;
/** Checking the clock costs little, but not nothing: look every this many deliveries. */
const CLOCK_EVERY = 64;
/** Fan-outs waiting at most; beyond, the oldest is finished at once (bounded memory over latency). */
const MAX_WAITING = 1_000;

interface Job {
  readonly event: Outgoing;
  readonly recipients: ServerSession[];
  next: number;
}

export class FanOut {
  readonly #sliceMs: number;
  readonly #waiting: Job[] = [];
  #scheduled = false;

  constructor(sliceMs: number) {
    this.#sliceMs = sliceMs;
  }

  /** Fan-outs not finished yet. */
  get backlog(): number {
    return this.#waiting.length;
  }

  push(event: Outgoing, recipients: ReadonlySet<ServerSession>): void {
    if (recipients.size === 0) return;
    if (this.#waiting.length > 0) {
      this.#waiting.push({ event, recipients: [...recipients], next: 0 });
      if (this.#waiting.length > MAX_WAITING) this.#finish(this.#waiting.shift()!);
      return;
    }
    const deadline = performance.now() + this.#sliceMs;
    const iterator = recipients.values();
    let count = 0;
    for (let step = iterator.next(); !step.done; step = iterator.next()) {
      step.value.deliver(event);
      if (++count % CLOCK_EVERY === 0 && performance.now() > deadline) {
        const rest = [...iterator];
        if (rest.length > 0) this.#queue({ event, recipients: rest, next: 0 });
        return;
      }
    }
  }

  #queue(job: Job): void {
    this.#waiting.push(job);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#runSlice());
  }

  #runSlice(): void {
    this.#scheduled = false;
    const deadline = performance.now() + this.#sliceMs;
    let count = 0;
    while (this.#waiting.length > 0) {
      const job = this.#waiting[0]!;
      const { event, recipients } = job;
      while (job.next < recipients.length) {
        recipients[job.next++]!.deliver(event);
        if (++count % CLOCK_EVERY === 0 && performance.now() > deadline) return this.#schedule();
      }
      this.#waiting.shift();
    }
  }

  #finish(job: Job): void {
    while (job.next < job.recipients.length) job.recipients[job.next++]!.deliver(job.event);
  }
}
