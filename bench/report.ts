/**
 * BENCHMARKS.md from a run: the targets of issue 4 checked, a table per case with ratios to the
 * floor and to each peer, and a comparison of the ratios with the recorded baseline (a change of
 * more than 10% the wrong way is flagged as a regression).
 */
import type { CaseResult, PhaseResult } from './cases';
import type { ReplayKind, ReplayResult } from './replay-cases';
import type { Machine } from './proc';
import { GOALS, type TargetName, type Transport } from './targets';

export interface Ratio {
  key: string;
  value: number;
  better: 'lower' | 'higher';
  /** The issue's target for this ratio, if it has one. */
  target?: number;
}

export interface RunRecord {
  date: string;
  code: string;
  /** Different cases measured different code (someone committed or edited server/ during the run). */
  codeChanged?: boolean;
  command: string;
  machine: Machine;
  pinned: { server: string; clients: string } | undefined;
  openFiles?: string;
  limits: string[];
  options: Record<string, unknown>;
  durationSeconds: number;
  cases: CaseResult[];
  /** Join mid-talk and reconnect storm (bench/replay-cases.ts); absent in records made before them. */
  replayCases?: ReplayResult[];
  ratios?: Ratio[];
}

export interface Baseline {
  date: string;
  code?: string;
  machine: Machine;
  busy: boolean;
  /** Its phones negotiated ack (the product path); baselines made before phones could did not. */
  ack?: boolean;
  ratios: Ratio[] | undefined;
}

export interface Comparison {
  baselineDate: string;
  baselineCode: string | undefined;
  baselineBusy: boolean;
  rows: Array<{ key: string; baseline: number; latest: number; change: number; regression: boolean }>;
  regressions: string[];
  /** The baseline measured the other client path (ack or not): its ratios are not compared. */
  otherPath?: boolean;
}

const REGRESSION = 0.1;
const PHASES = ['slideshow', 'burst'] as const;
type Phase = (typeof PHASES)[number];

/** Targets whose phones run with or without ack; Faye ignores `ext.ack` and the floors speak no Bayeux. */
const ACKING: readonly TargetName[] = ['ours', 'ours-2nodes', 'cometd-node'];

/** Whether a case's phones negotiated ack; records made before phones could did not. */
export function ackOf(c: { ack?: boolean }): boolean {
  return c.ack ?? false;
}

/** The run's product path: ack when any case's phones negotiated it (a `--no-ack` run has none). */
export function runAck(cases: ReadonlyArray<{ ack?: boolean }>): boolean {
  return cases.some(ackOf);
}

function find(cases: CaseResult[], target: TargetName, transport: Transport, phones: number, ack = runAck(cases)): CaseResult | undefined {
  return cases.find((c) => c.target === target && c.transport === transport && c.phones === phones && !c.error && (!ACKING.includes(target) || ackOf(c) === ack));
}

/** A target's name in the tables: "(no ack)" where its phones did not negotiate what the pages do. */
export function label(c: { target: TargetName; ack?: boolean }): string {
  return ACKING.includes(c.target) && !ackOf(c) ? `${c.target} (no ack)` : c.target;
}

function lastPhone(result: CaseResult | undefined, phase: Phase): number | undefined {
  return result?.[phase]?.lastPhoneMedian;
}

/** The ratios the issue sets targets on, and the few more worth tracking. */
export function ratiosOf(cases: CaseResult[], replayCases: ReplayResult[] = []): Ratio[] {
  const ratios: Ratio[] = [];
  const ack = runAck(cases);
  const groups = new Set(cases.map((c) => `${c.transport}|${c.phones}`));
  for (const group of groups) {
    const [transport, phonesText] = group.split('|') as [Transport, string];
    const phones = Number(phonesText);
    const ours = find(cases, 'ours', transport, phones);
    const add = (key: string, value: number | undefined, better: Ratio['better'], target?: number) => {
      if (value !== undefined && Number.isFinite(value)) ratios.push({ key: `${transport}|${phones}|${key}`, value: round3(value), better, ...(target !== undefined ? { target } : {}) });
    };
    for (const phase of PHASES) {
      const o = lastPhone(ours, phase);
      const main = phase === 'slideshow';
      add(`${phase}|ours/floor`, div(o, lastPhone(find(cases, 'floor', transport, phones), phase)), 'lower', main ? GOALS.oursOverFloor[transport] : undefined);
      for (const [peer, goal] of Object.entries(GOALS.peerOverOurs[transport]) as Array<[TargetName, number]>) {
        add(`${phase}|${peer}/ours`, div(lastPhone(find(cases, peer, transport, phones), phase), o), 'higher', main ? goal : undefined);
      }
    }
    add('join|ours/floor', div(ours?.setup?.ms, find(cases, 'floor', transport, phones)?.setup?.ms), 'lower');
    // Memory per phone: RSS growth over the join, per phone, once it settled (the smallest reading over 2 s). At 1,000 phones
    // the heap's own growth steps drown it, and after traffic it varies ±50% with GC timing: neither is tracked.
    if (phones >= GOALS.memoryBytesPerPhone.phones) add('memory|ours KiB/phone after join', ours?.memory?.perPhoneIdleKiB, 'lower', GOALS.memoryBytesPerPhone[transport] / 1024);
    add('ack|ours p50 ms', ours?.slideshow?.ack?.p50, 'lower', phones >= GOALS.publishAck.phones ? GOALS.publishAck.ms : undefined);
    // `--ack both`: ours without ack beside the product path, like for like with Faye (no targets on it).
    const noAck = ack ? find(cases, 'ours', transport, phones, false) : undefined;
    if (noAck) {
      add('slideshow|ours (no ack)/floor', div(lastPhone(noAck, 'slideshow'), lastPhone(find(cases, 'floor', transport, phones), 'slideshow')), 'lower');
      add('slideshow|faye/ours (no ack)', div(lastPhone(find(cases, 'faye', transport, phones), 'slideshow'), lastPhone(noAck, 'slideshow')), 'higher');
    }
  }
  ratios.push(...replayRatios(replayCases));
  return ratios;
}

function findReplay(cases: ReplayResult[], kind: ReplayKind, target: TargetName, transport: Transport, phones: number): ReplayResult | undefined {
  return cases.find((c) => c.kind === kind && c.target === target && c.transport === transport && c.phones === phones && !c.error);
}

/** Join mid-talk and reconnect storm: until the last phone had the current slide, ours against the floor and Faye. */
function replayRatios(cases: ReplayResult[]): Ratio[] {
  const ratios: Ratio[] = [];
  for (const group of new Set(cases.map((c) => `${c.kind}|${c.transport}|${c.phones}`))) {
    const [kind, transport, phonesText] = group.split('|') as [ReplayKind, Transport, string];
    const phones = Number(phonesText);
    const all = (target: TargetName) => findReplay(cases, kind, target, transport, phones)?.allMs;
    const add = (key: string, value: number | undefined, better: Ratio['better'], target?: number) => {
      if (value !== undefined && Number.isFinite(value)) ratios.push({ key: `${transport}|${phones}|${kind}|${key}`, value: round3(value), better, ...(target !== undefined ? { target } : {}) });
    };
    add('ours/floor', div(all('ours'), all('floor')), 'lower', kind === 'reconnect-storm' && phones >= GOALS.storm.phones ? GOALS.storm.oursOverFloor : undefined);
    add('faye/ours', div(all('faye'), all('ours')), 'higher');
  }
  return ratios;
}

export function compare(record: RunRecord, baseline: Baseline): Comparison {
  const rows: Comparison['rows'] = [];
  if ((baseline.ack ?? false) !== runAck([...record.cases, ...(record.replayCases ?? [])])) {
    return { baselineDate: baseline.date, baselineCode: baseline.code, baselineBusy: baseline.busy, rows, regressions: [], otherPath: true };
  }
  for (const latest of record.ratios ?? []) {
    const base = baseline.ratios?.find((r) => r.key === latest.key);
    if (!base) continue;
    const change = latest.value / base.value - 1;
    const regression = latest.better === 'lower' ? change > REGRESSION : change < -REGRESSION;
    rows.push({ key: latest.key, baseline: base.value, latest: latest.value, change, regression });
  }
  return { baselineDate: baseline.date, baselineCode: baseline.code, baselineBusy: baseline.busy, rows, regressions: rows.filter((r) => r.regression).map((r) => r.key) };
}

const f = (value: number | undefined, digits = 1) => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits));
const div = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined);
const round3 = (value: number) => Math.round(value * 1000) / 1000;

function met(ratio: Ratio): boolean {
  return ratio.better === 'lower' ? ratio.value <= ratio.target! : ratio.value >= ratio.target!;
}

/** Missed peer/ours targets that the floor itself misses in this run (peer/floor below the target). */
function targetsBeyondTheFloor(record: RunRecord): string[] {
  const lines: string[] = [];
  for (const ratio of record.ratios ?? []) {
    const [transport, phones, phase, name] = ratio.key.split('|') as [Transport, string, string, string];
    const peer = /^(.+)\/ours$/.exec(name)?.[1] as TargetName | undefined;
    if (ratio.target === undefined || peer === undefined || met(ratio) || phase !== 'slideshow') continue;
    const peerOverFloor = div(lastPhone(find(record.cases, peer, transport, Number(phones)), 'slideshow'), lastPhone(find(record.cases, 'floor', transport, Number(phones)), 'slideshow'));
    if (peerOverFloor === undefined || peerOverFloor >= ratio.target) continue;
    lines.push(`${transport}, ${phones} phones: ${peer}/ours ≥ ${f(ratio.target, 2)}× asked, ${peer}/floor is ${f(peerOverFloor, 2)}× (ours/floor ${f(peerOverFloor / ratio.value, 2)}×).`);
  }
  return lines;
}

export function renderMarkdown(record: RunRecord, comparison: Comparison | undefined): string {
  const { machine, cases } = record;
  const busy = cases.filter((c) => c.busy);
  const out: string[] = [];
  out.push('# Benchmarks: a slide change reaching every phone', '');
  out.push('Generated by `npm run bench` (bench/run.ts; method in bench/README.md). Do not edit by hand: run the bench.', '');
  out.push(`* **Date:** ${record.date}`);
  out.push(`* **Command:** \`${record.command}\` (took ${record.durationSeconds} s), code ${record.code}`);
  out.push(`* **Machine:** ${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}`);
  out.push(`* **Pinning:** ${record.pinned ? `server on core ${record.pinned.server}; load generators and presenter on ${record.pinned.clients}` : 'none (no taskset or a single core)'}`);
  if (record.openFiles) out.push(`* **Open files:** ${record.openFiles}`);
  for (const note of record.limits) out.push(`* **Limit:** ${note}`);
  out.push(busy.length
    ? `* **BUSY MACHINE:** other processes used CPU during ${busy.length} of ${cases.length} cases (marked ⚠ below, with the cores they used): those numbers are not to be trusted.`
    : '* **Machine quiet:** no other process used more than 0.1 core during any measured phase.');
  const acked = runAck([...cases, ...(record.replayCases ?? [])]);
  out.push(acked
    ? '* **Client path:** the phones negotiate the ack extension as the pages do (lib/client/connection.ts registers cometd\'s AckExtension): every `/meta/connect` reply is numbered and each connect echoes the last number; ours pushes WebSocket events at once and numbers them in the next connect reply, long-polling events come in connect replies. Faye ignores it; cometd-node has its ack extension enabled (it sends events only in connect replies). Rows marked "(no ack)" are like-for-like rows without it, not the product path.'
    : '* **NO-ACK RUN** (`--no-ack`, or recorded before the phones negotiated ack): the phones did not negotiate ack, which every page does: these numbers describe a path our phones never take. Like-for-like with the peers only; the targets are the product path\'s.');
  if (record.codeChanged) out.push(`* **CODE CHANGED DURING THE RUN** (${record.code}): the cases measured different versions; ratios between them mean nothing. Run again.`);
  const failed = cases.filter((c) => c.error);
  for (const c of failed) out.push(`* **FAILED:** ${c.target} ${c.transport} ${c.phones} phones: ${c.error!.split('\n')[0]}`);
  out.push('');

  out.push('## Targets of issue 4', '');
  const targetsAt = out.length;
  out.push('Ratios of the median "slide reaches all phones" (per slide, the time from the presenter\'s send until the last phone had it) in the slideshow, all from this run; reconnect storm: until the last phone was back on the current slide, from the SIGKILL.', '');
  out.push('| transport | phones | what | target | measured | met |', '|---|---:|---|---:|---:|:---:|');
  for (const ratio of (record.ratios ?? []).filter((r) => r.target !== undefined)) {
    const [transport, phones, phase, name] = ratio.key.split('|');
    const unit = name!.includes('KiB') ? ' KiB' : name!.includes('ms') ? ' ms' : '×';
    out.push(`| ${transport} | ${phones} | ${phase} ${name} | ${ratio.better === 'lower' ? '≤' : '≥'} ${f(ratio.target, 2)}${unit} | ${f(ratio.value, 2)}${unit} | ${met(ratio) ? 'yes' : '**no**'} |`);
  }
  for (const c of cases.filter((c) => c.target === 'ours' && !c.error)) {
    for (const phase of PHASES) {
      const p = c[phase];
      if (!p) continue;
      const superseded = p.superseded ?? 0;
      const exact = p.lost === 0 && p.duplicates === 0 && p.outOfOrder === 0 && p.delivered + superseded === p.expected && c.setup?.failed === 0;
      const folded = superseded > 0 ? ` (${f((100 * superseded) / Math.max(1, p.expected), 2)}% superseded: latest wins)` : '';
      const resent = p.resent ? `, ${p.resent} resent (dropped by the store)` : '';
      out.push(`| ${c.transport} | ${c.phones} | ${phase}: ${label(c)} delivered exactly once, in order | 100% | ${f((100 * (p.delivered + superseded)) / Math.max(1, p.expected), 2)}%${folded}, ${p.duplicates} dup, ${p.outOfOrder} reordered${resent} | ${exact ? 'yes' : '**no**'} |`);
    }
  }
  out.push('');
  const checked = out.slice(targetsAt).filter((line) => line.endsWith('| yes |') || line.endsWith('| **no** |'));
  const missed = checked.filter((line) => line.endsWith('| **no** |'));
  if (checked.length === 0) out.push('**No target is checked by this run** (the reconnect storm\'s from 10,000 phones, memory from 5,000, the publish acknowledgement at 10,000; the ratios need ours and the peer or floor in the same run).', '');
  else out.push(missed.length > 0 ? `**Missed in this run (${missed.length} of ${checked.length}):** ${missed.map((line) => line.split(' | ').slice(0, 3).join(' ').replace(/^\| /, '')).join('; ')}.` : `**All ${checked.length} targets checked in this run are met.**`, '');
  if (missed.length > 0) {
    out.push('Why the targets marked **no** are missed, as measured in the server and the load generators: [bench/README.md, "Why the missed targets are missed"](bench/README.md#why-the-missed-targets-are-missed).', '');
  }
  const beyondFloor = targetsBeyondTheFloor(record);
  if (beyondFloor.length > 0) {
    out.push('**Targets only a server faster than the floor could meet:** a peer/ours target is out of reach when, in this same run, even the floor (a loop that only writes) is not that much faster than the peer:', '');
    for (const line of beyondFloor) out.push(`* ${line}`);
    out.push('');
  }

  const bound = clientBound(cases);
  if (bound.length > 0) {
    out.push('**Reading the ratios to the floor:** the phones run on the cores the server does not have. ' +
      'Where the load generators needed at least half as much CPU per delivery as the floor server, the floor\'s time is set by the clients as much as by the server, ' +
      'so every target\'s ratio to it is pulled toward 1 (a target "met" there is not conclusive; one missed is):', '');
    for (const line of bound) out.push(`* ${line}`);
    out.push('');
  }

  for (const phase of PHASES) {
    out.push(phase === 'slideshow' ? '## Slideshow: one slide change a second' : '## Burst: ten slide changes in one second', '');
    out.push(...phaseTable(cases, phase));
  }

  out.push('## Join storm: every phone connects at once (as when the QR code goes up)', '');
  out.push(...joinTable(record, cases));

  if (record.replayCases?.length) out.push(...replayTables(record.replayCases));

  out.push('## Against the recorded baseline', '');
  if (!comparison) out.push('No baseline yet (bench/results/baseline.json): a full run with the default matrix becomes it.', '');
  else if (comparison.otherPath) out.push(`The baseline of ${comparison.baselineDate} measured the other client path (${acked ? 'phones without ack' : 'phones with ack'}): its ratios are not compared. \`--save-baseline\` on a full run of this path replaces it.`, '');
  else if (comparison.baselineDate === record.date) out.push('This run is the baseline (bench/results/baseline.json): later runs are compared with its ratios.', '');
  else {
    out.push(`Baseline of ${comparison.baselineDate}${comparison.baselineCode ? `, code ${comparison.baselineCode}` : ''}${comparison.baselineBusy ? ' (some of its cases ran on a busy machine)' : ''}. A ratio more than 10% worse is a regression (see "Noise" in bench/README.md before believing one alone).`, '');
    out.push(comparison.regressions.length ? `**${comparison.regressions.length} regression(s):** ${comparison.regressions.map(show).join(', ')}` : 'No regression.', '');
    out.push('| ratio | baseline | latest | change | |', '|---|---:|---:|---:|---|');
    for (const row of comparison.rows) out.push(`| ${show(row.key)} | ${f(row.baseline, 3)} | ${f(row.latest, 3)} | ${row.change >= 0 ? '+' : ''}${f(row.change * 100, 1)}% | ${row.regression ? '**REGRESSION**' : ''} |`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

const PHASE_LEGEND = 'Resent (ack only): copies the server sent again for a batch not yet acknowledged; cometd\'s client hands them on and the page\'s store drops them (seq not newer), so they are not duplicates the audience sees. Latency: from the presenter\'s send to each phone\'s receipt, over every delivery (ms). Last phone: per slide, until the last phone had it; median and worst slide (ms). ×floor and ×ours: this target\'s last-phone median over the floor\'s and over ours (above 1 = slower). Changes per frame: slide changes per WebSocket frame or HTTP response received (above 1: batched). CPU: server, and in parentheses the load generators (on 2 cores they share one: when theirs nears the server\'s, the clients bound the result). Superseded (ours only: latest wins): a change a phone was not yet sent when a newer one came, sent to it folded into the newer state (its slide in the history); it counts as had when that state arrived, in the latencies, the last phone and the rates alike.';

/** A phase's table: legend, header, a row per case that ran. */
function phaseTable(cases: CaseResult[], phase: Phase): string[] {
  const out: string[] = [PHASE_LEGEND, ''];
  out.push('| transport | phones | target | delivered (+ superseded) | lost / dup / reordered (resent) | p50 | p90 | p99 | max | last phone median (worst) | ×floor | ×ours | ack p50 (max) | deliveries/s | changes per frame | CPU µs/delivery server (clients) | KiB/phone | other CPU |');
  out.push('|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of cases) {
    const p = c[phase];
    if (c.error || !p) continue;
    const floor = lastPhone(find(cases, 'floor', c.transport, c.phones), phase);
    const ours = lastPhone(find(cases, 'ours', c.transport, c.phones, ackOf(c)), phase);
    const extra = phase === 'burst' ? ` (all ${p.slides}: ${f(p.completeMs, 0)})` : '';
    out.push(`| ${c.transport} | ${c.phones} | ${label(c)} | ${p.delivered}${p.superseded ? ` + ${p.superseded}` : ''}/${p.expected} | ${p.lost} / ${p.duplicates} / ${p.outOfOrder}${p.resent ? ` (${p.resent})` : ''}${p.lostExamples.length ? ` (e.g. ${p.lostExamples[0]})` : ''} | ${f(p.latency?.p50)} | ${f(p.latency?.p90)} | ${f(p.latency?.p99)} | ${f(p.latency?.max)} | ${f(p.lastPhoneMedian)} (${f(p.lastPhoneMax)})${extra} | ${f(div(p.lastPhoneMedian, floor), 2)} | ${f(div(p.lastPhoneMedian, ours), 2)} | ${f(p.ack?.p50)} (${f(p.ack?.max)})${p.ackFailures.length ? ` ${p.ackFailures.length} failed` : ''} | ${f(p.deliveriesPerSecond, 0)} | ${f(p.eventsPerFrame, 2)} | ${f(p.cpuUsPerDelivery, 1)} (${f(p.clientCpuUsPerDelivery, 1)}) | ${phase === 'slideshow' ? f(c.memory?.perPhoneKiB) : '–'} | ${busyCell(p)} |`);
  }
  out.push('');
  return out;
}

/** The join storm's table: legend, header, a row per case that ran. */
function joinTable(record: RunRecord, cases: CaseResult[]): string[] {
  const out: string[] = [];
  out.push('Set-up: from the first phone starting until the last one is subscribed (Bayeux: handshake and subscribe acknowledged; floors: socket open or poll held), at most ' + `${record.options.joinConcurrency ?? 400}` + ' phones setting up at a time over all load generators.', '');
  out.push('Ack granted: phones whose handshake the server answered with ack (then every connect reply to them is numbered, and they echo the number).', '');
  out.push('| transport | phones | target | set-up (ms) | ×floor | ×ours | ready / failed | ack granted | per phone p50 | p99 | server CPU (ms) | KiB/phone idle | other CPU |');
  out.push('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of cases) {
    const s = c.setup;
    if (c.error || !s) continue;
    const floor = find(cases, 'floor', c.transport, c.phones)?.setup?.ms;
    const ours = find(cases, 'ours', c.transport, c.phones, ackOf(c))?.setup?.ms;
    out.push(`| ${c.transport} | ${c.phones} | ${label(c)} | ${f(s.ms, 0)} | ${f(div(s.ms, floor), 2)} | ${f(div(s.ms, ours), 2)} | ${s.ready} / ${s.failed} | ${c.target === 'floor' ? '–' : (c.acking ?? '–')} | ${f(s.perPhone?.p50)} | ${f(s.perPhone?.p99)} | ${f(s.serverCpuMs, 0)} | ${f(c.memory?.perPhoneIdleKiB)} | ${busyCell(s)} |`);
  }
  out.push('');
  return out;
}

const REPLAY_LEGEND: Record<ReplayKind, string> = {
  'join-mid-talk': 'Every phone joins at once (the join storm\'s bounded set-ups) after the slides were shown; its subscription is answered with the current state and the talk\'s history (ours; Faye through a server-side extension and the floor through its own replay, both sending the last state published, which the bench makes those same bytes). All: from the first phone starting until the last phone had the current slide. Per phone: from its own start. CPU and bytes written: the server, over the join.',
  'reconnect-storm': 'Every phone joined mid-talk and followed a few changes; then the server is killed (SIGKILL) and started again on the same port (ours over the same data folder: the talk resumes from its live.json; Faye and the floor with the state they had, to replay). The phones come back as cometd\'s client does with the pages\' configuration: the connect retried after 1 s, 2 s, 3 s, ... (at most 15 s), a new handshake when the server no longer knows them, the subscription, the replay. All: from the SIGKILL until the last phone was back on the current slide; restart: until the server listened again. CPU, bytes written and peak RSS: the restarted server, from its start (ours: Next included).',
};

/** The join-mid-talk and reconnect-storm tables, one per kind that ran. */
function replayTables(cases: ReplayResult[]): string[] {
  const out: string[] = [];
  for (const kind of ['join-mid-talk', 'reconnect-storm'] as const) {
    const rows = cases.filter((c) => c.kind === kind);
    if (rows.length === 0) continue;
    out.push(kind === 'join-mid-talk' ? `## Join mid-talk: every phone joins after ${rows[0]!.shown} slides were shown` : '## Reconnect storm: the server killed and restarted under every phone', '');
    out.push(REPLAY_LEGEND[kind], '');
    const storm = kind === 'reconnect-storm';
    out.push(`| transport | phones | target | back / ready | all (ms) | ×floor | ×ours | ${storm ? 'restart (ms) | after listening (ms) | ' : ''}per phone p50 | p99 | server CPU (ms) | written (KiB) | replay (B) | ${storm ? 'peak RSS (MiB) | reconnects / re-handshakes | ' : ''}other CPU |`);
    out.push(`|---|---:|---|---:|---:|---:|---:|${storm ? '---:|---:|' : ''}---:|---:|---:|---:|---:|${storm ? '---:|---:|' : ''}---|`);
    for (const c of rows) {
      if (c.error) {
        out.push(`| ${c.transport} | ${c.phones} | ${label(c)} | FAILED: ${c.error.split('\n')[0]} |`);
        continue;
      }
      const floor = findReplay(cases, kind, 'floor', c.transport, c.phones)?.allMs;
      const ours = findReplay(cases, kind, 'ours', c.transport, c.phones)?.allMs;
      const stormCells = storm ? ` ${f(c.restartMs, 0)} | ${f(c.afterListeningMs, 0)} |` : '';
      const stormTail = storm ? ` ${f(c.peakRssKiB !== undefined ? c.peakRssKiB / 1024 : undefined, 0)} | ${c.loadgen?.reconnects ?? '–'} / ${c.loadgen?.rehandshakes ?? '–'} |` : '';
      const busy = c.window ? `${c.busy ? '⚠ ' : ''}${f(c.window.otherCores, 2)} cores` : '–';
      out.push(`| ${c.transport} | ${c.phones} | ${label(c)} | ${c.back ?? '–'} / ${c.ready ?? '–'}${c.loadgen?.dropped ? ` (${c.loadgen.dropped} dropped)` : ''} | ${f(c.allMs, 0)} | ${f(div(c.allMs, floor), 2)} | ${f(div(c.allMs, ours), 2)} |${stormCells} ${f(c.perPhone?.p50, 0)} | ${f(c.perPhone?.p99, 0)} | ${f(c.serverCpuMs, 0)}${c.startupCpuMs !== undefined ? ` (start-up ${f(c.startupCpuMs, 0)})` : ''} | ${f(c.serverBytes !== undefined ? c.serverBytes / 1024 : undefined, 0)} | ${c.replayBytes ?? '–'} |${stormTail} ${busy} |`);
    }
    out.push('');
  }
  return out;
}

/** BENCHMARKS.md sections recorded by their own runs (`--section NAME`, bench/results/NAME.json), kept by the other runs. */
export const SECTIONS = ['page', 'multi-node', 'network', 'office', 'lighthouse', 'startup'] as const;
export type SectionName = (typeof SECTIONS)[number];

export function sectionStart(name: SectionName): string {
  return `<!-- bench section ${name}: generated by \`npm run bench -- --section ${name}\` from bench/results/${name}.json -->`;
}

function sectionEnd(name: SectionName): string {
  return `<!-- end of bench section ${name} -->`;
}

/** The section as it stands in `markdown` (its start marker included, its end marker not), if it has one. */
export function sectionOf(markdown: string, name: SectionName): string | undefined {
  const start = markdown.indexOf(`<!-- bench section ${name}:`);
  const end = markdown.indexOf(sectionEnd(name));
  return start >= 0 && end > start ? markdown.slice(start, end) : undefined;
}

/** `markdown` with the section put in place of the one it has, or added at the end. */
export function withSection(markdown: string, name: SectionName, section: string): string {
  const start = markdown.indexOf(`<!-- bench section ${name}:`);
  const end = markdown.indexOf(sectionEnd(name));
  const body = `${section.trimEnd()}\n${sectionEnd(name)}`;
  if (start >= 0 && end > start) return `${markdown.slice(0, start)}${body}${markdown.slice(end + sectionEnd(name).length)}`;
  return `${markdown.trimEnd()}\n\n${body}\n`;
}

/**
 * The "Several nodes" section of BENCHMARKS.md (`--section multi-node`): ours-2nodes beside ours,
 * from its own run (bench/results/multi-node.json), between markers so the main tables stay as recorded.
 */
export function renderMultiNodeSection(record: RunRecord): string {
  const { machine, cases } = record;
  const out: string[] = [sectionStart('multi-node'), '', '## Several nodes: 2 nodes + Redis vs 1 node', ''];
  out.push('**ours-2nodes**: two processes of our server with the same `REDIS_URL` (a private redis-server), `PRESENTER_KEY` and `SLIDES_DIR`, different `PORT` and `NODE_ID` (docs/deploy.md). ' +
    'The deck is made through node A, the presenter publishes to node A, half the phones are on node A and half on node B (one load generator per node), so every change crosses Redis to reach node B\'s phones. ' +
    '**ours**: one process, no Redis, same phones. Server CPU and memory for ours-2nodes are summed over node A, node B and redis-server.', '');
  out.push(`**Overhead, not scale-out:** ${record.pinned ? `both nodes and Redis are pinned to the same server core as ours alone (core ${record.pinned.server}; ${machine.nproc} cores here, the phones and the presenter on ${record.pinned.clients})` : `not pinned here (no taskset or a single core): both nodes, Redis and the phones share ${machine.nproc} core(s)`}, so this shows what running several nodes costs per change, not what a second machine would gain. ` +
    'One run: between quiet runs the last-phone medians at 1,000 phones move by up to ±25% (see "Noise" in bench/README.md), so ×ours within that band is no finding either way; ' +
    'memory per phone at 1,000 phones is drowned by the heaps\' own growth (and here sums three processes), so it is shown, not compared.', '');
  out.push(`* **Date:** ${record.date}`);
  out.push(`* **Command:** \`${record.command}\` (took ${record.durationSeconds} s), code ${record.code}`);
  out.push(`* **Machine:** ${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}`);
  const busy = cases.filter((c) => c.busy);
  out.push(busy.length
    ? `* **BUSY MACHINE:** other processes used CPU during ${busy.length} of ${cases.length} cases (marked ⚠ below): those numbers are not to be trusted.`
    : '* **Machine quiet:** no other process used more than 0.1 core during any measured phase.');
  for (const c of cases.filter((c) => c.error)) out.push(`* **FAILED:** ${c.target} ${c.transport} ${c.phones} phones: ${c.error!.split('\n')[0]}`);
  out.push('');
  for (const phase of PHASES) {
    out.push(phase === 'slideshow' ? '### Several nodes: slideshow, one slide change a second' : '### Several nodes: burst, ten slide changes in one second', '');
    out.push(...phaseTable(cases, phase));
  }
  out.push('### Several nodes: join storm', '');
  out.push(...joinTable(record, cases));
  return `${out.join('\n')}\n`;
}

/** Slideshow cases where the floor's clients worked nearly as hard as the floor itself. */
function clientBound(cases: CaseResult[]): string[] {
  const lines: string[] = [];
  for (const c of cases) {
    const p = c.slideshow;
    if (c.target !== 'floor' || c.error || !p?.cpuUsPerDelivery || !p.clientCpuUsPerDelivery) continue;
    if (p.clientCpuUsPerDelivery < 0.5 * p.cpuUsPerDelivery) continue;
    lines.push(`${c.transport}, ${c.phones} phones: load generators ${f(p.clientCpuUsPerDelivery)} µs per delivery, floor server ${f(p.cpuUsPerDelivery)} µs.`);
  }
  return lines;
}

/** A ratio's key for people (its `|` would split a table cell). */
function show(key: string): string {
  return key.replaceAll('|', ' · ');
}

function busyCell(x: Pick<PhaseResult, 'window' | 'busy'>): string {
  const w = x.window;
  const onServer = w.otherOnServerCore !== undefined ? `, ${f(w.otherOnServerCore, 2)} on the server's core` : '';
  return `${x.busy ? '⚠ ' : ''}${f(w.otherCores, 2)} cores${onServer}`;
}
