/**
 * `npm run bench`: the slide-change benchmark of issue 4. Starts our server (the real
 * server/index.ts, production build), Faye, cometd-nodejs-server and a floor, each in a fresh
 * process per case; drives phones from separate load-generator processes; writes BENCHMARKS.md,
 * bench/results/latest.json, and compares with bench/results/baseline.json. See bench/README.md.
 *
 *   npm run bench                      full matrix (1,000 and 10,000 phones, both transports, all targets)
 *   npm run bench -- --quick           1-2 minute smoke at 1,000 phones (writes bench/results/quick.json only)
 *   npm run bench -- --phones 1000 --transports websocket --targets ours,floor --slides 5
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCase, type CaseResult, type CaseSpec, type Cores } from './cases';
import { REPLAY_KINDS, REPLAY_TARGETS, runReplayCase, type ReplayKind, type ReplayResult, type ReplaySpec } from './replay-cases';
import { cpuWindow, machineInfo, sampleCpu } from './proc';
import { runPageBench, type PageRecord } from './page';
import { renderPageSection } from './page-report';
import { runNetBench, type NetRecord } from './net';
import { renderNetSection } from './net-report';
import { runOfficeBench, type OfficeRecord } from './office';
import { renderOfficeSection } from './office-report';
import { buildServer } from '../scripts/build-server.mjs';
import { runLighthouseBench, type LighthouseRecord } from './lighthouse';
import { renderLighthouseSection } from './lighthouse-report';
import { renderStartupSection, runStartupBench, type StartupRecord } from './startup';
import { compare, renderMarkdown, renderMultiNodeSection, ratiosOf, sectionOf, SECTIONS, withSection, type Baseline, type RunRecord, type SectionName } from './report';
import { killAll, killAllNow, limitNotes, system } from './spawn';
import { ALL_TARGETS, TARGETS, TRANSPORTS, removeDataDirsNow, supports, type TargetName, type Transport } from './targets';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, 'bench/results');

interface Options {
  phones: number[];
  transports: Transport[];
  targets: TargetName[];
  quick: boolean;
  slides: number;
  burst: number;
  perLoadgen: number;
  joinConcurrency: number;
  idleWait: number;
  wsClient: 'raw' | 'ws';
  /** on: phones negotiate ack as the pages do (the product path); off: none do (like-for-like); both: ours and cometd-node both ways. */
  ack: 'on' | 'off' | 'both';
  /** The main matrix (join storm, slideshow, burst) and/or the replay cases (bench/replay-cases.ts). */
  cases: Array<'main' | ReplayKind>;
  /** Phones in the replay cases (default: the largest of --phones). */
  replayPhones: number;
  /** Slides shown before the replay cases' phones come. */
  shown: number;
  profile: boolean;
  oursFlags: string[];
  logs: boolean;
  saveBaseline: boolean;
  write: boolean;
  /**
   * `--section multi-node`: record this run as BENCHMARKS.md's "Several nodes" section only (bench/results/multi-node.json).
   * `--section page`: only the audience page on a phone (bench/page.ts, bench/results/page.json).
   * `--section network`: only the slow phones and the shared link (bench/net.ts, bench/results/network.json).
   * `--section office`: only a 30-slide .pptx through LibreOffice (bench/office.ts, bench/results/office.json).
   * `--section lighthouse`: only Lighthouse on the audience page during a talk (bench/lighthouse.ts, bench/results/lighthouse.json).
   * `--section startup`: only the server's start, compiled vs from source (bench/startup.ts, bench/results/startup.json).
   */
  section: SectionName | undefined;
  /** The default matrix of a full run (no --phones, --transports, --targets, --slides, --burst): may become the baseline. */
  standard: boolean;
}

const HELP = `npm run bench [-- options]
  --quick                 1,000 phones, 5 slides: a 1-2 minute smoke (writes bench/results/quick.json only)
                          (--no-write runs go to bench/results/scratch.json)
  --phones 1000,10000     phone counts            --transports websocket,long-polling (or ws,lp)
  --targets ours,faye,cometd-node,floor           --slides 10  slideshow changes (one a second)
                          (also ours-2nodes: two nodes of ours + Redis, phones split over them; not in the default list)
  --section multi-node    record the run as BENCHMARKS.md's "Several nodes" section and bench/results/multi-node.json,
                          leaving the main tables alone (with --no-write: scratch.json only)
  --section page          only the audience page on a phone-emulated Chromium (page weight, bytes per slide,
                          key press to paint): BENCHMARKS.md's "audience page" section and bench/results/page.json
                          (a full run measures it too, after the server cases)
  --section network       only what a person feels (root, iproute2): key press to painted on 3 Chromium phones behind
                          400 ms / 400 kbit/s links, 1,000 phones on one 100 Mbit/s link, and a cold phone opening the
                          page during a talk at 400 ms / 400 kbit/s; BENCHMARKS.md's "network" section and
                          bench/results/network.json. Also: --net-cases throttled,shared-link,cold-start,sealed-open --presses 20
                          --throttled-phones 3 --link-phones 1000 --link-changes 10 --cold-opens 5
  --section office        only a 30-slide .pptx uploaded through LibreOffice, with the event loop probed meanwhile:
                          BENCHMARKS.md's "Office decks" section and bench/results/office.json
  --section lighthouse    only Lighthouse (mobile) on the audience page during a talk, 5 runs, median scores:
                          BENCHMARKS.md's "Lighthouse" section and bench/results/lighthouse.json
  --section startup       only the server's start time and memory, compiled vs from source (7 starts each):
                          BENCHMARKS.md's "Server start" section and bench/results/startup.json
  --burst 10              changes in the burst (ten a second)
  --per-loadgen 2500      phones per load-generator process
  --join-concurrency 400  phones setting up at once (over all load generators)
  --ws-client raw|ws      the phones' WebSocket client (default raw: leaner than ws's)
  --ack on|off|both       on (default, the product path): phones negotiate the ack extension as the pages do;
                          off: like-for-like rows without it; both: ours and cometd-node both ways
  --no-ack                the same as --ack off
  --cases main,join-mid-talk,reconnect-storm
                          which cases (default all): the matrix, phones joining after --shown slides, the server
                          killed and restarted under following phones (ours, faye, floor)
  --replay-phones 10000   phones in the join-mid-talk and reconnect-storm cases (default: the largest --phones)
  --shown 30              slides shown before the replay cases' phones join
  --idle-wait 5           seconds to wait for a busy machine before each case (0: never)
  --profile               write V8 CPU profiles of our server to bench/results/profiles/
  --ours-flags "--trace-gc" extra Node flags for our server (quoted, space-separated)
  --logs                  keep every server's output in bench/results/logs/
  --write / --no-write    update BENCHMARKS.md (default: full runs write, --quick does not)
  --save-baseline         make this run bench/results/baseline.json
  --report-only           only render BENCHMARKS.md again from bench/results/latest.json`;

function parseArgs(argv: string[]): Options {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = argv.includes('--quick');
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (name: string) => value(name)?.split(',').map((s) => s.trim()).filter(Boolean);
  const alias: Record<string, Transport> = { ws: 'websocket', websocket: 'websocket', lp: 'long-polling', 'long-polling': 'long-polling' };
  const transports = (list('transports') ?? [...TRANSPORTS]).map((t) => alias[t] ?? fail(`unknown transport ${t}`));
  const targets = (list('targets') ?? [...TARGETS]).map((t) => (ALL_TARGETS.includes(t as TargetName) ? (t as TargetName) : fail(`unknown target ${t}`)));
  const sectionName = value('section');
  if (sectionName !== undefined && !SECTIONS.includes(sectionName as SectionName)) fail(`unknown section ${sectionName} (there are: ${SECTIONS.join(', ')})`);
  const section = sectionName as SectionName | undefined;
  const number = (name: string, fallback: number) => {
    const raw = value(name);
    const n = raw === undefined ? fallback : Number(raw);
    return Number.isInteger(n) && n > 0 ? n : fail(`--${name} must be a positive integer`);
  };
  const phones = (list('phones') ?? (quick ? ['1000'] : ['1000', '10000'])).map(Number);
  if (phones.some((n) => !Number.isInteger(n) || n <= 0)) fail('--phones must be positive integers');
  const ackValue = argv.includes('--no-ack') ? 'off' : (value('ack') ?? 'on');
  if (!['on', 'off', 'both'].includes(ackValue)) fail('--ack is on, off or both');
  const caseNames = list('cases') ?? ['main', ...REPLAY_KINDS];
  for (const name of caseNames) if (name !== 'main' && !REPLAY_KINDS.includes(name as ReplayKind)) fail(`unknown case ${name} (there are: main, ${REPLAY_KINDS.join(', ')})`);
  return {
    phones, transports, targets, quick,
    ack: ackValue as Options['ack'],
    cases: caseNames as Options['cases'],
    replayPhones: number('replay-phones', Math.max(...phones)),
    shown: number('shown', 30),
    slides: number('slides', quick ? 5 : 10),
    burst: number('burst', 10),
    perLoadgen: number('per-loadgen', 2_500),
    joinConcurrency: number('join-concurrency', 400),
    idleWait: Number(value('idle-wait') ?? (quick ? 3 : 5)),
    wsClient: value('ws-client') === 'ws' ? 'ws' : 'raw',
    profile: argv.includes('--profile'),
    oursFlags: value('ours-flags')?.split(/\s+/).filter(Boolean) ?? [],
    logs: argv.includes('--logs'),
    saveBaseline: argv.includes('--save-baseline'),
    write: argv.includes('--write') || (!quick && !argv.includes('--no-write')),
    section,
    standard: !quick && !['phones', 'transports', 'targets', 'slides', 'burst', 'ws-client', 'ours-flags', 'ack', 'no-ack', 'cases', 'replay-phones', 'shown'].some((name) => argv.includes(`--${name}`)),
  };
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

/** Server on core 0, everything else (load generators, presenter, this process) on the others. */
function planCores(): Cores {
  const cores = machineInfo().nproc;
  if (!system.taskset || cores < 2) return { server: undefined, clients: undefined };
  return { server: 0, clients: cores === 2 ? '1' : `1-${cores - 1}` };
}

/** The production build our server needs (`next build`), made when missing. */
/** The compiled server (rebuilt when stale) and the Next production build (made when missing). */
async function ensureBuild(): Promise<void> {
  if (await buildServer()) console.log('Compiled the server into .server/ (scripts/build-server.mjs).');
  if (existsSync(path.join(root, '.next/BUILD_ID'))) return;
  console.log('No production build (.next/BUILD_ID): running next build ...');
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) fail('next build failed');
}

/** Wait (bounded) for other processes to calm down; returns how busy the machine was at the end. */
async function waitForIdle(maxSeconds: number): Promise<number> {
  const deadline = performance.now() + maxSeconds * 1000;
  for (;;) {
    const a = sampleCpu();
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const own = process.cpuUsage(before);
    const other = cpuWindow(a, sampleCpu(), (own.user + own.system) / 1000, undefined, undefined).otherCores;
    if (other < 0.1 || performance.now() >= deadline) return other;
  }
}

/** `--report-only`: render BENCHMARKS.md again from bench/results/latest.json (no measuring). */
async function reportOnly(): Promise<void> {
  const record = JSON.parse(await readFile(path.join(resultsDir, 'latest.json'), 'utf8')) as RunRecord;
  record.ratios = ratiosOf(record.cases, record.replayCases ?? []);
  const baselineFile = path.join(resultsDir, 'baseline.json');
  const baseline = existsSync(baselineFile) ? (JSON.parse(await readFile(baselineFile, 'utf8')) as Baseline) : undefined;
  await writeFile(path.join(root, 'BENCHMARKS.md'), await keepSections(renderMarkdown(record, baseline ? compare(record, baseline) : undefined)));
  console.log('Wrote BENCHMARKS.md from bench/results/latest.json.');
}

async function main(): Promise<void> {
  if (process.argv.includes('--report-only')) return reportOnly();
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  // Lighthouse judges one phone opening the page: its browser gets every core, as a phone's does,
  // not the one core the load cases leave to clients (they pin the server apart from its load).
  const cores = options.section === 'lighthouse' ? { server: undefined, clients: undefined } : planCores();
  if (cores.clients !== undefined) spawnSync('taskset', ['-pc', cores.clients, String(process.pid)], { stdio: 'ignore' });
  const machine = machineInfo();
  console.log(`Machine: ${machine.nproc} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`);
  const unpinned = options.section === 'lighthouse' ? 'Not pinning: Lighthouse\'s browser gets every core.' : 'Not pinning (no taskset, or a single core).';
  console.log(cores.server === undefined ? unpinned : `Pinning: server on core ${cores.server}, load generators and presenter on ${cores.clients}.`);
  const maxPhones = Math.max(...options.phones);
  if (maxPhones + 1_000 > system.hardNofile) limitNotes.add(`open-file limit: the server needs about ${maxPhones + 1_000} for ${maxPhones} phones; the hard limit is ${system.hardNofile}`);
  const openFiles = `hard limit ${system.hardNofile} per process; each child's limit raised to what it needs (${system.prlimit ? 'prlimit' : 'ulimit'}), at most that; phones spread over load generators of at most ${options.perLoadgen} (${Math.ceil(maxPhones / options.perLoadgen)} for ${maxPhones} phones)`;
  console.log(`Open files: ${openFiles}.`);
  await ensureBuild();
  if (options.section === 'page') return pageOnly(options, started);
  if (options.section === 'network') return networkOnly(options);
  if (options.section === 'office') return ownSectionOnly(options, OFFICE_SECTION);
  if (options.section === 'lighthouse') return ownSectionOnly(options, LIGHTHOUSE_SECTION);
  if (options.section === 'startup') return ownSectionOnly(options, STARTUP_SECTION);

  const specs: CaseSpec[] = [];
  const ordered = [...options.targets].sort((a, b) => ALL_TARGETS.indexOf(a) - ALL_TARGETS.indexOf(b)); // ours first: peers carry its state
  if (options.cases.includes('main'))
    for (const phones of options.phones)
      for (const transport of options.transports)
        for (const target of ordered)
          if (supports(target, transport))
            for (const ack of acksFor(target, options.ack))
              specs.push({ target, transport, phones, slideshowSlides: options.slides, burstSlides: options.burst, perLoadgen: options.perLoadgen, joinConcurrency: options.joinConcurrency, wsClient: options.wsClient, ack });
  const replaySpecs: ReplaySpec[] = [];
  for (const kind of REPLAY_KINDS.filter((k) => options.cases.includes(k)))
    for (const transport of options.transports)
      for (const target of ordered.filter((t) => REPLAY_TARGETS.includes(t)))
        replaySpecs.push({ kind, target, transport, phones: options.replayPhones, shown: options.shown, perLoadgen: options.perLoadgen, joinConcurrency: options.joinConcurrency, wsClient: options.wsClient, ack: options.ack !== 'off' });

  const profileDir = options.profile ? path.join(resultsDir, 'profiles') : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const logDir = options.logs ? path.join(resultsDir, 'logs') : undefined;
  if (logDir) await mkdir(logDir, { recursive: true });
  const cases: CaseResult[] = [];
  let template: Record<string, unknown> | undefined;
  const total = specs.length + replaySpecs.length;
  for (const [i, spec] of specs.entries()) {
    // Wait a little for a busy machine to calm down, but not past 7 minutes: the run must end within 10.
    const idle = options.idleWait > 0 ? await waitForIdle(performance.now() - started < 420_000 ? options.idleWait : 0) : 0;
    console.log(`[${i + 1}/${total}] ${spec.target}${spec.ack ? '' : ' (no ack)'} ${spec.transport} ${spec.phones} phones${idle >= 0.1 ? ` (machine busy: other processes use ${idle.toFixed(2)} cores)` : ''}`);
    const code = codeVersion();
    const result = await runCase(spec, { root, cores, template, profileDir: spec.target === 'ours' ? profileDir : undefined, oursFlags: options.oursFlags, logDir, log: (line) => console.log(line) });
    template ??= result.template;
    delete result.template;
    cases.push({ ...result, code });
    console.log(result.error ? `    FAILED: ${result.error.split('\n')[0]}` : `    ${oneLine(result)}`);
  }
  const replayCases: ReplayResult[] = [];
  let replayTemplate: Record<string, unknown> | undefined;
  for (const [i, spec] of replaySpecs.entries()) {
    const idle = options.idleWait > 0 ? await waitForIdle(performance.now() - started < 420_000 ? options.idleWait : 0) : 0;
    console.log(`[${specs.length + i + 1}/${total}] ${spec.kind}: ${spec.target}${spec.ack ? '' : ' (no ack)'} ${spec.transport} ${spec.phones} phones${idle >= 0.1 ? ` (machine busy: other processes use ${idle.toFixed(2)} cores)` : ''}`);
    const code = codeVersion();
    const { replayTemplate: sampled, ...result } = await runReplayCase(spec, { root, cores, template, replayTemplate, logDir, log: (line) => console.log(line) });
    replayTemplate ??= sampled;
    replayCases.push({ ...result, code });
    console.log(result.error ? `    FAILED: ${result.error.split('\n')[0]}` : `    ${replayLine(result)}`);
  }

  const record: RunRecord = {
    date: new Date().toISOString(),
    code: [...new Set([...cases, ...replayCases].map((c) => c.code))].join(', then '),
    codeChanged: new Set([...cases, ...replayCases].map((c) => c.code)).size > 1,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine,
    pinned: cores.server !== undefined ? { server: String(cores.server), clients: cores.clients! } : undefined,
    openFiles,
    limits: [...limitNotes],
    options: { ...options },
    durationSeconds: Math.round((performance.now() - started) / 1000),
    cases,
    replayCases,
  };
  record.ratios = ratiosOf(cases, replayCases);
  await mkdir(resultsDir, { recursive: true });
  const baselineFile = path.join(resultsDir, 'baseline.json');
  const baseline = existsSync(baselineFile) ? (JSON.parse(await readFile(baselineFile, 'utf8')) as Baseline) : undefined;
  const comparison = baseline ? compare(record, baseline) : undefined;
  const markdown = renderMarkdown(record, comparison);
  // latest.json goes with BENCHMARKS.md; other runs (--quick, --no-write) leave both alone.
  // --section multi-node: multi-node.json goes with BENCHMARKS.md's "Several nodes" section, the main tables stay.
  const resultsFile = options.write ? (options.section ? `${options.section}.json` : 'latest.json') : options.quick ? 'quick.json' : 'scratch.json';
  await writeFile(path.join(resultsDir, resultsFile), `${JSON.stringify(record, null, 1)}\n`);
  if (options.write && options.section) await writeSection(options.section, renderMultiNodeSection(record));
  else if (options.write) await writeFile(path.join(root, 'BENCHMARKS.md'), await keepSections(markdown));
  if (!options.section && (options.saveBaseline || (!baseline && options.standard && !record.codeChanged && !cases.some((c) => c.error)))) {
    await writeFile(baselineFile, `${JSON.stringify({ date: record.date, code: record.code, machine, busy: cases.some((c) => c.busy), ack: options.ack !== 'off', ratios: record.ratios } satisfies Baseline, null, 1)}\n`);
    console.log(`Baseline written: bench/results/baseline.json`);
  }
  console.log(`\n${options.section ? renderMultiNodeSection(record) : markdown}`);
  console.log(`Done in ${record.durationSeconds} s.${options.write ? ` Wrote BENCHMARKS.md${options.section ? ` (its ${options.section} section only)` : ''} and bench/results/${resultsFile}.` : ` Wrote bench/results/${resultsFile} (BENCHMARKS.md and latest.json untouched: --write to record the run).`}`);
  if (record.codeChanged) console.log(`WARNING: the code changed during the run (${record.code}): the cases measured different versions.`);
  if (comparison?.regressions.length) console.log(`REGRESSIONS (>10% against the baseline): ${comparison.regressions.length}`);
  // A full run measures the audience page too, once the servers are done (its own section and file).
  if (options.standard && !options.section) await pageOnly(options, started);
}

/** The audience page on a phone (bench/page.ts): measured, printed, and recorded when writing. */
async function pageOnly(options: Options, started: number): Promise<void> {
  const command = options.section === 'page' ? `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}` : 'npm run bench -- --section page';
  const record: PageRecord = await runPageBench({ code: codeVersion(), command, log: (line) => console.log(line) });
  const section = renderPageSection(record);
  console.log(`\n${section}`);
  await mkdir(resultsDir, { recursive: true });
  const file = options.write ? 'page.json' : 'scratch-page.json';
  await writeFile(path.join(resultsDir, file), `${JSON.stringify(record, null, 1)}\n`);
  if (options.write) await writeSection('page', section);
  console.log(`Page measured in ${record.durationSeconds} s (whole run ${Math.round((performance.now() - started) / 1000)} s). Wrote ${options.write ? 'BENCHMARKS.md\'s page section and ' : ''}bench/results/${file}.`);
  if (record.error) process.exitCode = 1;
}

/** The network cases (bench/net.ts): measured, printed, and recorded when writing. */
async function networkOnly(options: Options): Promise<void> {
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const record: NetRecord = await runNetBench({ argv: process.argv.slice(2), code: codeVersion(), command, log: (line) => console.log(line) });
  const section = renderNetSection(record);
  console.log(`\n${section}`);
  await mkdir(resultsDir, { recursive: true });
  const file = options.write ? 'network.json' : 'scratch-network.json';
  await writeFile(path.join(resultsDir, file), `${JSON.stringify(record, null, 1)}\n`);
  if (options.write) await writeSection('network', section);
  console.log(`Network cases measured in ${record.durationSeconds} s. Wrote ${options.write ? "BENCHMARKS.md's network section and " : ''}bench/results/${file}.`);
  if (record.error || record.throttled?.error || record.sharedLink?.error || record.coldStart?.error) process.exitCode = 1;
}

/** A section measured by one runner of its own: what it records, and how BENCHMARKS.md shows it. */
interface OwnSection<R extends { durationSeconds: number; error?: string }> {
  name: SectionName;
  /** As the closing line says it: "Office upload measured in 50 s". */
  what: string;
  run(options: { code: string; command: string; log: (line: string) => void }): Promise<R>;
  render(record: R): string;
}

/** One section (office, Lighthouse, startup): measured, printed, and recorded when writing. */
async function ownSectionOnly<R extends { durationSeconds: number; error?: string }>(options: Options, section: OwnSection<R>): Promise<void> {
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const record = await section.run({ code: codeVersion(), command, log: (line) => console.log(line) });
  const markdown = section.render(record);
  console.log(`\n${markdown}`);
  await mkdir(resultsDir, { recursive: true });
  const file = options.write ? `${section.name}.json` : `scratch-${section.name}.json`;
  await writeFile(path.join(resultsDir, file), `${JSON.stringify(record, null, 1)}\n`);
  if (options.write) await writeSection(section.name, markdown);
  console.log(`${section.what} measured in ${record.durationSeconds} s. Wrote ${options.write ? `BENCHMARKS.md's ${section.name} section and ` : ''}bench/results/${file}.`);
  if (record.error) process.exitCode = 1;
}

const OFFICE_SECTION: OwnSection<OfficeRecord> = { name: 'office', what: 'Office upload', run: runOfficeBench, render: renderOfficeSection };
const LIGHTHOUSE_SECTION: OwnSection<LighthouseRecord> = { name: 'lighthouse', what: 'Lighthouse', run: runLighthouseBench, render: renderLighthouseSection };
const STARTUP_SECTION: OwnSection<StartupRecord> = { name: 'startup', what: 'Server start', run: runStartupBench, render: renderStartupSection };

/** Put one recorded section into BENCHMARKS.md, leaving the rest as it is. */
async function writeSection(name: SectionName, section: string): Promise<void> {
  const file = path.join(root, 'BENCHMARKS.md');
  const current = existsSync(file) ? await readFile(file, 'utf8') : '# Benchmarks: a slide change reaching every phone\n';
  await writeFile(file, withSection(current, name, section));
}

/** The main BENCHMARKS.md with the sections recorded by their own runs kept as they stand in the current BENCHMARKS.md. */
async function keepSections(markdown: string): Promise<string> {
  const file = path.join(root, 'BENCHMARKS.md');
  const current = existsSync(file) ? await readFile(file, 'utf8') : '';
  let out = markdown;
  for (const name of SECTIONS) {
    const section = sectionOf(current, name);
    if (section !== undefined) out = withSection(out, name, section);
  }
  return out;
}

/** The code measured: the commit, plus a fingerprint of uncommitted changes to server/ and lib/. */
function codeVersion(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const diff = git('diff', 'HEAD', '--', 'server', 'lib');
  return diff ? `${commit}+uncommitted:${createHash('sha256').update(diff).digest('hex').slice(0, 8)}` : commit;
}

/** Which ways a target's phones run: ack as the pages do, without it, or both (ours and cometd-node, the servers that have ack). */
function acksFor(target: TargetName, ack: Options['ack']): boolean[] {
  if (ack !== 'both') return [ack === 'on'];
  return target === 'ours' || target === 'cometd-node' ? [true, false] : [true];
}

function replayLine(result: ReplayResult): string {
  const ms = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(0));
  const storm = result.kind === 'reconnect-storm' ? ` (restart ${ms(result.restartMs)} ms, then ${ms(result.afterListeningMs)} ms), peak RSS ${ms(result.peakRssKiB && result.peakRssKiB / 1024)} MiB` : '';
  return `${result.back}/${result.ready} on the current slide, all in ${ms(result.allMs)} ms${storm}, per phone p50 ${ms(result.perPhone?.p50)} p99 ${ms(result.perPhone?.p99)} ms, server CPU ${ms(result.serverCpuMs)} ms, ${ms(result.serverBytes && result.serverBytes / 1024)} KiB written, replay ${result.replayBytes ?? '-'} B${result.busy ? ' | BUSY' : ''}`;
}

function oneLine(result: CaseResult): string {
  const show = (phase: CaseResult['slideshow']) =>
    phase ? `${phase.delivered}${phase.superseded ? ` + ${phase.superseded} superseded` : ''}/${phase.expected}, last phone median ${phase.lastPhoneMedian?.toFixed(1) ?? '-'} ms, p99 ${phase.latency?.p99.toFixed(1) ?? '-'} ms, ack p50 ${phase.ack?.p50.toFixed(1) ?? '-'} ms` : '-';
  return `set-up ${result.setup?.ms.toFixed(0)} ms | slideshow ${show(result.slideshow)} | burst ${show(result.burst)} | ${result.memory?.perPhoneKiB.toFixed(1)} KiB/phone${result.busy ? ' | BUSY' : ''}`;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping every child process`);
    void killAll().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  killAllNow();
  removeDataDirsNow();
});

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => killAll());
