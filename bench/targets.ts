/**
 * The servers under test, each started in a fresh process pinned to the server core:
 * - ours: the real composition root (`node --import tsx server/index.ts`, NODE_ENV=production,
 *   Next and the slideshow included) over a fresh data folder, with a 20-slide deck made through the API;
 * - faye: Faye 1.4.3; cometd-node: cometd-nodejs-server 1.2.1 (long-polling only);
 * - floor: a bare `ws` broadcast loop, or bare held POSTs, writing one pre-encoded frame to everyone.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { launch, type Child } from './spawn';

export type TargetName = 'ours' | 'faye' | 'cometd-node' | 'floor';
export type Transport = 'websocket' | 'long-polling';

export const TARGETS: readonly TargetName[] = ['ours', 'faye', 'cometd-node', 'floor'];
export const TRANSPORTS: readonly Transport[] = ['websocket', 'long-polling'];
export const PRESENTER_KEY = 'bench-presenter-key-0123456789';
export const SLIDES = 20;

export function supports(target: TargetName, transport: Transport): boolean {
  return !(target === 'cometd-node' && transport === 'websocket');
}

export interface RunningTarget {
  readonly name: TargetName;
  readonly transport: Transport;
  readonly child: Child;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly baseUrl: string;
  /** ours: the deck made for the bench. */
  readonly deck: string | undefined;
  /** Milliseconds from spawn to listening (ours: plus making the deck). */
  readonly startMs: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  root: string;
  phones: number;
  core: number | undefined;
  /** Write a V8 CPU profile of our server here (`--cpu-prof`). */
  profileDir?: string;
  /** Extra Node flags for our server (e.g. --trace-gc). */
  nodeFlags?: string[];
  /** Keep the server's output in this file. */
  logFile?: string;
}

const HOST = '127.0.0.1';

export async function startTarget(name: TargetName, transport: Transport, options: StartOptions): Promise<RunningTarget> {
  const started = performance.now();
  const port = await freePort();
  const nofile = options.phones + 1_000;
  const common = { cpuList: options.core === undefined ? undefined : String(options.core), nofile, cwd: options.root, name: `${name}-server`, logFile: options.logFile };
  if (name !== 'ours') {
    const script = name === 'floor' ? (transport === 'websocket' ? 'floor-ws.mjs' : 'floor-longpoll.mjs') : `${name}.mjs`;
    const child = launch([process.execPath, path.join(options.root, 'bench/servers', script), String(port)], common);
    await child.waitForLine(/^READY (\d+)/, 30_000);
    return running(name, transport, child, port, name === 'floor' ? '/' : '/bayeux', undefined, started, () => child.kill());
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cometdeck-bench-'));
  dataDirs.add(dataDir);
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    SLIDES_DIR: dataDir,
    PRESENTER_KEY,
    BAYEUX_MAX_SESSIONS_PER_BROWSER: '100',
    PORT: String(port),
    HOST,
  };
  const child = launch([process.execPath, '--import', 'tsx', ...profile, ...(options.nodeFlags ?? []), 'server/index.ts'], { ...common, env });
  const stop = async () => {
    await child.kill(options.profileDir ? 30_000 : 3_000);
    await rm(dataDir, { recursive: true, force: true });
    dataDirs.delete(dataDir);
  };
  try {
    await child.waitForLine(/listening on http:\/\/\S+:(\d+)/, 120_000);
    const deck = await createDeck(`http://${HOST}:${port}`);
    return running(name, transport, child, port, '/bayeux', deck, started, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

function running(
  name: TargetName, transport: Transport, child: Child, port: number, endpoint: string,
  deck: string | undefined, started: number, stop: () => Promise<void>,
): RunningTarget {
  return { name, transport, child, host: HOST, port, path: endpoint, baseUrl: `http://${HOST}:${port}`, deck, startMs: performance.now() - started, stop };
}

const dataDirs = new Set<string>();

/** On exit, however it comes: remove the data folders of servers that were not stopped. */
export function removeDataDirsNow(): void {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}

let images: Buffer[] | undefined;

/** 20 small PNG slides, made once per bench run. */
async function slideImages(): Promise<Buffer[]> {
  images ??= await Promise.all(
    Array.from({ length: SLIDES }, (_, i) => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180"><rect width="100%" height="100%" fill="#2a6"/><text x="24" y="110" font-size="64" fill="#fff">${i + 1}</text></svg>`;
      return sharp(Buffer.from(svg)).png().toBuffer();
    }),
  );
  return images;
}

/** `POST /api/decks` with the presenter key, as docs/api.md describes. */
async function createDeck(baseUrl: string): Promise<string> {
  const form = new FormData();
  (await slideImages()).forEach((png, i) => form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), `slide-${String(i + 1).padStart(2, '0')}.png`));
  form.append('title', 'Bench deck');
  const response = await fetch(`${baseUrl}/api/decks`, { method: 'POST', headers: { Authorization: `Bearer ${PRESENTER_KEY}` }, body: form });
  const body = (await response.json()) as { id?: string; error?: string };
  if (response.status !== 201 || !body.id) throw new Error(`creating the bench deck failed: HTTP ${response.status} ${body.error ?? ''}`);
  return body.id;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
