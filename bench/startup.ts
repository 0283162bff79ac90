/**
 * `npm run bench -- --section startup`: how long our production server takes to start and how
 * much memory it holds once it served its first page, run two ways in turns: compiled
 * (`node .server/index.mjs`, what `npm start` runs) and from source through the TypeScript
 * loader (`node --import tsx server/index.ts`, what it ran before). Start time is from spawning
 * the process to its "listening" line; memory is its resident set (VmRSS) after a `GET /`.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { SERVER_ENTRY } from '../scripts/build-server.mjs';
import { tempDataDir } from '../support/app-process';
import { machineInfo, type Machine } from './proc';
import { sectionStart } from './report';
import { median } from './stats';

export const STARTUP_RUNS = 7;
const WAYS = { compiled: ['--enable-source-maps', SERVER_ENTRY], source: ['--import', 'tsx', 'server/index.ts'] } as const;
type Way = keyof typeof WAYS;
const START_MS = 60_000;

export interface StartupSample { way: Way; startMs: number; rssMiB: number }

export interface StartupRecord {
  date: string;
  command: string;
  code: string;
  durationSeconds: number;
  machine: Machine;
  load: { before: number; after: number };
  samples: StartupSample[];
  error?: string;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Start the server one way, time it to "listening", ask for `/`, read its memory, kill it. */
async function startOnce(way: Way): Promise<StartupSample> {
  const dataDir = tempDataDir();
  const started = performance.now();
  const child = spawn(process.execPath, [...WAYS[way]], {
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', PORT: '0', HOST: '127.0.0.1', SLIDES_DIR: dataDir, PRESENTER_KEY: 'bench-startup-presenter-key-0123' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" line in ${START_MS} ms:\n${output}`)), START_MS);
      child.stderr!.on('data', (chunk) => (output += chunk));
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        const match = /listening on (http:\/\/\S+?) /.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
    });
    const startMs = performance.now() - started;
    const response = await fetch(`${url}/`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET / answered ${response.status}`);
    return { way, startMs, rssMiB: await rssMiB(child.pid!) };
  } finally {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function runStartupBench(options: { code: string; command: string; log: (line: string) => void }): Promise<StartupRecord> {
  const began = performance.now();
  const record: StartupRecord = { date: new Date().toISOString(), command: options.command, code: options.code, durationSeconds: 0, machine: machineInfo(), load: { before: os.loadavg()[0]!, after: NaN }, samples: [] };
  try {
    for (let i = 0; i < STARTUP_RUNS; i++) {
      for (const way of Object.keys(WAYS) as Way[]) {
        const sample = await startOnce(way);
        record.samples.push(sample);
        options.log(`startup ${way} ${i + 1}: ${sample.startMs.toFixed(0)} ms, ${sample.rssMiB.toFixed(0)} MiB`);
      }
    }
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
  } finally {
    record.load.after = os.loadavg()[0]!;
    record.durationSeconds = Math.round((performance.now() - began) / 1000);
  }
  return record;
}

export function renderStartupSection(record: StartupRecord): string {
  const out: string[] = [sectionStart('startup'), '', '## Server start: compiled vs from source', ''];
  out.push(
    `Our production server started ${STARTUP_RUNS} times each way, in turns: **compiled** (\`node .server/index.mjs\`, what \`npm start\` runs; scripts/build-server.mjs) and **from source** through the TypeScript loader (\`node --import tsx server/index.ts\`, what it ran before). ` +
      'Start: from spawning the process to its "listening" line (Next prepared, Bayeux and the slideshow up). Memory: resident set after its first `GET /`.',
    '',
  );
  out.push(`* **Date:** ${record.date}`);
  out.push(`* **Command:** \`${record.command}\` (took ${record.durationSeconds} s), code ${record.code}`);
  out.push(`* **Machine:** ${record.machine.nproc} cores (${record.machine.cpuModel}), ${record.machine.memoryGiB} GiB memory, Node ${record.machine.node}`);
  const busy = Math.max(record.load.before, record.load.after) > record.machine.nproc;
  out.push(`* **Load average** (1 min) ${record.load.before.toFixed(2)} before, ${record.load.after.toFixed(2)} after${busy ? `: **BUSY MACHINE**, more runnable processes than its ${record.machine.nproc} cores` : ''}`);
  if (record.error) out.push(`* **FAILED:** ${record.error.split('\n')[0]}`);
  out.push('', '| way | start, median | start, each run | memory, median |', '|---|---:|---|---:|');
  for (const way of Object.keys(WAYS) as Way[]) {
    const samples = record.samples.filter((sample) => sample.way === way);
    if (samples.length === 0) continue;
    out.push(`| ${way} | ${median(samples.map((s) => s.startMs))!.toFixed(0)} ms | ${samples.map((s) => s.startMs.toFixed(0)).join(', ')} | ${median(samples.map((s) => s.rssMiB))!.toFixed(0)} MiB |`);
  }
  out.push('');
  return `${out.join('\n')}\n`;
}
