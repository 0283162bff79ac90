/**
 * The shared link (bench/README.md, "What a person feels"): a room of phones on one capped link,
 * as on a venue's Wi-Fi uplink. Runs inside the case's network namespace: our production server
 * on 127.0.0.1, the lightweight phones of bench/shared-link-phone.mjs all reaching it through one
 * shaped address (127.0.0.2), and this process publishing as the presenter (not shaped).
 *
 * Per change: from just before the presenter's `POST /api/live` until the last phone has the
 * whole image variant the page picks (and, for comparison, until the last phone has the message).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { PHONES } from '../tests/helpers/slideshow-browser';
import { Cleanup, goTo, monotonicMs, nextMessage, root, sleep, stage, startRelay, stopChild, tcpRetransmits } from './net-parts';

export interface SharedLinkOptions {
  phones: number;
  changes: number;
  mbit: number;
}

export interface LinkChange {
  slide: number;
  kind: 'text and chart' | 'photo';
  variant: string;
  /** Bytes of the image one phone downloaded. */
  imageBytes: number;
  /** Phones that had the whole image (of those that joined). */
  had: number;
  errors: number;
  /** Publish to the last phone having the message. */
  lastMessage: number;
  /** Publish to the median phone having the whole image. */
  medianImage: number;
  /** Publish to the last phone having the whole image (Infinity when some never did). */
  lastImage: number;
  /** The images alone at the link's rate: every phone's bytes over the cap. */
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
  error?: string;
}

const ADDRESS = '127.0.0.2';
const JOIN_MS = 120_000;
const CHANGE_MS = 60_000;

interface PhoneChange {
  seq: number;
  message: number;
  image?: number;
  bytes: number;
  variant: string;
  error?: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;

interface Send {
  slide: number;
  sent: number;
  retransmits: number;
}

function summariseChange({ slide, sent, retransmits }: Send, kind: LinkChange['kind'], phones: PhoneChange[], joined: number, mbit: number): LinkChange {
  const complete = phones.filter((p) => p.image !== undefined && !p.error);
  const imageBytes = median(complete.map((p) => p.bytes));
  return {
    slide, kind,
    variant: phones[0]?.variant ?? '?',
    imageBytes,
    had: complete.length,
    errors: phones.filter((p) => p.error).length,
    lastMessage: phones.length === joined ? Math.max(...phones.map((p) => p.message)) - sent : Infinity,
    medianImage: median(complete.map((p) => p.image! - sent)),
    lastImage: complete.length === joined ? Math.max(...complete.map((p) => p.image!)) - sent : Infinity,
    linkFloor: (joined * imageBytes * 8) / (mbit * 1000),
    retransmits,
  };
}

/** Runs the case; never throws (the error is recorded). */
export async function runSharedLink(options: SharedLinkOptions, log: (line: string) => void): Promise<SharedLinkRecord> {
  const device = PHONES.iphone;
  const record: SharedLinkRecord = { options, device: { width: device.viewport.width, height: device.viewport.height, dpr: device.deviceScaleFactor }, joined: 0, acknowledged: 0, joinSeconds: 0, changes: [] };
  const cleanup = new Cleanup();
  try {
    const staged = await stage(options.changes + 1, cleanup);
    await startRelay([ADDRESS], staged.port, 0, cleanup);
    await goTo(staged, 1);
    const config = { host: ADDRESS, port: staged.port, phones: options.phones, joinConcurrency: 200, viewport: device.viewport, dpr: device.deviceScaleFactor };
    const joinStarted = monotonicMs();
    const phones = fork(path.join(root, 'bench/shared-link-phone.mjs'), [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    cleanup.add(() => stopChild(phones));
    const ready = await nextMessage(phones, (m: { type: string; joined: number; acknowledged: number }) => (m.type === 'ready' ? m : undefined), JOIN_MS, 'joining');
    record.joined = ready.joined;
    record.acknowledged = ready.acknowledged;
    record.joinSeconds = (monotonicMs() - joinStarted) / 1000;
    log(`shared link: ${ready.joined} of ${options.phones} phones joined in ${record.joinSeconds.toFixed(1)} s (${ready.acknowledged} with acknowledged delivery)`);
    // Let the join's image downloads drain from the link before the first change.
    await sleep(3_000);

    const sends: Send[] = [];
    for (let slide = 2; slide <= options.changes + 1; slide++) {
      const retransmitted = tcpRetransmits();
      const sent = monotonicMs();
      const send = { slide, sent, retransmits: 0 };
      sends.push(send);
      await goTo(staged, slide);
      await nextMessage(phones, (m: { type: string; slide: number }) => (m.type === 'had' && m.slide === slide ? true : undefined), CHANGE_MS, `slide ${slide}`).catch((error: Error) => log(`shared link: ${error.message}`));
      send.retransmits = tcpRetransmits() - retransmitted;
      log(`shared link: slide ${slide}: every phone had it ${((monotonicMs() - sent) / 1000).toFixed(2)} s after the publish (${send.retransmits} TCP segments retransmitted)`);
      await sleep(1_000);
    }

    phones.send({ type: 'report' });
    const report = await nextMessage(phones, (m: { type: string; changes: Record<string, PhoneChange[]> }) => (m.type === 'report' ? m.changes : undefined), 30_000, 'the report');
    record.changes = sends.map((send) => summariseChange(send, staged.kinds[send.slide - 1]!, report[send.slide] ?? [], record.joined, options.mbit));
  } catch (error) {
    record.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`shared link: FAILED: ${record.error.split('\n')[0]}`);
  } finally {
    await cleanup.run();
  }
  return record;
}
