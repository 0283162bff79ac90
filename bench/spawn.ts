/**
 * Child processes of the bench: each in a fresh process, pinned to a core with `taskset` when it
 * exists, with its open-file limit raised as far as the system allows (`prlimit`, else `ulimit` in
 * bash). Every child is registered and killed when the bench ends, however it ends.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

function has(tool: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function hardNofile(): number {
  const out = spawnSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out) || 1024;
}

export const system = {
  taskset: has('taskset'),
  prlimit: has('prlimit'),
  nice: has('nice') && process.getuid?.() === 0,
  hardNofile: hardNofile(),
};

export interface LaunchOptions {
  /** Pin to these cores, a taskset list such as "0" or "1-3" (only when taskset exists). */
  cpuList?: string | undefined;
  /** Niceness (negative: ahead of the load generators on their core; needs root, ignored otherwise). */
  nice?: number;
  /** Open files this process needs; raised up to the hard limit. */
  nofile?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  ipc?: boolean;
  /** Also write everything the child prints to this file. */
  logFile?: string;
  /** Prefix for the child's stderr lines, which are kept (last lines) for error reports. */
  name: string;
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** The last lines of output, for error messages. */
  tail(): string;
  /** Resolve with the first stdout line matching `pattern` (bounded by `timeoutMs`). */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Send an IPC message and resolve with the next message of type `reply` (bounded). */
  request<T>(message: object, reply: string, timeoutMs: number): Promise<T>;
  /** The next IPC message of type `type` (bounded). */
  next<T>(type: string, timeoutMs: number): Promise<T>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  kill(graceMs?: number): Promise<void>;
}

const children = new Set<Child>();

/** What limits could not be met: printed once, and written to the report. */
export const limitNotes = new Set<string>();

export function launch(command: string[], options: LaunchOptions): Child {
  const prefix: string[] = [];
  if (options.nofile !== undefined) {
    const soft = Math.min(options.nofile, system.hardNofile);
    if (soft < options.nofile) limitNotes.add(`open-file limit: ${options.name} wanted ${options.nofile}, the hard limit is ${system.hardNofile} per process (cannot raise it here)`);
    if (system.prlimit) prefix.push('prlimit', `--nofile=${soft}:${system.hardNofile === Infinity ? 'unlimited' : system.hardNofile}`);
    else prefix.push('bash', '-c', `ulimit -Sn ${soft} && exec "$0" "$@"`);
  }
  if (options.cpuList !== undefined && system.taskset) prefix.push('taskset', '-c', options.cpuList);
  if (options.nice !== undefined && system.nice) prefix.push('nice', '-n', String(options.nice));
  const argv = [...prefix, ...command];
  const proc = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const lineWaiters = new Set<(line: string) => boolean>();
  const messages: Array<Record<string, unknown>> = [];
  const messageWaiters = new Set<(message: Record<string, unknown>) => boolean>();
  const keep = (text: string) => {
    for (const line of text.split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > 40) lines.shift();
      for (const waiter of lineWaiters) waiter(line);
    }
  };
  proc.stdout!.setEncoding('utf8').on('data', keep);
  proc.stderr!.setEncoding('utf8').on('data', keep);
  if (options.logFile) {
    const log = createWriteStream(options.logFile);
    proc.stdout!.on('data', (text: string) => log.write(text));
    proc.stderr!.on('data', (text: string) => log.write(text));
    proc.once('exit', () => log.end());
  }
  proc.on('message', (message: Record<string, unknown>) => {
    for (const waiter of messageWaiters) if (waiter(message)) return;
    messages.push(message);
    if (messages.length > 100) messages.shift();
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => ((exited = true), resolve())));

  /** The first line or message `match` accepts (undefined: not this one); fails on timeout or when the child exits. */
  const waitOn = <I, T>(waiters: Set<(item: I) => boolean>, match: (item: I) => T | undefined, timeoutMs: number, waitingFor: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const waiter = (item: I) => {
        const found = match(item);
        if (found === undefined) return false;
        done();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => (done(), reject(new Error(`${options.name}: no ${waitingFor} within ${timeoutMs} ms\n${tail()}`))), timeoutMs);
      const onExit = () => (done(), reject(new Error(`${options.name} exited (code ${proc.exitCode}) while waiting for ${waitingFor}\n${tail()}`)));
      const done = () => {
        clearTimeout(timer);
        waiters.delete(waiter);
        proc.off('exit', onExit);
      };
      waiters.add(waiter);
      proc.once('exit', onExit);
    });

  const next = <T>(type: string, timeoutMs: number): Promise<T> => {
    const wanted = (message: Record<string, unknown>) => message.type === type || message.type === 'error';
    const index = messages.findIndex(wanted);
    if (index >= 0) return settle<T>(messages.splice(index, 1)[0]!);
    return waitOn(messageWaiters, (message) => (wanted(message) ? message : undefined), timeoutMs, `"${type}"`).then((message) => settle<T>(message));
  };
  const tail = () => lines.slice(-15).map((line) => `  [${options.name}] ${line}`).join('\n');

  const child: Child = {
    name: options.name,
    process: proc,
    pid: proc.pid!,
    tail,
    waitForLine(pattern, timeoutMs) {
      for (const line of lines) {
        const match = pattern.exec(line);
        if (match) return Promise.resolve(match);
      }
      return waitOn(lineWaiters, (line: string) => pattern.exec(line) ?? undefined, timeoutMs, `a line matching ${pattern}`);
    },
    request(message, reply, timeoutMs) {
      const answer = next<never>(reply, timeoutMs);
      proc.send(message);
      return answer;
    },
    next,
    async kill(graceMs = 3_000) {
      children.delete(child);
      if (exited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
  children.add(child);
  return child;
}

function settle<T>(message: Record<string, unknown>): Promise<T> {
  return message.type === 'error' ? Promise.reject(new Error(String(message.error))) : Promise.resolve(message as T);
}

/** Kill every child still running (SIGTERM, then SIGKILL after a grace period). */
export async function killAll(): Promise<void> {
  await Promise.all([...children].map((child) => child.kill()));
}

/** Last resort on exit: synchronous SIGKILL to whatever is left, by pid. */
export function killAllNow(): void {
  for (const child of children) {
    try {
      child.process.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
