/**
 * The shared link (bench/README.md, "What a person feels"): a room of phones on one capped link,
 * as on a venue's Wi-Fi uplink. Runs inside the case's network namespace: our production server
 * on 127.0.0.1, the lightweight phones of bench/shared-link-phone.mjs all reaching it through one
 * shaped address (127.0.0.2), and this process publishing as the presenter (not shaped).
 *
 * Per change: from just before the presenter's `POST /api/live` until the last phone has the
 * whole image variant the page picks (and, for comparison, until the last phone has the message).
 *
 * Prefetch off, then on, in one run, as the throttled case does (bench/throttled.ts): the same
 * slides as two decks, the first with its seal taken out of deck.json before it goes live (the
 * phones fetch nothing ahead), the second as uploaded (the phones fetch the next slide sealed and
 * open it with the key the change carries). With prefetch on, each change waits, besides the
 * second, until every phone has the next slide's sealed copy: a slide stays up far longer in a talk.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { DeckDetail } from '../lib/slideshow/index';
import { PHONES } from '../support/slideshow-browser';
import { Cleanup, goTo, monotonicMs, nextMessage, root, sleep, stage, startRelay, stopChild, stripSeal, tcpRetransmits, type Stage } from './net-parts';

export interface SharedLinkOptions {
  phones: number;
  changes: number;
  mbit: number;
}

export interface LinkChange {
  slide: number;
  kind: 'text and chart' | 'photo';
  /** Sealed prefetch was on for this deck (undefined in records from before prefetch: off). */
  prefetch?: boolean;
  variant: string;
  /** Bytes of the slide one phone had: the image downloaded at the change, or the sealed copy fetched ahead. */
  imageBytes: number;
  /** Phones that had the whole image (of those that joined). */
  had: number;
  /** Of those, phones that opened the copy fetched ahead (no image downloaded at the change). */
  sealed?: number;
  /** Phones that had a copy ahead but fell back to the plain image (late, failed or did not open). */
  fellBack?: number;
  /** Median time a phone took to open the sealed copy (decryption alone). */
  medianOpenMs?: number;
  errors: number;
  /** Publish to the last phone having the message. */
  lastMessage: number;
  /** Publish to the median phone having the whole image. */
  medianImage: number;
  /** Publish to the last phone having the whole image (Infinity when some never did). */
  lastImage: number;
  /** The images downloaded at the change alone at the link's rate: every phone's bytes over the cap. */
  linkFloor: number;
  /** TCP segments retransmitted in the namespace from the publish until every phone had the image. */
  retransmits: number;
}

export interface SharedLinkRecord {
  options: SharedLinkOptions;
  device: { width: number; height: number; dpr: number };
  joined: number;
  /** Phones whose handshake the server answered with `ext.ack: true` (acknowledged delivery). */
  acknowledged: number;
  joinSeconds: number;
  changes: LinkChange[];
  /** Slide bytes each phone received (headers and bodies) through each deck, phone by phone. */
  bytes?: { off: number[]; on: number[] };
  error?: string;
}

const ADDRESS = '127.0.0.2';
const JOIN_MS = 120_000;
const CHANGE_MS = 60_000;
const PREFETCH_MS = 60_000;

interface PhoneChange {
  seq: number;
  message: number;
  image?: number;
  bytes: number;
  variant: string;
  via: 'plain' | 'sealed' | 'fell back';
  openMs?: number;
  error?: string;
}

interface PhoneReport {
  changes: Record<string, PhoneChange[]>;
  /** Per phone that joined: deck → bytes. */
  downloaded: Array<Record<string, number>>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;

interface Send {
  deck: string;
  prefetch: boolean;
  slide: number;
  sent: number;
  retransmits: number;
}

function summariseChange({ slide, prefetch, sent, retransmits }: Send, kind: LinkChange['kind'], phones: PhoneChange[], joined: number, mbit: number): LinkChange {
  const complete = phones.filter((p) => p.image !== undefined && !p.error);
  const sealed = complete.filter((p) => p.via === 'sealed');
  const imageBytes = median(complete.map((p) => p.bytes));
  const downloadedNow = median(complete.map((p) => (p.via === 'sealed' ? 0 : p.bytes)));
  return {
    slide, kind, prefetch,
    variant: complete[0]?.variant ?? phones[0]?.variant ?? '?',
    imageBytes,
    had: complete.length,
    sealed: sealed.length,
    fellBack: phones.filter((p) => p.via === 'fell back').length,
    medianOpenMs: median(sealed.map((p) => p.openMs!)),
    errors: phones.filter((p) => p.error).length,
    lastMessage: phones.length === joined ? Math.max(...phones.map((p) => p.message)) - sent : Infinity,
    medianImage: median(complete.map((p) => p.image! - sent)),
    lastImage: complete.length === joined ? Math.max(...complete.map((p) => p.image!)) - sent : Infinity,
    linkFloor: (joined * downloadedNow * 8) / (mbit * 1000),
    retransmits,
  };
}

/**
 * The phones' `had` and `prefetched` counts, kept from the moment they are forked: one may come
 * before this process starts waiting for it (a small room has its images before `POST` returns).
 */
class Tallies {
  readonly #seen = new Map<string, { ok: number }>();
  constructor(private readonly phones: ChildProcess) {
    phones.on('message', (m: { type: string; deck: string; slide: number; ok: number }) => {
      if (m.type === 'had' || m.type === 'prefetched') this.#seen.set(`${m.type}:${m.deck}:${m.slide}`, m);
    });
  }
  /** Every phone has `deck`'s slide (`had`) or its sealed copy (`prefetched`), within `ms`: how many in full. */
  wait(type: 'had' | 'prefetched', deck: string, slide: number, ms: number): Promise<{ ok: number }> {
    const key = `${type}:${deck}:${slide}`;
    const seen = this.#seen.get(key);
    if (seen) return Promise.resolve(seen);
    return nextMessage(this.phones, (m: { type: string; deck: string; slide: number; ok: number }) => (`${m.type}:${m.deck}:${m.slide}` === key ? m : undefined), ms, `${type} slide ${slide}`);
  }
}

/** Runs the case; never throws (the error is recorded). */
export async function runSharedLink(options: SharedLinkOptions, log: (line: string) => void): Promise<SharedLinkRecord> {
  const device = PHONES.iphone;
  const record: SharedLinkRecord = { options, device: { width: device.viewport.width, height: device.viewport.height, dpr: device.deviceScaleFactor }, joined: 0, acknowledged: 0, joinSeconds: 0, changes: [] };
  const cleanup = new Cleanup();
  try {
    const staged = await stage(options.changes + 1, cleanup, { twin: true });
    await stripSeal(staged, staged.deck);
    await startRelay([ADDRESS], staged.port, 0, cleanup);
    await goTo(staged, 1, staged.deck.id);
    const config = { host: ADDRESS, port: staged.port, phones: options.phones, joinConcurrency: 200, viewport: device.viewport, dpr: device.deviceScaleFactor };
    const joinStarted = monotonicMs();
    // Under tsx, as this process: the phones choose variants with the page's own code (lib/client).
    const phones = fork(path.join(root, 'bench/shared-link-phone.mjs'), [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--import', 'tsx'] });
    cleanup.add(() => stopChild(phones));
    const tallies = new Tallies(phones);
    const ready = await nextMessage(phones, (m: { type: string; joined: number; acknowledged: number }) => (m.type === 'ready' ? m : undefined), JOIN_MS, 'joining');
    record.joined = ready.joined;
    record.acknowledged = ready.acknowledged;
    record.joinSeconds = (monotonicMs() - joinStarted) / 1000;
    log(`shared link: ${ready.joined} of ${options.phones} phones joined in ${record.joinSeconds.toFixed(1)} s (${ready.acknowledged} with acknowledged delivery)`);

    const sends: Send[] = [];
    for (const [prefetch, deck] of [[false, staged.deck], [true, staged.twin!]] as const) {
      if (prefetch) await goTo(staged, 1, deck.id);
      sends.push(...(await changeThrough(staged, deck, prefetch, tallies, options.changes, log)));
    }

    phones.send({ type: 'report' });
    const report = await nextMessage(phones, (m: { type: string } & PhoneReport) => (m.type === 'report' ? m : undefined), 30_000, 'the report');
    record.changes = sends.map((send) => summariseChange(send, staged.kinds[send.slide - 1]!, report.changes[`${send.deck}:${send.slide}`] ?? [], record.joined, options.mbit));
    record.bytes = { off: report.downloaded.map((d) => d[staged.deck.id] ?? 0), on: report.downloaded.map((d) => d[staged.twin!.id] ?? 0) };
  } catch (error) {
    record.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`shared link: FAILED: ${record.error.split('\n')[0]}`);
  } finally {
    await cleanup.run();
  }
  return record;
}

/** With `deck` live on slide 1: every phone has it, then `changes` changes, each timed on every phone. */
async function changeThrough(staged: Stage, deck: DeckDetail, prefetch: boolean, tallies: Tallies, changes: number, log: (line: string) => void): Promise<Send[]> {
  const mode = `prefetch ${prefetch ? 'on' : 'off'}`;
  const warn = (error: Error) => void log(`shared link (${mode}): ${error.message}`);
  await tallies.wait('had', deck.id, 1, CHANGE_MS).catch(warn);
  // Let the first slide's downloads drain from the link before the first change.
  await sleep(3_000);
  const sends: Send[] = [];
  for (let slide = 2; slide <= changes + 1; slide++) {
    if (prefetch) {
      const fetched = await tallies.wait('prefetched', deck.id, slide, PREFETCH_MS).catch(warn);
      if (fetched) log(`shared link (${mode}): slide ${slide}: ${fetched.ok} phones have its sealed copy`);
    }
    const retransmitted = tcpRetransmits();
    const sent = monotonicMs();
    const send = { deck: deck.id, prefetch, slide, sent, retransmits: 0 };
    sends.push(send);
    await goTo(staged, slide, deck.id);
    await tallies.wait('had', deck.id, slide, CHANGE_MS).catch(warn);
    send.retransmits = tcpRetransmits() - retransmitted;
    log(`shared link (${mode}): slide ${slide}: every phone had it ${((monotonicMs() - sent) / 1000).toFixed(2)} s after the publish (${send.retransmits} TCP segments retransmitted)`);
    await sleep(1_000);
  }
  return sends;
}
