/**
 * `npm run bench -- --section lighthouse`: Lighthouse, the judge the issue names, on the audience
 * page during a talk, as a phone opens it: our production server (server/index.ts) with a deck
 * live on its third slide, Lighthouse's default mobile run (a Moto G Power-sized screen, simulated
 * Slow 4G and a 4× slower CPU) in Debian's Chromium, performance, accessibility and best practices.
 * Lighthouse's scores vary from run to run, so it runs several times and the median is the score.
 */
import os from 'node:os';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { startApp, type AppProcess } from '../support/app-process';
import { chromiumLaunchArgs, findChromium } from '../support/chromium';
import { deckDetail, talkFiles, uploadDeck } from '../support/slideshow-browser';
import { machineInfo, type Machine } from './proc';
import { median } from './stats';

export const LIGHTHOUSE_RUNS = 5;
export const LIGHTHOUSE_TARGETS = { performance: 95, accessibility: 100, 'best-practices': 100 } as const;
export type CategoryName = keyof typeof LIGHTHOUSE_TARGETS;
const CATEGORIES = Object.keys(LIGHTHOUSE_TARGETS) as CategoryName[];
const METRICS = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'] as const;
const PRESENTER_KEY = 'bench-lighthouse-presenter-key-01';
const LIVE_SLIDE = 3;

export interface LighthouseRun {
  /** 0-100, as Lighthouse reports them. */
  scores: Record<CategoryName, number>;
  /** Lighthouse's displayed values (e.g. "1.2 s") of the performance metrics. */
  metrics: Record<(typeof METRICS)[number], string>;
  /** Audits that lost points in each category: id and title. */
  failed: Record<CategoryName, string[]>;
}

export interface LighthouseRecord {
  date: string;
  command: string;
  code: string;
  durationSeconds: number;
  machine: Machine;
  lighthouseVersion: string;
  chromium: string;
  load: { before: number; after: number };
  runs: LighthouseRun[];
  error?: string;
}

interface LhResult {
  lighthouseVersion: string;
  userAgent: string;
  categories: Record<string, { score: number | null; auditRefs: Array<{ id: string; weight: number }> }>;
  audits: Record<string, { title: string; score: number | null; scoreDisplayMode: string; displayValue?: string }>;
}

/** Audits of a category that lost points (weighted, or any failed audit in the non-scored ones). */
function failedAudits(result: LhResult, category: CategoryName): string[] {
  return result.categories[category]!.auditRefs
    .map((ref) => ({ ref, audit: result.audits[ref.id]! }))
    .filter(({ audit }) => audit.scoreDisplayMode !== 'notApplicable' && audit.scoreDisplayMode !== 'manual' && audit.scoreDisplayMode !== 'informative' && audit.score !== null && audit.score < 1)
    .filter(({ ref, audit }) => ref.weight > 0 || audit.score === 0)
    .map(({ ref, audit }) => `${ref.id}: ${audit.title}`);
}

function runOf(result: LhResult): LighthouseRun {
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((result.categories[c]!.score ?? 0) * 100)])) as LighthouseRun['scores'];
  const metrics = Object.fromEntries(METRICS.map((m) => [m, result.audits[m]?.displayValue ?? '–'])) as LighthouseRun['metrics'];
  const failed = Object.fromEntries(CATEGORIES.map((c) => [c, failedAudits(result, c)])) as LighthouseRun['failed'];
  return { scores, metrics, failed };
}

/** A talk live on slide LIVE_SLIDE, as the page is opened in a room. */
async function liveTalk(app: AppProcess): Promise<void> {
  const deck = await deckDetail(app.url, PRESENTER_KEY, (await uploadDeck(app.url, PRESENTER_KEY, await talkFiles(), 'Lighthouse talk')).id);
  for (const body of [{ deck: deck.id, slide: 1 }, { slide: LIVE_SLIDE }]) {
    const response = await fetch(`${app.url}/api/live`, { method: 'POST', headers: { authorization: `Bearer ${PRESENTER_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (response.status !== 200) throw new Error(`POST /api/live answered ${response.status}: ${await response.text()}`);
  }
}

export async function runLighthouseBench(options: { code: string; command: string; log: (line: string) => void }): Promise<LighthouseRecord> {
  const started = performance.now();
  const record: LighthouseRecord = {
    date: new Date().toISOString(), command: options.command, code: options.code, durationSeconds: 0, machine: machineInfo(),
    lighthouseVersion: '', chromium: '', load: { before: os.loadavg()[0]!, after: NaN }, runs: [],
  };
  let app: AppProcess | undefined;
  let chrome: chromeLauncher.LaunchedChrome | undefined;
  try {
    const chromePath = findChromium();
    if (!chromePath) throw new Error('Chromium not found: install it or set CHROMIUM_PATH');
    app = await startApp({ PRESENTER_KEY });
    await liveTalk(app);
    // Lighthouse asks for a fresh browser profile per launch; one browser serves every run (each gets its own clean page).
    chrome = await chromeLauncher.launch({ chromePath, chromeFlags: ['--headless=new', ...chromiumLaunchArgs] });
    for (let i = 0; i < LIGHTHOUSE_RUNS; i++) {
      const outcome = await lighthouse(`${app.url}/`, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] });
      if (!outcome) throw new Error('Lighthouse returned no result');
      const result = outcome.lhr as unknown as LhResult;
      record.lighthouseVersion = result.lighthouseVersion;
      record.chromium = /Chrome\/([\d.]+)/.exec(result.userAgent)?.[1] ?? result.userAgent;
      const run = runOf(result);
      record.runs.push(run);
      options.log(`lighthouse run ${i + 1}: ${CATEGORIES.map((c) => `${c} ${run.scores[c]}`).join(', ')}; LCP ${run.metrics['largest-contentful-paint']}, TBT ${run.metrics['total-blocking-time']}`);
    }
  } catch (error) {
    record.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    options.log(`lighthouse bench failed: ${record.error}`);
  } finally {
    await chrome?.kill();
    await app?.stop();
    record.load.after = os.loadavg()[0]!;
    record.durationSeconds = Math.round((performance.now() - started) / 1000);
  }
  return record;
}

/** The median score of each category over the runs. */
export function medianScores(record: LighthouseRecord): Record<CategoryName, number> {
  return Object.fromEntries(CATEGORIES.map((c) => [c, median(record.runs.map((run) => run.scores[c]))])) as Record<CategoryName, number>;
}
