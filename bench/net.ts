/**
 * `npm run bench -- --section network`: the cases that measure what a person feels, each in a
 * fresh network namespace shaped for it (bench/netns.ts), run by bench/net-inside.ts inside it:
 *
 *  * throttled: key press → painted on Chromium phones behind slow links, sealed prefetch off
 *    then on (bench/throttled.ts);
 *  * shared-link: a room of lightweight phones on one capped link, sealed prefetch off then on
 *    (bench/shared-link.ts);
 *  * cold-start: a cold phone behind a slow link opening the page during a talk (bench/net-cold.ts);
 *  * sealed-open: opening a sealed slide on a phone CPU slowed 4× (bench/sealed-open.ts).
 *
 * Options (read from the bench's command line): --net-cases throttled,shared-link,cold-start,sealed-open
 * --presses 20 --throttled-phones 3 --link-phones 1000 --link-changes 10 --cold-opens 5 --open-slides 13.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root } from './net-parts';
import { createNamespace, describeShaping, netUnavailable, removeAllNamespaces, removeNamespace, type ShapedAddress } from './netns';
import { machineInfo, type Machine } from './proc';
import { system } from './spawn';
import type { SharedLinkOptions, SharedLinkRecord } from './shared-link';
import { phoneAddresses, type ThrottledOptions, type ThrottledRecord } from './throttled';
import type { ColdStartOptions, ColdStartRecord } from './net-cold';
import type { SealedOpenOptions, SealedOpenRecord } from './sealed-open';

export const NET_CASES = ['throttled', 'shared-link', 'cold-start', 'sealed-open'] as const;
export type NetCase = (typeof NET_CASES)[number];

/** The links of the issue: a slow phone (400 ms round trip, 400 kbit/s each way) and a room's 100 Mbit/s. */
export const LINKS = { phone: { rttMs: 400, kbit: 400 }, room: { mbit: 100 } };

export interface NetRecord {
  date: string;
  machine: Machine;
  code: string;
  command: string;
  durationSeconds: number;
  /** `tc class show` of each case's namespace. */
  shaping: Partial<Record<NetCase, string>>;
  throttled?: ThrottledRecord;
  sharedLink?: SharedLinkRecord;
  coldStart?: ColdStartRecord;
  sealedOpen?: SealedOpenRecord;
  error?: string;
}

const CASE_MS = 15 * 60_000;
const scratchDirs = new Set<string>();

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

function count(argv: string[], name: string, fallback: number): number {
  const n = Number(option(argv, name) ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

/** One case in its own namespace; the namespace and everything in it are gone when this returns. */
async function runInNamespace<T>(name: NetCase, shaped: ShapedAddress[], options: object, record: NetRecord, log: (line: string) => void): Promise<T> {
  const namespace = `cometdeck-bench-${process.pid}-${name}`;
  const scratch = mkdtempSync(path.join(tmpdir(), 'cometdeck-net-'));
  scratchDirs.add(scratch);
  const resultFile = path.join(scratch, 'result.json');
  try {
    createNamespace(namespace, shaped);
    record.shaping[name] = describeShaping(namespace);
    log(`${name}: namespace ready (${shaped.map((s) => `${s.address} at ${s.kbit} kbit/s each way`).join(', ')})`);
    // The bench pins itself to the client cores; these cases measure links, not a pinned server, so
    // the server, browser and phones get every core back.
    const cores = system.taskset ? ['taskset', '-c', `0-${machineInfo().nproc - 1}`] : [];
    const command = [...cores, process.execPath, '--import', 'tsx', 'bench/net-inside.ts', name, JSON.stringify(options), resultFile];
    const child = spawn('ip', ['netns', 'exec', namespace, ...command], {
      cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGTERM'), CASE_MS);
      child.once('exit', (exitCode) => (clearTimeout(timer), resolve(exitCode)));
    });
    if (code !== 0) throw new Error(`the ${name} case exited with ${code}`);
    return JSON.parse(readFileSync(resultFile, 'utf8')) as T;
  } finally {
    removeNamespace(namespace);
    rmSync(scratch, { recursive: true, force: true });
    scratchDirs.delete(scratch);
  }
}

export async function runNetBench(options: { argv: string[]; code: string; command: string; log(line: string): void }): Promise<NetRecord> {
  const started = performance.now();
  const record: NetRecord = { date: new Date().toISOString(), machine: machineInfo(), code: options.code, command: options.command, durationSeconds: 0, shaping: {} };
  const { argv, log } = options;
  try {
    const unavailable = netUnavailable();
    if (unavailable) throw new Error(unavailable);
    const cases = (option(argv, 'net-cases')?.split(',') ?? [...NET_CASES]).map((c) => (NET_CASES.includes(c as NetCase) ? (c as NetCase) : fail(`unknown network case ${c}`)));
    if (cases.includes('throttled')) {
      const throttled: ThrottledOptions = { phones: count(argv, 'throttled-phones', 3), presses: count(argv, 'presses', 20), ...LINKS.phone };
      const shaped = phoneAddresses(throttled.phones).map((address) => ({ address, kbit: throttled.kbit }));
      record.throttled = await runInNamespace<ThrottledRecord>('throttled', shaped, throttled, record, log);
    }
    if (cases.includes('shared-link')) {
      const link: SharedLinkOptions = { phones: count(argv, 'link-phones', 1_000), changes: count(argv, 'link-changes', 10), mbit: LINKS.room.mbit };
      record.sharedLink = await runInNamespace<SharedLinkRecord>('shared-link', [{ address: '127.0.0.2', kbit: link.mbit * 1000 }], link, record, log);
    }
    if (cases.includes('cold-start')) {
      const cold: ColdStartOptions = { opens: count(argv, 'cold-opens', 5), ...LINKS.phone };
      record.coldStart = await runInNamespace<ColdStartRecord>('cold-start', [{ address: '127.0.0.2', kbit: cold.kbit }], cold, record, log);
    }
    if (cases.includes('sealed-open')) {
      const open: SealedOpenOptions = { slides: count(argv, 'open-slides', 13), cpuSlowdown: 4 };
      record.sealedOpen = await runInNamespace<SealedOpenRecord>('sealed-open', [], open, record, log);
    }
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
    log(`network: FAILED: ${record.error}`);
  }
  record.durationSeconds = Math.round((performance.now() - started) / 1000);
  return record;
}

function fail(message: string): never {
  throw new Error(message);
}

// However the bench ends, no namespace (nor anything in it) outlives it.
process.on('exit', () => {
  removeAllNamespaces();
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});
