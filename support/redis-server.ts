/**
 * A private `redis-server` for tests: started on a free loopback port with no persistence, checked
 * with PING, stopped by its PID. A missing `redis-server` fails the test with the install command
 * (nothing is skipped). `restart()` stops it and starts a fresh, empty one on the same port, as a
 * Redis restart without persistence does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  readonly pid: number | undefined;
  /** Stop (SIGKILL: as a crash, no goodbye to clients) and start an empty one on the same port. */
  restart(downMs?: number): Promise<void>;
  /** Stop it for good (bounded). */
  stop(): Promise<void>;
  /** Stop it without starting again (a Redis outage); `start()` brings it back. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

export function requireRedisServer(): void {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error('redis-server is not installed; the multi-node tests need it. Install it with: sudo apt-get install -y redis-server');
  }
}

export async function startRedis(): Promise<TestRedis> {
  requireRedisServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'cometdeck-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir);
    } catch (error) {
      lastError = error;
    }
  }
  if (!child) throw lastError instanceof Error ? lastError : new Error(String(lastError));

  const redis: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    async kill() {
      if (child) await terminate(child, 'SIGKILL');
      child = undefined;
    },
    async start() {
      if (!child) child = await launch(port, dir);
    },
    async restart(downMs = 0) {
      await redis.kill();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await redis.start();
    },
    async stop() {
      if (child) await terminate(child, 'SIGTERM');
      child = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return redis;
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  let done = false;
  void exited.then(() => (done = true));
  while (Date.now() < deadline && !done) {
    if (await ping(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer PING on port ${port}:\n${output}`);
}

/** One PING over a raw socket: true on `+PONG`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), 1_000);
    socket.once('error', () => finish(false));
    socket.on('data', (chunk) => {
      answer += chunk;
      if (answer.includes('\r\n')) finish(answer.startsWith('+PONG'));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
