/**
 * One case: one target on one transport with N phones, in fresh processes. In order:
 * 1. the join storm: every phone connects at once (bounded in-flight set-ups) -> set-up time;
 * 2. the slideshow: one slide change a second;
 * 3. the burst: ten changes in one second (the presenter clicking through).
 * Measured per phase: deliveries (lost, duplicated, reordered), latency from the presenter's send
 * to each phone's receipt, time until the last phone had each slide, the presenter's wait for the
 * acknowledgement, server CPU and RSS from /proc, and the CPU other processes took meanwhile.
 */
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuWindow, sampleCpu, sampleProcess, type CpuSample, type Window } from './proc';
import { launch, type Child } from './spawn';
import { percentiles, summarize, type Delivery, type LoadgenReport, type Percentiles, type Send } from './stats';
import { PRESENTER_KEY, SLIDES, isOurs, startTarget, type RunningTarget, type TargetName, type Transport } from './targets';

export interface CaseSpec {
  target: TargetName;
  transport: Transport;
  phones: number;
  slideshowSlides: number;
  burstSlides: number;
  perLoadgen: number;
  /** Phones setting up at once, over all load generators. */
  joinConcurrency: number;
  /** The phones' WebSocket client: the bench's raw one, or `ws`. */
  wsClient: 'raw' | 'ws';
  /**
   * Phones ask for the ack extension in their handshake, as the pages do (cometd's AckExtension):
   * the product path. false: like-for-like rows against peers that lack it (labelled "no ack").
   */
  ack: boolean;
}

export interface Cores {
  server: number | undefined;
  /** taskset list for load generators and the presenter, e.g. "1" or "1-3". */
  clients: string | undefined;
}

export interface CaseContext {
  root: string;
  cores: Cores;
  /** The slide state our server broadcast (read from ours earlier in the run): what peers carry. */
  template: Record<string, unknown> | undefined;
  profileDir?: string;
  /** Extra Node flags for our server. */
  oursFlags?: string[];
  /** Folder for every server's output (one file per case). */
  logDir?: string;
  log: (line: string) => void;
}

export interface PhaseResult extends Delivery {
  serverCpuMs: number;
  cpuUsPerDelivery: number | undefined;
  /** CPU the load generators used per delivery: if it nears the server's, the clients limit the measurement. */
  clientCpuUsPerDelivery: number | undefined;
  /** Slide changes per frame or HTTP response the phones received (1 = none batched; meta replies count as frames). */
  eventsPerFrame: number | undefined;
  rssKiB: number;
  window: Window;
  busy: boolean;
}

export interface CaseResult {
  target: TargetName;
  transport: Transport;
  phones: number;
  /** The phones asked for ack (absent in records made before phones could). */
  ack?: boolean;
  /** Phones whose handshake the server answered with ack: every connect reply to them was numbered. */
  acking?: number;
  error?: string;
  serverStartMs?: number;
  payloadBytes?: number;
  setup?: { ms: number; startedAt: number; ready: number; failed: number; perPhone: Percentiles | undefined; serverCpuMs: number; window: Window; busy: boolean };
  memory?: { baselineKiB: number; afterSetupKiB: number; afterSlideshowKiB: number; perPhoneIdleKiB: number; perPhoneKiB: number };
  slideshow?: PhaseResult;
  burst?: PhaseResult;
  loadgen?: LoadgenTroubles;
  busy: boolean;
  /** The code measured (commit, and a fingerprint of uncommitted server/ and lib/ changes), read when the case started. */
  code?: string;
}

/** Other processes using more than this (in cores) during a phase mark it busy. */
export const BUSY_OTHER_CORES = 0.1;
export const BUSY_SERVER_CORE = 0.05;
const SLIDESHOW_INTERVAL_MS = 1_000;
const BURST_INTERVAL_MS = 100;
const STALL_MS = 4_000;
const WARMUP_CHANGES = 2;

/** The state peers carry when ours is not in the run: the shape and size of what ours broadcasts for the bench deck. */
export const FALLBACK_TEMPLATE = {
  slide: 1, src: '/img/bench0000000000/00000000000000000000000000000000-320.jpg',
  images: [{ width: 320, height: 180, webp: '/img/bench0000000000/00000000000000000000000000000000-320.webp', jpeg: '/img/bench0000000000/00000000000000000000000000000000-320.jpg' }],
  width: 320, height: 180, placeholder: `data:image/webp;base64,${'A'.repeat(96)}`, alt: 'Slide 1 of 20: slide-01',
  live: true, seq: 1, at: 0, deck: 'bench0000000000', title: 'Bench deck', count: 20, blackout: false,
};

export async function runCase(spec: CaseSpec, context: CaseContext): Promise<CaseResult & { template?: Record<string, unknown> }> {
  const result: CaseResult = { target: spec.target, transport: spec.transport, phones: spec.phones, ack: spec.ack, busy: false };
  const children: Child[] = [];
  let target: RunningTarget | undefined;
  try {
    target = await startTarget(spec.target, spec.transport, {
      root: context.root, phones: spec.phones, core: context.cores.server, profileDir: context.profileDir,
      nodeFlags: isOurs(spec.target) ? context.oursFlags : undefined,
      logFile: context.logDir ? path.join(context.logDir, `${spec.target}-${spec.transport}-${spec.phones}.log`) : undefined,
    });
    result.serverStartMs = target.startMs;
    const node = process.execPath;
    const clientCore = context.cores.clients;
    // The presenter knows one kind of our server: several nodes behind it change nothing for it (it talks to node A).
    const presenterTarget = isOurs(spec.target) ? 'ours' : spec.target;
    const presenter = launch([node, path.join(context.root, 'bench/presenter.mjs')], { ipc: true, name: 'presenter', cpuList: clientCore, nofile: 1_024, nice: -5 });
    children.push(presenter);
    await presenter.next('hello', 10_000);
    const init = await presenter.request<{ seq0?: number; template?: Record<string, unknown> }>(
      {
        type: 'init', target: presenterTarget, transport: spec.transport, host: target.host, port: target.port, path: target.path,
        baseUrl: target.baseUrl, deck: target.deck, ext: isOurs(spec.target) ? { auth: { token: PRESENTER_KEY } } : undefined,
      },
      'ready', 30_000,
    );
    const template = init.template ?? context.template ?? FALLBACK_TEMPLATE;
    result.payloadBytes = Buffer.byteLength(JSON.stringify({ channel: '/slideshow/change', data: template }));

    // Several nodes: at least one load generator per node, phones split evenly, load generator i on node i mod n.
    const split = splitPhones(spec.phones, spec.perLoadgen, target.nodes.length);
    const loadgens = split.map((phones, i) => {
      const at = target!.nodes[i % target!.nodes.length]!;
      return launch([node, path.join(context.root, 'bench/loadgen.mjs'), JSON.stringify({
        mode: spec.target === 'floor' ? 'floor' : 'bayeux', transport: spec.transport, host: at.host, port: at.port,
        path: target!.path, phones, concurrency: Math.max(1, Math.ceil(spec.joinConcurrency / split.length)),
        channel: '/slideshow/change', label: `lg${i}`, wsClient: spec.wsClient, ack: spec.ack,
      })], { ipc: true, name: `loadgen-${i}`, cpuList: clientCore, nofile: phones + 256 });
    });
    children.push(...loadgens);
    await Promise.all(loadgens.map((l) => l.next('hello', 15_000)));
    const ours = [...target.serverPids, presenter.pid, ...loadgens.map((l) => l.pid)];
    const serverCore = context.cores.server;
    const measure = startMeasure(target.serverPids, ours, loadgens.map((l) => l.pid), serverCore);
    await sleep(500);

    // 1. Join storm.
    const base = measure.begin();
    context.log(`    joining ${spec.phones} phones...`);
    const joined = await Promise.all(
      loadgens.map((l) => l.request<{ ready: number; failed: number; setup: { firstStart: number; lastReady: number; durations: number[] } }>({ type: 'join' }, 'joined', 180_000)),
    );
    const setupWindow = measure.end(base);
    const ready = joined.reduce((n, j) => n + j.ready, 0);
    const failed = joined.reduce((n, j) => n + j.failed, 0);
    const joinStart = Math.min(...joined.map((j) => j.setup.firstStart));
    result.setup = {
      ms: Math.max(...joined.map((j) => j.setup.lastReady)) - joinStart,
      startedAt: joinStart,
      ready, failed,
      perPhone: percentiles(joined.flatMap((j) => j.setup.durations)),
      serverCpuMs: setupWindow.serverCpuMs,
      window: setupWindow.window,
      busy: isBusy(setupWindow.window),
    };
    if (spec.target === 'floor' && spec.transport === 'long-polling') await waitFloorHeld(target.baseUrl, ready);
    await sleep(1_000);
    const afterSetup = await settledRss(target.serverPids);

    // 2. Slideshow, 3. burst, after two changes not measured (first writes on fresh sockets, cold code).
    let k = 0;
    const commands = (n: number) => Array.from({ length: n }, () => ++k).map((kk) => ({ k: kk, slide: 2 + ((kk - 1) % (SLIDES - 1)) }));
    await Promise.all(loadgens.map((l) => l.request({ type: 'mark' }, 'marked', 10_000)));
    const warmup = presenter.request({ type: 'phase', commands: commands(WARMUP_CHANGES), intervalMs: 300, seq0: init.seq0 ?? 0, target: presenterTarget, deck: target.deck, template }, 'phaseDone', 60_000);
    await waitForDeliveries(loadgens, ready * WARMUP_CHANGES, warmup, 30_000);
    await sleep(500);
    const phases: Array<['slideshow' | 'burst', number, number]> = [['slideshow', spec.slideshowSlides, SLIDESHOW_INTERVAL_MS], ['burst', spec.burstSlides, BURST_INTERVAL_MS]];
    const sendsByPhase = new Map<string, { sends: Send[]; samples: MeasureEnd; received: Received }>();
    for (const [name, count, intervalMs] of phases) {
      context.log(`    ${name}: ${count} changes every ${intervalMs} ms`);
      await Promise.all(loadgens.map((l) => l.request({ type: 'mark' }, 'marked', 10_000)));
      const start = measure.begin();
      const phaseDone = presenter.request<{ sends: Send[] }>(
        { type: 'phase', commands: commands(count), intervalMs, seq0: init.seq0 ?? 0, target: presenterTarget, deck: target.deck, template },
        'phaseDone', count * intervalMs + 90_000,
      );
      const received = await waitForDeliveries(loadgens, ready * count, phaseDone, count * intervalMs + 60_000);
      const samples = measure.end(start);
      sendsByPhase.set(name, { sends: (await phaseDone).sends, samples, received });
      await sleep(500);
    }
    const afterSlideshowKiB = sendsByPhase.get('slideshow')!.samples.rssKiB;
    result.memory = {
      baselineKiB: base.rssKiB,
      afterSetupKiB: afterSetup,
      afterSlideshowKiB,
      perPhoneIdleKiB: (afterSetup - base.rssKiB) / Math.max(1, ready),
      perPhoneKiB: (afterSlideshowKiB - base.rssKiB) / Math.max(1, ready),
    };

    const allSends = [...sendsByPhase.values()].flatMap((p) => p.sends);
    const reports = await Promise.all(loadgens.map((l) => l.request<LoadgenReport>({ type: 'report', expected: allSends.map(({ seq, slide }) => ({ seq, slide })) }, 'report', 120_000)));
    for (const [name, { sends, samples, received }] of sendsByPhase) {
      const delivery = summarize(sends, reports, ready);
      const had = delivery.delivered + delivery.superseded;
      result[name as 'slideshow' | 'burst'] = {
        ...delivery,
        serverCpuMs: samples.serverCpuMs,
        cpuUsPerDelivery: had > 0 ? (samples.serverCpuMs * 1000) / had : undefined,
        clientCpuUsPerDelivery: had > 0 ? (samples.clientCpuMs * 1000) / had : undefined,
        eventsPerFrame: received.frames > 0 ? received.events / received.frames : undefined,
        rssKiB: samples.rssKiB,
        window: samples.window,
        busy: isBusy(samples.window),
      };
    }
    const stats = reports.map((r) => r.stats);
    result.loadgen = loadgenTroubles(stats);
    result.acking = stats.reduce((n, s) => n + (s.acking ?? 0), 0);
    result.busy = [result.setup.busy, result.slideshow?.busy, result.burst?.busy].some(Boolean);
    return { ...result, template: init.template };
  } catch (error) {
    result.error = caseError(error, context.root);
    return result;
  } finally {
    await Promise.all(children.map((c) => c.kill(1_000)));
    await target?.stop();
  }
}

export function isBusy(window: Window): boolean {
  return window.otherCores > BUSY_OTHER_CORES || (window.otherOnServerCore ?? 0) > BUSY_SERVER_CORE || window.stealCores > BUSY_SERVER_CORE;
}

/** Phones per load generator: at most `perProcess` each, and a multiple of `nodes` processes (so every node gets its share). */
export function splitPhones(total: number, perProcess: number, nodes = 1): number[] {
  const processes = Math.min(total, Math.ceil(Math.max(1, Math.ceil(total / perProcess)) / nodes) * nodes);
  return Array.from({ length: processes }, (_, i) => Math.floor(total / processes) + (i < total % processes ? 1 : 0));
}

interface MeasureStart {
  cpu: CpuSample;
  serverCpuMs: number;
  clientCpuMs: number;
  oursCpuMs: number;
  rssKiB: number;
}

interface MeasureEnd {
  serverCpuMs: number;
  clientCpuMs: number;
  rssKiB: number;
  window: Window;
}

/**
 * The server's footprint once the join storm is over: the smallest of ten readings over 2 s. The
 * RSS drops when a GC releases the storm's garbage, which may come a moment after the last phone
 * joined or not; one reading would measure GC timing as much as the phones (it swung 13-19 KiB).
 */
async function settledRss(pids: readonly number[]): Promise<number> {
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i++) {
    smallest = Math.min(smallest, rssOf(pids));
    await sleep(200);
  }
  return smallest;
}

/** RSS summed over the server side's processes (one server, or both nodes and Redis). */
function rssOf(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + (sampleProcess(pid)?.rssKiB ?? 0), 0);
}

/**
 * CPU of the server side (summed over its processes: one server, or both nodes and Redis) and of
 * all our processes (this one included), and the machine's, between two points.
 */
function startMeasure(serverPids: readonly number[], ours: readonly number[], clients: readonly number[], serverCore: number | undefined) {
  const cpuOf = (pids: readonly number[]) => pids.reduce((total, pid) => total + (sampleProcess(pid)?.cpuMs ?? 0), 0);
  const oursCpu = () => cpuOf(ours) + selfCpuMs();
  const begin = (): MeasureStart => {
    return { cpu: sampleCpu(), serverCpuMs: cpuOf(serverPids), clientCpuMs: cpuOf(clients), oursCpuMs: oursCpu(), rssKiB: rssOf(serverPids) };
  };
  const end = (start: MeasureStart): MeasureEnd => {
    const serverCpuMs = cpuOf(serverPids) - start.serverCpuMs;
    const window = cpuWindow(start.cpu, sampleCpu(), oursCpu() - start.oursCpuMs, serverCpuMs, serverCore);
    return { serverCpuMs, clientCpuMs: cpuOf(clients) - start.clientCpuMs, rssKiB: rssOf(serverPids), window };
  };
  return { begin, end };
}

function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

interface Received {
  events: number;
  frames: number;
}

/** Until every expected event arrived, nothing arrived for a while after the last send, or the time is up. */
async function waitForDeliveries(loadgens: Child[], expected: number, phaseDone: Promise<unknown>, limitMs: number): Promise<Received> {
  let sent = false;
  void phaseDone.then(() => (sent = true), () => (sent = true));
  const deadline = performance.now() + limitMs;
  let last = -1;
  let lastChange = performance.now();
  let received: Received = { events: 0, frames: 0 };
  while (performance.now() < deadline) {
    await sleep(100);
    const counts = await Promise.all(loadgens.map((l) => l.request<{ count: number; frames: number }>({ type: 'count' }, 'count', 30_000)));
    received = { events: counts.reduce((n, c) => n + c.count, 0), frames: counts.reduce((n, c) => n + c.frames, 0) };
    if (received.events !== last) {
      last = received.events;
      lastChange = performance.now();
    }
    if (sent && received.events >= expected) return received;
    if (sent && performance.now() - lastChange > STALL_MS) return received;
  }
  return received;
}

/** The long-polling floor has no subscribe: wait until it holds every phone's poll. */
export async function waitFloorHeld(baseUrl: string, phones: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const stats = (await (await fetch(`${baseUrl}/stats`)).json()) as { held: number };
    if (stats.held >= phones) return;
    await sleep(100);
  }
}

/** What went wrong for the phones of a case, summed over its load generators. */
export interface LoadgenTroubles {
  errors: number;
  rehandshakes: number;
  reconnects: number;
  dropped: number;
  lastError: string;
}

export function loadgenTroubles(counts: readonly LoadgenTroubles[]): LoadgenTroubles {
  const sum = (key: 'errors' | 'rehandshakes' | 'reconnects' | 'dropped') => counts.reduce((n, c) => n + c[key], 0);
  return { errors: sum('errors'), rehandshakes: sum('rehandshakes'), reconnects: sum('reconnects'), dropped: sum('dropped'), lastError: counts.map((c) => c.lastError).find(Boolean) ?? '' };
}

/** A case's failure as its report shows it: kept in project files, so no paths of this machine. */
export function caseError(error: unknown, root: string): string {
  return (error instanceof Error ? error.message : String(error)).replaceAll(root, '.').replaceAll(os.tmpdir(), '<tmp>');
}
