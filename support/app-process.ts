/**
 * Starts the real application as production runs it (`.server/index.mjs`, compiled from
 * `server/index.ts` by scripts/build-server.mjs, with the Next production build) as a child
 * process on a free port, waits until it listens, and stops it with a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer, SERVER_ENTRY } from '../scripts/build-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Once per test process: the compiled server, rebuilt when server/ or lib/ changed since. */
let built: Promise<boolean> | undefined;

/** The command line that runs the compiled server, built first when it is stale. */
export async function serverCommand(): Promise<string[]> {
  built ??= buildServer();
  await built;
  return ['--enable-source-maps', SERVER_ENTRY];
}

export interface AppProcess {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** Send a signal and wait for the exit code (bounded). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A fresh, empty data folder for one app run. */
export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'cometdeck-data-'));
}

export async function startApp(env: Record<string, string> = {}, timeoutMs = 30_000): Promise<AppProcess> {
  const child = spawn(process.execPath, await serverCommand(), {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', PORT: '0', HOST: '127.0.0.1', ...env, SLIDES_DIR: env.SLIDES_DIR ?? tempDataDir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      const match = /listening on (http:\/\/\S+?) /.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`app exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Run the app with a bad environment and collect what it says and its exit code. */
export async function runAppExpectingFailure(env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  const command = await serverCommand();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, command, {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', SLIDES_DIR: tempDataDir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
