/**
 * The servers under test, each started in a fresh process pinned to the server core:
 * - ours: the real composition root as production runs it (`node .server/index.mjs`, compiled from server/index.ts; NODE_ENV=production,
 *   Next and the slideshow included) over a fresh data folder, with a 20-slide deck made through the API;
 * - faye: Faye 1.4.3; cometd-node: cometd-nodejs-server 1.2.1 (long-polling only);
 * - floor: a bare `ws` broadcast loop, or bare held POSTs, writing one pre-encoded frame to everyone;
 * - ours-2nodes (only on request, `--targets ours,ours-2nodes`): two processes of ours sharing a
 *   private redis-server and one data folder (the multi-node set-up of docs/deploy.md), node A and
 *   node B, all three on the server core; the deck is made through node A.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { SERVER_ENTRY } from '../scripts/build-server.mjs';
import { freePort } from '../support/ports';
import { startRedis, type TestRedis } from '../support/redis-server';
import { launch, system, type Child } from './spawn';

export type TargetName = 'ours' | 'ours-2nodes' | 'faye' | 'cometd-node' | 'floor';
export type Transport = 'websocket' | 'long-polling';

/** Every target, in the order cases run (ours first: peers carry its state). */
export const ALL_TARGETS: readonly TargetName[] = ['ours', 'ours-2nodes', 'faye', 'cometd-node', 'floor'];
/** The default matrix: ours-2nodes only with `--targets` (it would lengthen the full run). */
export const TARGETS: readonly TargetName[] = ['ours', 'faye', 'cometd-node', 'floor'];
export const TRANSPORTS: readonly Transport[] = ['websocket', 'long-polling'];
export const PRESENTER_KEY = 'bench-presenter-key-0123456789';

/**
 * The targets, checked on the product client path (phones negotiating ack as the pages
 * do), each ratio from one run: last-phone medians of the slideshow, and for the reconnect storm
 * the time until the last phone was back on the current slide.
 */
export const GOALS = {
  /** ours/floor at most this, at every phone count. */
  oursOverFloor: { websocket: 1.1, 'long-polling': 1.1 },
  /** peer/ours at least this: how much faster than each peer ours must be. */
  peerOverOurs: { websocket: { faye: 1.6 }, 'long-polling': { faye: 2.5, 'cometd-node': 1.2 } },
  /** Reconnect storm: ours/floor at most this, from this many phones. */
  storm: { oursOverFloor: 2, phones: 10_000 },
  /** Server memory per phone after the join, at most (1 KB = 1,000 bytes), checked from this many phones (below, the heap's own steps drown it). */
  memoryBytesPerPhone: { websocket: 10_000, 'long-polling': 14_000, phones: 5_000 },
  /** The presenter's publish acknowledged within (median, ms) while this many phones are served. */
  publishAck: { ms: 5, phones: 10_000 },
} as const;
export const SLIDES = 20;

/** Our server, on one node or several: publishes commands, checks the presenter key. */
export function isOurs(target: TargetName): boolean {
  return target === 'ours' || target === 'ours-2nodes';
}

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
  /** Where phones connect, spread in turn: one entry, or node A and node B (ours-2nodes). */
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** The server side's processes, whose CPU and memory are summed: the server, or both nodes and Redis. */
  readonly serverPids: readonly number[];
  stop(): Promise<void>;
  /**
   * The reconnect storm: SIGKILL the server and start it again on the same port, ours over the
   * same data folder (the talk resumes from its live.json), a peer or floor replaying `replay`
   * (the state it would have had). Resolves once it listens again; `serverPids` and `child` then
   * name the new process. Single-process targets only.
   */
  crashAndRestart?(replay: string | undefined): Promise<{ killedAt: number; listeningAt: number }>;
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
  /** Slides in ours's bench deck (default SLIDES). */
  slides?: number;
}

const HOST = '127.0.0.1';

export async function startTarget(name: TargetName, transport: Transport, options: StartOptions): Promise<RunningTarget> {
  const started = performance.now();
  const port = await freePort(HOST);
  const nofile = options.phones + 1_000;
  const common = { cpuList: options.core === undefined ? undefined : String(options.core), nofile, cwd: options.root, name: `${name}-server`, logFile: options.logFile };
  if (name === 'ours-2nodes') return startTwoNodes(transport, options, started);
  if (name !== 'ours') {
    const script = name === 'floor' ? (transport === 'websocket' ? 'floor-ws.mjs' : 'floor-longpoll.mjs') : `${name}.mjs`;
    const replayDir = await mkdtemp(path.join(os.tmpdir(), 'cometdeck-bench-replay-'));
    dataDirs.add(replayDir);
    const replayFile = path.join(replayDir, 'replay.json');
    const spawnPeer = async () => {
      const child = launch([process.execPath, path.join(options.root, 'bench/servers', script), String(port)], { ...common, env: { ...process.env, BENCH_REPLAY_FILE: replayFile } });
      await child.waitForLine(/^READY (\d+)/, 30_000);
      return child;
    };
    const first = await spawnPeer();
    const removeReplay = async () => {
      await rm(replayDir, { recursive: true, force: true });
      dataDirs.delete(replayDir);
    };
    return restartable(running(name, transport, first, port, name === 'floor' ? '/' : '/bayeux', undefined, started, removeReplay), async (replay) => {
      await writeFile(replayFile, replay ?? '');
      return spawnPeer();
    });
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cometdeck-bench-'));
  dataDirs.add(dataDir);
  const removeData = async () => {
    await rm(dataDir, { recursive: true, force: true });
    dataDirs.delete(dataDir);
  };
  const spawnOurs = async () => {
    const child = launchOurs(options, common, dataDir, port, {});
    try {
      await child.waitForLine(/listening on http:\/\/\S+:(\d+)/, 120_000);
    } catch (error) {
      await child.kill();
      throw error;
    }
    return child;
  };
  const child = await spawnOurs().catch(async (error: unknown) => {
    await removeData();
    throw error;
  });
  const kill = () => child.kill(options.profileDir ? 30_000 : 3_000);
  try {
    const deck = await createDeck(`http://${HOST}:${port}`, options.slides ?? SLIDES);
    return restartable(running(name, transport, child, port, '/bayeux', deck, started, removeData, options.profileDir ? 30_000 : 3_000), () => spawnOurs());
  } catch (error) {
    await kill();
    await removeData();
    throw error;
  }
}

/**
 * A single-process target whose server can be killed and started again; `stop` kills whichever
 * process runs then, and then runs `cleanUp`.
 */
function restartable(target: RunningTarget & { cleanUp: () => Promise<void>; graceMs: number }, respawn: (replay: string | undefined) => Promise<Child>): RunningTarget {
  let child = target.child;
  const { cleanUp, graceMs, ...rest } = target;
  return {
    ...rest,
    get child() {
      return child;
    },
    get serverPids() {
      return [child.pid];
    },
    async stop() {
      await child.kill(graceMs);
      await cleanUp();
    },
    async crashAndRestart(replay) {
      const old = child;
      const killedAt = now();
      old.process.kill('SIGKILL');
      await old.kill(0);
      child = await respawn(replay);
      return { killedAt, listeningAt: now() };
    },
  };
}

/** Milliseconds on CLOCK_MONOTONIC, the clock of the phones and the presenter (bench/wire.mjs). */
function now(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** Per-address limits (docs/security.md) sized for thousands of phones sharing one address. */
export const LOOPBACK_CROWD = {
  BAYEUX_MAX_SESSIONS_PER_ADDRESS: '10000000',
  BAYEUX_HANDSHAKES_PER_SECOND: '1000000',
  BAYEUX_HANDSHAKE_BURST: '10000000',
} as const;

function launchOurs(
  options: StartOptions, common: { cpuList: string | undefined; nofile: number; cwd: string; name: string; logFile: string | undefined },
  dataDir: string, port: number, extraEnv: Record<string, string>,
): Child {
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    SLIDES_DIR: dataDir,
    PRESENTER_KEY,
    BAYEUX_MAX_SESSIONS_PER_BROWSER: '100',
    // Every load generator's phone comes from one loopback address: lift the per-address limits.
    ...LOOPBACK_CROWD,
    PORT: String(port),
    HOST,
    ...extraEnv,
  };
  return launch([process.execPath, ...profile, ...(options.nodeFlags ?? []), SERVER_ENTRY], { ...common, env });
}

/**
 * ours-2nodes: a private redis-server, then node A and node B with the same REDIS_URL,
 * PRESENTER_KEY and SLIDES_DIR, different PORT and NODE_ID; the deck is made through node A.
 * Everything on the server core: on 2 cores this measures what the second node and Redis cost, not scale-out.
 */
async function startTwoNodes(transport: Transport, options: StartOptions, started: number): Promise<RunningTarget> {
  const cpuList = options.core === undefined ? undefined : String(options.core);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cometdeck-bench-'));
  dataDirs.add(dataDir);
  const nodes: Child[] = [];
  let redis: TestRedis | undefined;
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.kill(options.profileDir ? 30_000 : 3_000)));
    if (redis) {
      redisPids.delete(redis.pid ?? -1);
      await redis.stop();
    }
    await rm(dataDir, { recursive: true, force: true });
    dataDirs.delete(dataDir);
  };
  try {
    redis = await startRedis();
    if (redis.pid !== undefined) {
      redisPids.add(redis.pid);
      if (cpuList !== undefined && system.taskset) spawnSync('taskset', ['-apc', cpuList, String(redis.pid)], { stdio: 'ignore' });
    }
    const ports: number[] = [];
    for (const id of ['a', 'b']) {
      const port = await freePort(HOST);
      ports.push(port);
      const logFile = options.logFile?.replace(/\.log$/, `-${id}.log`);
      nodes.push(launchOurs(options, { cpuList, nofile: options.phones + 1_000, cwd: options.root, name: `ours-node-${id}`, logFile }, dataDir, port, {
        REDIS_URL: redis.url, NODE_ID: `bench-${id}`, REDIS_PREFIX: 'cometdeck-bench:',
      }));
    }
    await Promise.all(nodes.map((node) => node.waitForLine(/listening on http:\/\/\S+:(\d+)/, 120_000)));
    const deck = await createDeck(`http://${HOST}:${ports[0]}`, options.slides ?? SLIDES);
    const { cleanUp: _cleanUp, graceMs: _graceMs, ...base } = running('ours-2nodes', transport, nodes[0]!, ports[0]!, '/bayeux', deck, started, async () => undefined);
    return {
      ...base,
      stop,
      nodes: ports.map((port) => ({ host: HOST, port })),
      serverPids: [...nodes.map((node) => node.pid), ...(redis.pid !== undefined ? [redis.pid] : [])],
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function running(
  name: TargetName, transport: Transport, child: Child, port: number, endpoint: string,
  deck: string | undefined, started: number, cleanUp: () => Promise<void>, graceMs = 3_000,
): RunningTarget & { cleanUp: () => Promise<void>; graceMs: number } {
  return {
    name, transport, child, host: HOST, port, path: endpoint, baseUrl: `http://${HOST}:${port}`, deck, startMs: performance.now() - started,
    stop: async () => {
      await child.kill(graceMs);
      await cleanUp();
    },
    cleanUp, graceMs,
    nodes: [{ host: HOST, port }], serverPids: [child.pid],
  };
}

const dataDirs = new Set<string>();
const redisPids = new Set<number>();

/** On exit, however it comes: kill the redis-servers and remove the data folders of targets that were not stopped. */
export function removeDataDirsNow(): void {
  for (const pid of redisPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  redisPids.clear();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}

const images = new Map<number, Promise<Buffer[]>>();

/** `count` small PNG slides, made once per bench run. */
function slideImages(count: number): Promise<Buffer[]> {
  let made = images.get(count);
  if (!made) images.set(count, (made = makeImages(count)));
  return made;
}

function makeImages(count: number): Promise<Buffer[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180"><rect width="100%" height="100%" fill="#2a6"/><text x="24" y="110" font-size="64" fill="#fff">${i + 1}</text></svg>`;
      return sharp(Buffer.from(svg)).png().toBuffer();
    }),
  );
}

/** `POST /api/decks` with the presenter key, as docs/api.md describes. */
async function createDeck(baseUrl: string, slides: number): Promise<string> {
  const form = new FormData();
  (await slideImages(slides)).forEach((png, i) => form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), `slide-${String(i + 1).padStart(2, '0')}.png`));
  form.append('title', 'Bench deck');
  const response = await fetch(`${baseUrl}/api/decks`, { method: 'POST', headers: { Authorization: `Bearer ${PRESENTER_KEY}` }, body: form });
  const body = (await response.json()) as { id?: string; error?: string };
  if (response.status !== 201 || !body.id) throw new Error(`creating the bench deck failed: HTTP ${response.status} ${body.error ?? ''}`);
  return body.id;
}

