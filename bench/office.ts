/**
 * `npm run bench -- --section office`: a 30-slide PowerPoint deck through `POST /api/decks` on the
 * real production server (server/index.ts), as a presenter uploads it: LibreOffice converts it,
 * the PDF is rendered, the notes are read. The deck is made by soffice from a generated flat ODP.
 *
 * While each upload runs, a probe asks the server for `GET /api/live` over and over (one request
 * in flight, the next 10 ms after each answer) and records each answer's time: the event loop
 * pauses at most that long (an upper bound; it includes the loopback round trip). Target: the
 * server's event loop never pauses over 100 ms while it converts and renders.
 */
import os from 'node:os';
import type { UploadProgress } from '../lib/slideshow/index';
import { startApp, type AppProcess } from '../tests/helpers/app-process';
import { type FodpSlide, officeFile } from '../tests/helpers/office-fixtures';
import { machineInfo, type Machine } from './proc';
import { percentiles } from './stats';

export const OFFICE_SLIDES = 30;
export const OFFICE_RUNS = 3;
export const OFFICE_TARGETS = { maxPauseMs: 100 };
const PRESENTER_KEY = 'bench-office-presenter-key-0123';
const PROBE_EVERY_MS = 10;

export interface OfficeRun {
  totalMs: number;
  /** From the first `converting` line to the first `rendering` line. */
  convertMs: number;
  renderMs: number;
  slides: number;
  slidesWithNotes: number;
  probes: number;
  /** Longest `/api/live` answer while the upload ran. */
  maxAnswerMs: number;
  p99AnswerMs: number;
}

export interface OfficeRecord {
  date: string;
  command: string;
  code: string;
  durationSeconds: number;
  machine: Machine;
  pptxBytes: number;
  /** 1-minute load average before and after the runs: above the core count, others were competing for the CPU. */
  load: { before: number; after: number };
  runs: OfficeRun[];
  error?: string;
}

/** Thirty slides: a title, four bullets, and two lines of notes each. */
export function benchSlides(count = OFFICE_SLIDES): FodpSlide[] {
  return Array.from({ length: count }, (_, i) => ({
    title: `Slide ${i + 1}: why live slides need a bounded queue, and what happens when it is full`,
    notes: [`Notes for slide ${i + 1}: say why this matters.`, 'Then take one question.'],
  }));
}

export async function runOfficeBench(options: { code: string; command: string; log: (line: string) => void }): Promise<OfficeRecord> {
  const started = performance.now();
  const record: OfficeRecord = { date: new Date().toISOString(), command: options.command, code: options.code, durationSeconds: 0, machine: machineInfo(), pptxBytes: 0, load: { before: os.loadavg()[0]!, after: NaN }, runs: [] };
  let app: AppProcess | undefined;
  try {
    const pptx = await officeFile(benchSlides(), 'pptx');
    record.pptxBytes = pptx.length;
    app = await startApp({ PRESENTER_KEY });
    for (let i = 0; i < OFFICE_RUNS; i++) {
      const run = await measureUpload(app.url, pptx);
      options.log(`office run ${i + 1}: ${run.totalMs.toFixed(0)} ms (convert ${run.convertMs.toFixed(0)}, render ${run.renderMs.toFixed(0)}), longest /api/live answer ${run.maxAnswerMs.toFixed(1)} ms over ${run.probes} probes`);
      record.runs.push(run);
    }
  } catch (error) {
    record.error = error instanceof Error ? error.stack ?? error.message : String(error);
  } finally {
    await app?.stop();
  }
  record.load.after = os.loadavg()[0]!;
  record.durationSeconds = Math.round((performance.now() - started) / 1000);
  return record;
}

async function measureUpload(url: string, pptx: Buffer): Promise<OfficeRun> {
  const probe = startProbe(url);
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(pptx)]), 'bench.pptx');
  const t0 = performance.now();
  const response = await fetch(`${url}/api/decks`, { method: 'POST', headers: { authorization: `Bearer ${PRESENTER_KEY}`, accept: 'application/x-ndjson' }, body: form, signal: AbortSignal.timeout(300_000) });
  const firstAt = new Map<string, number>();
  let last: UploadProgress | undefined;
  for await (const line of ndjsonLines(response)) {
    last = JSON.parse(line) as UploadProgress;
    if (last.type === 'progress' && !firstAt.has(last.stage)) firstAt.set(last.stage, performance.now());
  }
  const t1 = performance.now();
  const answers = await probe.stop();
  if (last?.type !== 'done') throw new Error(`upload failed: ${JSON.stringify(last)}`);
  const detail = (await (await fetch(`${url}/api/decks/${last.deck.id}`, { headers: { authorization: `Bearer ${PRESENTER_KEY}` } })).json()) as { slides: Array<{ notes?: string }> };
  await fetch(`${url}/api/decks/${last.deck.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${PRESENTER_KEY}` } });
  const stats = percentiles(answers);
  return {
    totalMs: t1 - t0,
    convertMs: (firstAt.get('rendering') ?? t1) - (firstAt.get('converting') ?? t0),
    renderMs: t1 - (firstAt.get('rendering') ?? t1),
    slides: last.deck.count,
    slidesWithNotes: detail.slides.filter((slide) => slide.notes).length,
    probes: answers.length,
    maxAnswerMs: stats?.max ?? NaN,
    p99AnswerMs: stats?.p99 ?? NaN,
  };
}

/** Sequential `GET /api/live` until stopped; resolves with each answer's time (ms). */
function startProbe(url: string): { stop(): Promise<number[]> } {
  const answers: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      await (await fetch(`${url}/api/live`)).arrayBuffer();
      answers.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  return { stop: async () => ((running = false), await loop, answers) };
}

async function* ndjsonLines(response: Response): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    yield* lines.filter(Boolean);
  }
  if (buffered.trim()) yield buffered;
}
