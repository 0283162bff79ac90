/**
 * `npm run bench -- --section office`: a 30-slide PowerPoint deck through `POST /api/decks` on the
 * real production server (server/index.ts), as a presenter uploads it: LibreOffice converts it,
 * the PDF is rendered, the notes are read. The deck is made by soffice from a generated flat ODP.
 *
 * The server's event loop is watched two ways while each upload runs: from inside, by
 * `monitorEventLoopDelay` preloaded into the server (bench/event-loop-probe.mjs, read on SIGUSR2),
 * and from outside, by a probe asking for `GET /api/live` over and over (one request in flight, the
 * next 10 ms after each answer), whose longest answer bounds the pause as a phone would feel it
 * (loopback round trip included). Target: no pause over 100 ms while it converts and renders.
 * The probe also reports, for the longest pause, how long the main thread ran, waited for a CPU
 * and collected garbage meanwhile; and the PDF render child's peak resident memory is sampled.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { UploadProgress } from '../lib/slideshow/index';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startApp, type AppProcess } from '../support/app-process';
import { type FodpSlide, officeFile } from '../support/office-fixtures';
import { machineInfo, type Machine } from './proc';
import { percentiles } from './stats';

export const OFFICE_SLIDES = 30;
export const OFFICE_RUNS = 3;
export const OFFICE_TARGETS = { maxPauseMs: 100 };
const PRESENTER_KEY = 'bench-office-presenter-key-0123';
const PROBE_EVERY_MS = 10;
const SETTLED_MS = 30;
const SETTLE_LIMIT_MS = 20_000;
const EVENT_LOOP_PROBE = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'event-loop-probe.mjs')).href;

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
  /** The server's own event-loop delay histogram over the upload (monitorEventLoopDelay, 10 ms resolution). */
  loopMaxMs: number;
  loopP99Ms: number;
  /** The longest pause the probe's 10 ms timer saw, and what the main thread did during it. */
  longestGap: PauseBreakdown;
  /** Highest resident memory (VmHWM) of the PDF render child, MB. */
  renderPeakRssMb: number;
}

export interface PauseBreakdown {
  gapMs: number;
  /** On a CPU. */
  ranMs: number;
  /** Runnable but waiting for a CPU. */
  waitedMs: number;
  /** Garbage collection, by perf_hooks 'gc' entries. */
  gcMs: number;
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
  /** From listening until half a second without a pause over 30 ms (Next preloads its pages meanwhile). */
  settledMs?: number;
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
    app = await startApp({ PRESENTER_KEY, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${EVENT_LOOP_PROBE}`.trim() });
    record.settledMs = await settled(app);
    options.log(`office: server settled ${record.settledMs} ms after listening`);
    for (let i = 0; i < OFFICE_RUNS; i++) {
      await serverLoopDelay(app); // resets the histogram
      const run = await measureUpload(app, pptx);
      Object.assign(run, await serverLoopDelay(app));
      const gap = run.longestGap;
      options.log(`office run ${i + 1}: ${run.totalMs.toFixed(0)} ms (convert ${run.convertMs.toFixed(0)}, render ${run.renderMs.toFixed(0)}), server event-loop delay max ${run.loopMaxMs} ms (longest gap ${gap.gapMs.toFixed(0)} ms: ran ${gap.ranMs.toFixed(0)}, waited for a CPU ${gap.waitedMs.toFixed(0)}, GC ${gap.gcMs.toFixed(0)}), longest /api/live answer ${run.maxAnswerMs.toFixed(1)} ms over ${run.probes} probes, render child peak ${run.renderPeakRssMb} MB`);
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

async function measureUpload(app: AppProcess, pptx: Buffer): Promise<OfficeRun> {
  const url = app.url;
  const probe = startProbe(url);
  const children = watchRenderChildren(app.child.pid!);
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
  const renderPeakRssMb = children.stop();
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
    loopMaxMs: NaN,
    loopP99Ms: NaN,
    longestGap: { gapMs: NaN, ranMs: NaN, waitedMs: NaN, gcMs: NaN },
    renderPeakRssMb,
  };
}

/** Samples the peak resident memory of the server's render children (render-child.mjs) until stopped. */
function watchRenderChildren(serverPid: number): { stop(): number } {
  let peakKb = 0;
  const read = (file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return ''; // gone meanwhile
    }
  };
  const sample = (): void => {
    for (const pid of read(`/proc/${serverPid}/task/${serverPid}/children`).split(/\s+/).filter(Boolean)) {
      if (!read(`/proc/${pid}/cmdline`).includes('render-child.mjs')) continue;
      const hwm = /^VmHWM:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`));
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    }
  };
  const timer = setInterval(sample, 50);
  return { stop: () => (clearInterval(timer), Math.round(peakKb / 1024)) };
}

/**
 * Waits until the server has finished starting: after it listens, Next still loads every page's
 * modules (`unstable_preloadEntries`, pauses of 100-550 ms for about 2 s). A presenter uploads from
 * the library page, long after that, so the runs start once half a second passes without a pause
 * over SETTLED_MS (at most SETTLE_LIMIT_MS). Returns how long that took.
 */
async function settled(app: AppProcess): Promise<number> {
  const started = performance.now();
  await serverLoopDelay(app);
  while (performance.now() - started < SETTLE_LIMIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if ((await serverLoopDelay(app)).loopMaxMs < SETTLED_MS) break;
  }
  return Math.round(performance.now() - started);
}

/** Asks the server for its event-loop delay since the last ask (SIGUSR2) and waits for the line. */
function serverLoopDelay(app: AppProcess): Promise<{ loopMaxMs: number; loopP99Ms: number; longestGap: PauseBreakdown }> {
  const stdout = app.child.stdout!;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (stdout.off('data', onData), reject(new Error('the server did not report its event-loop delay'))), 10_000);
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = /event-loop-delay max=([\d.]+) p99=([\d.]+) longest-gap=([\d.]+) ran=([\d.NaN-]+) waited=([\d.NaN-]+) gc=([\d.]+)/.exec(seen);
      if (!match) return;
      clearTimeout(timer);
      stdout.off('data', onData);
      const [loopMaxMs, loopP99Ms, gapMs, ranMs, waitedMs, gcMs] = match.slice(1).map(Number) as [number, number, number, number, number, number];
      resolve({ loopMaxMs, loopP99Ms, longestGap: { gapMs, ranMs, waitedMs, gcMs } });
    };
    stdout.on('data', onData);
    app.child.kill('SIGUSR2');
  });
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
