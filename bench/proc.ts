/**
 * What /proc says: CPU time and resident memory of a process, and machine-wide CPU per core, so
 * a run can tell how much CPU *other* processes took meanwhile (a busy machine is marked, not trusted).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS = clockTicks();

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

export interface ProcSample {
  /** user + system CPU of every thread, in milliseconds (10 ms resolution at 100 Hz). */
  cpuMs: number;
  rssKiB: number;
}

/** CPU and RSS of one process, or undefined once it is gone. */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return { cpuMs: (ticks * 1000) / CLOCK_TICKS, rssKiB: rss ? Number(rss[1]) : 0 };
  } catch {
    return undefined;
  }
}

/** A process's peak resident memory so far (VmHWM), in KiB, or undefined once it is gone. */
export function peakRssKiB(pid: number): number | undefined {
  try {
    const peak = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return peak ? Number(peak[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Bytes a process has handed to write-like system calls (`wchar` of /proc/<pid>/io): for a server,
 * what it sent its clients (plus its few log lines and file writes). Undefined once it is gone.
 */
export function writtenBytes(pid: number): number | undefined {
  try {
    const wchar = /^wchar:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return wchar ? Number(wchar[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface CpuSample {
  at: number;
  /** Per core: jiffies spent in user, nice and system (tasks), in irq and softirq (kernel work such as loopback networking), steal, and total. */
  cores: Array<{ task: number; irq: number; steal: number; total: number }>;
}

export function sampleCpu(): CpuSample {
  const cores: CpuSample['cores'] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    if (!/^cpu\d+ /.test(line)) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1, 9).map(Number) as number[];
    cores.push({ task: user! + nice! + system!, irq: irq! + softirq!, steal: steal!, total: user! + nice! + system! + idle! + iowait! + irq! + softirq! + steal! });
  }
  return { at: performance.now(), cores };
}

export interface Window {
  seconds: number;
  /** CPU (in cores) used by processes other than ours (the server, load generators, presenter, this bench). */
  otherCores: number;
  /** The same, on the core the server is pinned to (undefined when not pinned). */
  otherOnServerCore: number | undefined;
  /** Interrupt and softirq time, in cores: mostly the kernel moving our loopback traffic. */
  kernelCores: number;
  stealCores: number;
}

/** Machine CPU between two samples, minus `oursMs` milliseconds of CPU our own processes used. */
export function cpuWindow(a: CpuSample, b: CpuSample, oursMs: number, oursOnServerCoreMs: number | undefined, serverCore: number | undefined): Window {
  const seconds = (b.at - a.at) / 1000;
  const toMs = 1000 / CLOCK_TICKS;
  let task = 0;
  let irq = 0;
  let steal = 0;
  b.cores.forEach((core, i) => {
    const before = a.cores[i]!;
    task += (core.task - before.task) * toMs;
    irq += (core.irq - before.irq) * toMs;
    steal += (core.steal - before.steal) * toMs;
  });
  let otherOnServerCore: number | undefined;
  if (serverCore !== undefined && oursOnServerCoreMs !== undefined && b.cores[serverCore]) {
    const used = (b.cores[serverCore]!.task - a.cores[serverCore]!.task) * toMs;
    otherOnServerCore = Math.max(0, used - oursOnServerCoreMs) / 1000 / seconds;
  }
  return {
    seconds,
    otherCores: Math.max(0, task - oursMs) / 1000 / seconds,
    otherOnServerCore,
    kernelCores: irq / 1000 / seconds,
    stealCores: steal / 1000 / seconds,
  };
}

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
}

export function machineInfo(): Machine {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    nproc: os.cpus().length, // every online core, whatever this process is pinned to
    cpuModel,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}
