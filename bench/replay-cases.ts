/**
 * The two cases where phones catch up through the replay a subscription gets (the current state
 * with the talk's history), in fresh processes like every case:
 * - join mid-talk: `shown` slides were shown before any phone came; then every phone joins at once
 *   (the join storm's bounded set-ups) and gets the replay. Until every phone has the current slide.
 * - reconnect storm: every phone joined mid-talk and follows a few changes; the server is killed
 *   (SIGKILL) and started again on the same port (ours over the same data folder: the talk resumes
 *   from its live.json). Phones come back as cometd's client does (bench/loadgen.mjs `lost`):
 *   retry the connect with a growing backoff, re-handshake when the server no longer knows them,
 *   subscribe, get the replay. Until every phone is back on the current slide.
 * Faye and the floors get the same replay through bench/servers/replay.mjs: the last state
 * published, which the bench makes the same state, history included, that ours replays.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { caseError, FALLBACK_TEMPLATE, isBusy, loadgenTroubles, splitPhones, waitFloorHeld, type CaseContext, type LoadgenTroubles } from './cases';
import { cpuWindow, peakRssKiB, sampleCpu, sampleProcess, writtenBytes, type Window } from './proc';
import { launch, type Child } from './spawn';
import { percentiles, type Percentiles, type Send } from './stats';
import { PRESENTER_KEY, startTarget, type RunningTarget, type TargetName, type Transport } from './targets';

export type ReplayKind = 'join-mid-talk' | 'reconnect-storm';
export const REPLAY_KINDS: readonly ReplayKind[] = ['join-mid-talk', 'reconnect-storm'];
/** The targets these cases compare: ours, Faye with its replay extension, the floor with its replay. */
export const REPLAY_TARGETS: readonly TargetName[] = ['ours', 'faye', 'floor'];

export interface ReplaySpec {
  kind: ReplayKind;
  target: TargetName;
  transport: Transport;
  phones: number;
  /** Slides shown before the phones come: the replay's history. */
  shown: number;
  perLoadgen: number;
  joinConcurrency: number;
  wsClient: 'raw' | 'ws';
  ack: boolean;
}

export interface ReplayResult {
  kind: ReplayKind;
  target: TargetName;
  transport: Transport;
  phones: number;
  ack: boolean;
  shown: number;
  error?: string;
  /** Bytes of the replay event as the phones got it (`{"channel":...,"data":...}`). */
  replayBytes?: number;
  /** Phones that joined / had the current slide in the end / never did. */
  ready?: number;
  back?: number;
  missing?: number;
  /** join mid-talk: from the first phone starting; storm: from the SIGKILL; until the last phone had the current slide (ms). */
  allMs?: number;
  /** Per phone: from its own start (join mid-talk) or from the SIGKILL (storm) until it had the current slide. */
  perPhone?: Percentiles;
  /** Storm: from the SIGKILL until the server listened again, and from then until the last phone was back (ms). */
  restartMs?: number;
  afterListeningMs?: number;
  /** Server CPU over the measured window (storm: the restarted process from its start, start-up included). */
  serverCpuMs?: number;
  /** Storm: the restarted server's CPU until it listened (start-up, part of serverCpuMs). */
  startupCpuMs?: number;
  /** What the server wrote to its sockets (and logs) over the window, and what the phones received (payloads). */
  serverBytes?: number;
  phoneBytes?: number;
  /** Server RSS at the end; storm: the restarted server's peak RSS (VmHWM). */
  rssKiB?: number;
  peakRssKiB?: number;
  loadgen?: LoadgenTroubles;
  window?: Window;
  busy: boolean;
  code?: string;
}

const SHOW_INTERVAL_MS = 30;
/** Storm: changes the phones follow before the crash (back over slides already shown, so the replay stays the same). */
const FOLLOW_CHANGES = 3;
const FOLLOW_INTERVAL_MS = 500;
/** Longer than the longest backoff (15 s): a phone waiting for its next try is not a stall. */
const STALL_MS = 20_000;
const CATCH_UP_LIMIT_MS = 150_000;

/** One replay case; `replayTemplate` is what ours replayed earlier in the run (peers replay those bytes). */
export async function runReplayCase(spec: ReplaySpec, context: CaseContext & { replayTemplate?: Record<string, unknown> }): Promise<ReplayResult & { replayTemplate?: Record<string, unknown> }> {
  const result: ReplayResult = { kind: spec.kind, target: spec.target, transport: spec.transport, phones: spec.phones, ack: spec.ack, shown: spec.shown, busy: false };
  const children: Child[] = [];
  let target: RunningTarget | undefined;
  let sampled: Record<string, unknown> | undefined;
  try {
    target = await startTarget(spec.target, spec.transport, {
      root: context.root, phones: spec.phones, core: context.cores.server, slides: spec.shown + 2,
      logFile: context.logDir ? path.join(context.logDir, `${spec.kind}-${spec.target}-${spec.transport}-${spec.phones}.log`) : undefined,
    });
    const ours = spec.target === 'ours';
    const presenter = launch([process.execPath, path.join(context.root, 'bench/presenter.mjs')], { ipc: true, name: 'presenter', cpuList: context.cores.clients, nofile: 1_024, nice: -5 });
    children.push(presenter);
    await presenter.next('hello', 10_000);
    const init = await presenter.request<{ seq0?: number; template?: Record<string, unknown> }>(
      { type: 'init', target: spec.target, transport: spec.transport, host: target.host, port: target.port, path: target.path, baseUrl: target.baseUrl, deck: target.deck, ext: ours ? { auth: { token: PRESENTER_KEY } } : undefined },
      'ready', 30_000,
    );
    const replayTemplate = context.replayTemplate ?? withHistory(init.template ?? context.template ?? FALLBACK_TEMPLATE, spec.shown);
    const talk = new Talk(presenter, spec, target.deck, init.seq0 ?? 0, replayTemplate);

    const split = splitPhones(spec.phones, spec.perLoadgen);
    const loadgens = split.map((phones, i) => launch([process.execPath, path.join(context.root, 'bench/loadgen.mjs'), JSON.stringify({
      mode: spec.target === 'floor' ? 'floor' : 'bayeux', transport: spec.transport, host: target!.host, port: target!.port,
      path: target!.path, phones, concurrency: Math.max(1, Math.ceil(spec.joinConcurrency / split.length)),
      channel: '/slideshow/change', label: `lg${i}`, wsClient: spec.wsClient, ack: spec.ack,
    })], { ipc: true, name: `loadgen-${i}`, cpuList: context.cores.clients, nofile: phones + 256 }));
    children.push(...loadgens);
    await Promise.all(loadgens.map((l) => l.next('hello', 15_000)));

    // Mid-talk: `shown` slides shown (ours: live on slide 1, then 2..shown), before any phone.
    await talk.show(Array.from({ length: spec.shown - (ours ? 1 : 0) }, (_, i) => (ours ? i + 2 : i + 1)), SHOW_INTERVAL_MS);
    await sleep(500);

    const clientPids = [presenter.pid, ...loadgens.map((l) => l.pid)];
    const mark = () => Promise.all(loadgens.map((l) => l.request({ type: 'mark' }, 'marked', 10_000)));
    await mark();
    const joinWindow = openWindow(target, clientPids, context.cores.server);
    context.log(`    ${spec.kind}: joining ${spec.phones} phones after ${spec.shown} slides...`);
    const joined = await Promise.all(loadgens.map((l) => l.request<{ ready: number; failed: number; setup: { firstStart: number } }>({ type: 'join' }, 'joined', 180_000)));
    result.ready = joined.reduce((n, j) => n + j.ready, 0);
    const joinStart = Math.min(...joined.map((j) => j.setup.firstStart));
    const joinedGot = await waitForEvents(loadgens, result.ready, CATCH_UP_LIMIT_MS, 4_000);

    if (spec.kind === 'join-mid-talk') {
      const closed = joinWindow.close();
      result.phoneBytes = joinedGot.bytes;
      const caught = await catchUp(loadgens, talk.current, -Infinity);
      Object.assign(result, closed, summarizeCatchUp(caught, joinStart, 'fromStart'));
      sampled = caught.sample;
      result.replayBytes = caught.sample ? Buffer.byteLength(JSON.stringify({ channel: '/slideshow/change', data: caught.sample })) : undefined;
    } else {
      if (spec.target === 'floor' && spec.transport === 'long-polling') await waitFloorHeld(target.baseUrl, result.ready);
      // Following: back over slides already shown, so ours's replay keeps its history; the peers' last publish is the replay.
      await mark();
      const follow = Array.from({ length: FOLLOW_CHANGES }, (_, i) => spec.shown - FOLLOW_CHANGES + 1 + i);
      await talk.show(follow, FOLLOW_INTERVAL_MS);
      await waitForEvents(loadgens, result.ready * FOLLOW_CHANGES, 60_000, 4_000);
      await sleep(1_000);
      await mark();
      if (!target.crashAndRestart) throw new Error(`${spec.target} cannot be restarted`);
      context.log('    reconnect storm: SIGKILL, restart');
      const { killedAt, listeningAt } = await target.crashAndRestart(ours ? undefined : JSON.stringify(talk.lastData));
      const restarted = openWindow(target, clientPids, context.cores.server, true);
      const startupCpuMs = sampleProcess(target.serverPids[0]!)?.cpuMs;
      result.phoneBytes = (await waitForEvents(loadgens, result.ready, CATCH_UP_LIMIT_MS, STALL_MS)).bytes;
      const closed = restarted.close();
      const caught = await catchUp(loadgens, talk.current, killedAt);
      Object.assign(result, closed, summarizeCatchUp(caught, killedAt, 'times'));
      result.restartMs = listeningAt - killedAt;
      result.afterListeningMs = result.allMs !== undefined ? result.allMs - result.restartMs : undefined;
      result.startupCpuMs = startupCpuMs;
      result.peakRssKiB = peakRssKiB(target.serverPids[0]!);
      sampled = caught.sample;
      result.replayBytes = caught.sample ? Buffer.byteLength(JSON.stringify({ channel: '/slideshow/change', data: caught.sample })) : undefined;
    }
    const counts = await Promise.all(loadgens.map((l) => l.request<LoadgenCount>({ type: 'count' }, 'count', 30_000)));
    result.loadgen = loadgenTroubles(counts);
    return { ...result, replayTemplate: spec.target === 'ours' ? sampled : undefined };
  } catch (error) {
    result.error = caseError(error, context.root);
    return result;
  } finally {
    await Promise.all(children.map((c) => c.kill(1_000)));
    await target?.stop();
  }
}

/**
 * The presenter's side of a talk: ours gets commands (its seq is seq0 + k for the k-th), the
 * others the replay state itself with our own seq = k, so the last one published is what they replay.
 */
class Talk {
  #k = 0;
  current = { seq: 0, slide: 1 };
  lastData: Record<string, unknown> | undefined;

  constructor(
    private readonly presenter: Child,
    private readonly spec: ReplaySpec,
    private readonly deck: string | undefined,
    private readonly seq0: number,
    private readonly template: Record<string, unknown>,
  ) {
    if (spec.target === 'ours') this.current = { seq: seq0, slide: 1 };
  }

  async show(slides: number[], intervalMs: number): Promise<void> {
    if (slides.length === 0) return;
    const commands = slides.map((slide) => ({ k: ++this.#k, slide }));
    const done = await this.presenter.request<{ sends: Send[] }>(
      { type: 'phase', commands, intervalMs, seq0: this.seq0, target: this.spec.target, deck: this.deck, template: this.template },
      'phaseDone', slides.length * intervalMs + 60_000,
    );
    const failed = done.sends.filter((s) => !s.ok);
    if (failed.length > 0) throw new Error(`the presenter's publish failed: ${failed[0]!.error ?? 'no acknowledgement'}`);
    const last = done.sends[done.sends.length - 1]!;
    this.current = { seq: last.seq, slide: last.slide };
    this.lastData = { ...this.template, slide: last.slide, seq: last.seq, at: Date.now() };
  }
}

/** A state shaped like ours's replay when ours is not in the run: the state plus `shown` shown slides. */
function withHistory(state: Record<string, unknown>, shown: number): Record<string, unknown> {
  const { slide: _slide, live: _live, seq: _seq, at: _at, deck: _deck, title: _title, count: _count, blackout: _blackout, history: _history, startedAt: _startedAt, ...slideFields } = state;
  return { ...state, history: Array.from({ length: shown }, (_, i) => ({ ...slideFields, slide: i + 1 })) };
}

/** A load generator's `count` answer: what arrived since its mark, and its phones' troubles. */
interface LoadgenCount extends LoadgenTroubles {
  count: number;
  bytes: number;
}

interface CaughtUp {
  times: number[];
  fromStart: number[];
  missing: number;
  sample?: Record<string, unknown>;
}

async function catchUp(loadgens: Child[], current: { seq: number; slide: number }, since: number): Promise<CaughtUp> {
  const answers = await Promise.all(loadgens.map((l) => l.request<CaughtUp>({ type: 'catchUp', ...current, since }, 'caughtUp', 120_000)));
  return {
    times: answers.flatMap((a) => a.times),
    fromStart: answers.flatMap((a) => a.fromStart),
    missing: answers.reduce((n, a) => n + a.missing, 0),
    sample: answers.find((a) => a.sample)?.sample,
  };
}

/** allMs from `origin` to the last phone's receipt; per phone from its own start or from `origin`. */
function summarizeCatchUp(caught: CaughtUp, origin: number, perPhone: 'fromStart' | 'times'): Partial<ReplayResult> {
  const last = caught.times.length > 0 ? Math.max(...caught.times) : undefined;
  return {
    back: caught.times.length,
    missing: caught.missing,
    allMs: caught.missing === 0 && last !== undefined ? last - origin : undefined,
    perPhone: percentiles(perPhone === 'fromStart' ? caught.fromStart : caught.times.map((t) => t - origin)),
  };
}

/**
 * Server CPU, bytes written and RSS, and the machine's CPU, from now until `close()`. `fresh`: the
 * server process is new (restarted): its CPU and bytes count from its start.
 */
function openWindow(target: RunningTarget, clientPids: number[], serverCore: number | undefined, fresh = false) {
  const pid = () => target.serverPids[0]!;
  const cpu = () => sampleProcess(pid())?.cpuMs ?? 0;
  const clients = () => clientPids.reduce((n, p) => n + (sampleProcess(p)?.cpuMs ?? 0), 0) + selfCpuMs();
  const start = { machine: sampleCpu(), server: fresh ? 0 : cpu(), bytes: fresh ? 0 : (writtenBytes(pid()) ?? 0), clients: clients() };
  return {
    close(): Partial<ReplayResult> {
      const serverCpuMs = cpu() - start.server;
      const window = cpuWindow(start.machine, sampleCpu(), clients() - start.clients + serverCpuMs, serverCpuMs, serverCore);
      return { serverCpuMs, serverBytes: (writtenBytes(pid()) ?? 0) - start.bytes, rssKiB: sampleProcess(pid())?.rssKiB, window, busy: isBusy(window) };
    },
  };
}

function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Until the phones received `expected` slide events since their mark, nothing came for `stallMs`, or the time is up. */
async function waitForEvents(loadgens: Child[], expected: number, limitMs: number, stallMs: number): Promise<{ events: number; bytes: number }> {
  const deadline = performance.now() + limitMs;
  let last = -1;
  let lastChange = performance.now();
  let got = { events: 0, bytes: 0 };
  while (performance.now() < deadline) {
    await sleep(100);
    const counts = await Promise.all(loadgens.map((l) => l.request<LoadgenCount>({ type: 'count' }, 'count', 30_000)));
    got = { events: counts.reduce((n, c) => n + c.count, 0), bytes: counts.reduce((n, c) => n + c.bytes, 0) };
    if (got.events !== last) {
      last = got.events;
      lastChange = performance.now();
    }
    if (got.events >= expected || performance.now() - lastChange > stallMs) return got;
  }
  return got;
}
