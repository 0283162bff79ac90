/**
 * What the adversarial tests share: the slideshow on the production server's connection handling
 * (tests/helpers/slideshow-server.ts, server/http-server.ts) with the default limits, a live talk
 * driven by the official CometD client as presenter, and the measure every attack is judged by:
 * how long a fresh phone (the official CometD client) takes to join and get the current slide.
 */
import { readdirSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Phone, Presenter, type Mode } from '../helpers/cometd-phone';
import { makeImage } from '../helpers/slide-fixtures';
import { uploadDeck, within } from '../helpers/slideshow-clients';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import type { CreateBayeuxServerOptions } from '../../server/bayeux/index';
import type { HttpTimeouts } from '../../server/http-server';
import type { DeckSummary } from '../../lib/slideshow/index';

/**
 * What the tests assert of a fresh phone's join. The target is a second (docs/security.md records
 * the measured times); the assertion leaves room for a loaded 2-core test machine, so a failure
 * means a phone was locked out, not that the machine was busy.
 */
export const JOIN_BOUND_MS = 3_000;

export interface LiveServer {
  readonly server: SlideshowTestServer;
  readonly presenter: Presenter;
  readonly deck: DeckSummary;
  close(): Promise<void>;
}

/** The slideshow with a deck of `slides` tiny slides live on slide 1, its presenter on a WebSocket. */
export async function startLiveServer(slides: number, options: { http?: Partial<HttpTimeouts>; bayeux?: CreateBayeuxServerOptions } = {}): Promise<LiveServer> {
  // Each long-polling CometD client in this process shares one cookie jar (one "browser").
  const server = await startSlideshowServer({ ...(options.http ? { http: options.http } : {}) }, { maxSessionsPerBrowser: 100, ...options.bayeux });
  const image = await makeImage({ width: 64, height: 36 });
  const deck = await uploadDeck(server, Array.from({ length: slides }, (_, i) => ({ name: `s${String(i + 1).padStart(3, '0')}.png`, data: image, type: 'image/png' })));
  const presenter = new Presenter(server.endpoint, server.key);
  await within(presenter.join(), 'the presenter to join');
  await presenter.command({ deck: deck.id, slide: 1 });
  return {
    server, presenter, deck,
    async close() {
      presenter.leave();
      await server.close();
    },
  };
}

/** A fresh phone joins (handshake, subscribe, current slide): how long it took (ms). It leaves again. */
export async function timeFreshJoin(server: SlideshowTestServer, mode: Mode = 'websocket'): Promise<number> {
  const phone = new Phone(`fresh-${mode}`, server.endpoint, mode);
  const started = performance.now();
  try {
    await within(phone.join(), `a fresh ${mode} phone to join`, JOIN_BOUND_MS * 4);
    return performance.now() - started;
  } finally {
    phone.leave();
  }
}

/** Open file descriptors of this process (Linux). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap in use after full collections (bytes). */
export function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A figure for the test output (and docs/security.md). */
export function report(what: string, value: number | string, unit = ''): void {
  console.log(`# measured: ${what}: ${typeof value === 'number' ? Math.round(value * 10) / 10 : value}${unit ? ` ${unit}` : ''}`);
}
