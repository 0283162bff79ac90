/**
 * Parts both network cases use inside their namespace: the server with a deck, the relay that
 * puts the phone addresses in front of it, and bounded waits on child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeckDetail } from '../lib/slideshow/index';
import { startApp, tempDataDir, type AppProcess } from '../support/app-process';
import { deckDetail, presenterKeyOf, uploadDeck } from '../support/slideshow-browser';
import { deckFiles } from './page';
import { LOOPBACK_CROWD } from './targets';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** CLOCK_MONOTONIC in milliseconds: the same clock in every process of the case. */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * TCP segments retransmitted so far in this process's network namespace (/proc/net/snmp is per
 * namespace): on a full link, drops and retransmission timeouts are what set the last phone's time.
 */
export function tcpRetransmits(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((line) => line.startsWith('Tcp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('RetransSegs')] ?? Number.NaN);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const pending = new Set<Cleanup>();

/** What a case must stop when it ends, however it ends (newest first). */
export class Cleanup {
  readonly #steps: Array<() => Promise<unknown> | unknown> = [];
  constructor() {
    pending.add(this);
  }
  add(step: () => Promise<unknown> | unknown): void {
    this.#steps.unshift(step);
  }
  #running: Promise<void> | undefined;
  /** Runs the steps once; a second caller (the case's finally, during a signal's clean-up) waits for the same run. */
  run(): Promise<void> {
    pending.delete(this);
    this.#running ??= (async () => {
      for (const step of this.#steps.splice(0)) await Promise.resolve().then(step).catch(() => undefined);
    })();
    return this.#running;
  }
}

/** On a signal: every case's clean-up, bounded (the namespace's removal kills what is left). */
export async function cleanUpEverything(ms: number): Promise<void> {
  await Promise.race([Promise.all([...pending].map((cleanup) => cleanup.run())), sleep(ms)]);
}

export interface Stage {
  app: AppProcess;
  key: string;
  deck: DeckDetail;
  /** With `twin`: the same slides uploaded again (their own tokens and keys: no cache shared with `deck`). */
  twin?: DeckDetail;
  dataDir: string;
  kinds: Array<'text and chart' | 'photo'>;
  port: number;
}

/** Our production server on 127.0.0.1 with the page bench's deck (1920 × 1080 exports, every fourth a photograph). */
export async function stage(slides: number, cleanup: Cleanup, { twin = false } = {}): Promise<Stage> {
  const files = await deckFiles(slides);
  const dataDir = tempDataDir();
  cleanup.add(() => rm(dataDir, { recursive: true, force: true }));
  const app = await startApp({ SLIDES_DIR: dataDir, HOST: '127.0.0.1', BAYEUX_MAX_SESSIONS_PER_BROWSER: '100', ...LOOPBACK_CROWD });
  cleanup.add(() => app.stop('SIGTERM'));
  const key = await presenterKeyOf(app);
  const summary = await uploadDeck(app.url, key, files, 'Network bench');
  const deck = await deckDetail(app.url, key, summary.id);
  const second = twin ? await deckDetail(app.url, key, (await uploadDeck(app.url, key, files, 'Network bench, again')).id) : undefined;
  return { app, key, deck, ...(second ? { twin: second } : {}), dataDir, kinds: files.map((file) => file.kind), port: Number(new URL(app.url).port) };
}

/** The deck as one rendered before sealing: no keys, no sealed files named (its phones fetch nothing ahead). */
export async function stripSeal(staged: Stage, deck: DeckDetail): Promise<void> {
  const file = path.join(staged.dataDir, deck.id, 'deck.json');
  const stored = JSON.parse(await readFile(file, 'utf8')) as { slides: Array<Record<string, unknown>> };
  for (const slide of stored.slides) delete slide.key, delete slide.sealed;
  await writeFile(file, JSON.stringify(stored));
}

/** Show a slide, as the presenter page's commands do (`POST /api/live` with the presenter key). */
export async function goTo(stage: Stage, slide: number, deckId = stage.deck.id): Promise<void> {
  const response = await fetch(`${stage.app.url}/api/live`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${stage.key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ deck: deckId, slide }),
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`showing slide ${slide} failed: HTTP ${response.status}`);
}

/** The relay (bench/net-relay.mjs) listening on the phone addresses, in front of the server. */
export async function startRelay(addresses: string[], port: number, rttMs: number, cleanup: Cleanup): Promise<void> {
  const child = spawn(process.execPath, [path.join(root, 'bench/net-relay.mjs'), JSON.stringify({ listen: addresses, port, target: '127.0.0.1', rttMs })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanup.add(() => stopChild(child));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the relay did not start in 10 s')), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) clearTimeout(timer), resolve();
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the relay exited with ${code}`))));
  });
}

/** SIGTERM, then SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** The next IPC message from `child` that `accept` takes, within `ms`. */
export function nextMessage<T>(child: ChildProcess, accept: (message: any) => T | undefined, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      const value = accept(message);
      if (value === undefined) return;
      done();
      resolve(value);
    };
    const onExit = (code: number | null) => (done(), reject(new Error(`${what}: the phones exited with ${code}`)));
    const timer = setTimeout(() => (done(), reject(new Error(`${what}: nothing within ${ms} ms`))), ms);
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
