/**
 * From raw receipts to the numbers of the report: latency percentiles over every delivery, the
 * time until the last phone had each slide, what was lost, duplicated or reordered.
 */
export interface Send {
  k: number;
  seq: number;
  slide: number;
  /** Presenter's clock (CLOCK_MONOTONIC, ms) when it sent the change. */
  sentAt: number;
  ackMs: number | null;
  ok: boolean;
  error?: string;
}

export interface LoadgenReport {
  /** Per seq: receipt times, one per phone that had it (a superseded change: the newer state's receipt). */
  times: Record<string, number[]>;
  missing: Record<string, number>;
  /** Per seq: phones sent a newer state carrying this change's slide in its history instead (latest wins). */
  superseded: Record<string, number>;
  /** Per seq: copies beyond the first, arrivals after a newer seq, data of another slide. */
  duplicates: Record<string, number>;
  /** Per seq (ack only): copies the server sent again for a batch not yet acknowledged, which the page's store drops (seq not newer). */
  resent?: Record<string, number>;
  outOfOrder: Record<string, number>;
  wrongSlide: Record<string, number>;
  unparsable: number;
  examples: Array<{ phone: string; seq: number }>;
  stats: { errors: number; rehandshakes: number; reconnects: number; dropped: number; lastError: string; acking?: number };
  frames: number;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Delivery {
  phones: number;
  slides: number;
  expected: number;
  /** Changes received as they were published. */
  delivered: number;
  /**
   * Changes a phone got folded into a newer one (latest wins), counted as had when that arrived:
   * in the latencies, the last phone's time and the rates (per delivery, per second) alike.
   */
  superseded: number;
  lost: number;
  duplicates: number;
  /** Ack only: copies sent again before an acknowledgement, dropped by the page's store (not duplicates it shows). */
  resent: number;
  outOfOrder: number;
  wrongSlide: number;
  lostExamples: string[];
  /** Receipt time minus the presenter's send time, over every delivery. */
  latency: Percentiles | undefined;
  /** Per slide: until the last phone had it (ms after the send); undefined if a phone never did. */
  lastPhone: Array<number | undefined>;
  lastPhoneMedian: number | undefined;
  lastPhoneMax: number | undefined;
  /** From the first send of the phase to the last delivery. */
  completeMs: number | undefined;
  ack: Percentiles | undefined;
  ackFailures: string[];
  deliveriesPerSecond: number | undefined;
  /** The phase on the bench clock (CLOCK_MONOTONIC ms): first send, last receipt. For bench/profile-summary.mjs. */
  firstSendAt: number;
  lastReceiptAt: number | undefined;
}

export function percentiles(values: ArrayLike<number>): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

export function median(values: number[]): number | undefined {
  return percentiles(values)?.p50;
}

export function summarize(sends: Send[], reports: LoadgenReport[], phones: number): Delivery {
  const seqs = new Set(sends.map((s) => s.seq));
  const latencies: number[] = [];
  const lastPhone: Array<number | undefined> = [];
  let delivered = 0;
  let superseded = 0;
  let lost = 0;
  let lastReceipt = -Infinity;
  for (const send of sends) {
    let last = -Infinity;
    let missing = 0;
    for (const report of reports) {
      missing += report.missing[send.seq] ?? 0;
      for (const t of report.times[send.seq] ?? []) {
        latencies.push(t - send.sentAt);
        if (t > last) last = t;
      }
    }
    const got = reports.reduce((sum, report) => sum + (report.times[send.seq]?.length ?? 0), 0);
    const folded = reports.reduce((sum, report) => sum + (report.superseded?.[send.seq] ?? 0), 0);
    delivered += got - folded;
    superseded += folded;
    lost += missing;
    lastPhone.push(missing === 0 && got > 0 ? last - send.sentAt : undefined);
    if (last > lastReceipt) lastReceipt = last;
  }
  // A slide some phone never got took forever to reach all phones.
  const perSlide = lastPhone.map((v) => v ?? Number.POSITIVE_INFINITY);
  const firstSend = Math.min(...sends.map((s) => s.sentAt));
  const acks = sends.map((s) => s.ackMs).filter((v): v is number => v !== null);
  const spanSeconds = (lastReceipt - firstSend) / 1000;
  return {
    phones,
    slides: sends.length,
    expected: phones * sends.length,
    delivered,
    superseded,
    lost,
    duplicates: count(sends, reports, (r) => r.duplicates),
    resent: count(sends, reports, (r) => r.resent ?? {}),
    outOfOrder: count(sends, reports, (r) => r.outOfOrder),
    wrongSlide: count(sends, reports, (r) => r.wrongSlide),
    lostExamples: reports.flatMap((r) => r.examples.filter((e) => seqs.has(e.seq)).map((e) => `${e.phone} seq ${e.seq}`)).slice(0, 5),
    latency: percentiles(latencies),
    lastPhone,
    lastPhoneMedian: finite(median(perSlide)),
    lastPhoneMax: finite(Math.max(...perSlide)),
    completeMs: lost === 0 && Number.isFinite(lastReceipt) ? lastReceipt - firstSend : undefined,
    ack: percentiles(acks),
    ackFailures: sends.filter((s) => !s.ok).map((s) => `seq ${s.seq}: ${s.error ?? 'failed'}`),
    deliveriesPerSecond: spanSeconds > 0 ? (delivered + superseded) / spanSeconds : undefined,
    firstSendAt: firstSend,
    lastReceiptAt: Number.isFinite(lastReceipt) ? lastReceipt : undefined,
  };
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** Add up a per-seq counter over the sends of a phase and every load generator. */
function count(sends: Send[], reports: LoadgenReport[], of: (report: LoadgenReport) => Record<string, number>): number {
  let total = 0;
  for (const report of reports) for (const send of sends) total += of(report)[send.seq] ?? 0;
  return total;
}

export function round(value: number | undefined, digits = 1): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
