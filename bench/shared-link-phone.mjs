/**
 * Lightweight phones for the shared-link case (bench/shared-link.ts): each does what the audience
 * page does on a slide change, and nothing else. It speaks Bayeux over WebSocket as the official
 * CometD client does with its AckExtension (handshake `ext.ack: true`; every `/meta/connect`
 * echoes the last batch number the server sent), takes the new slide from `/slideshow/change`,
 * and downloads the image variant the page's `<picture>` makes a browser pick, over the phone's
 * own keep-alive HTTP connection (a browser reuses the page's).
 *
 * Forked by bench/shared-link.ts with one JSON argument; talks to it over IPC:
 *   → {type:'ready', joined, failed, acknowledged}   every phone subscribed (or failed); how many use acks
 *   → {type:'had', slide}              every phone has slide's whole image (or the slide timed out there)
 *   ← {type:'report'}  → {type:'report', changes}
 * Times are CLOCK_MONOTONIC milliseconds (process.hrtime), the clock of the process that publishes.
 */
import http from 'node:http';
import WebSocket from 'ws';

const config = JSON.parse(process.argv[2] ?? '{}');
const { host, port, phones: count, joinConcurrency, viewport, dpr } = config;
const JOIN_MS = 60_000;
const CHANGE = '/slideshow/change';

const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * The variant the audience page's `<picture>` makes a browser load: the WebP `<source>` (every
 * current phone browser takes it), `sizes` from components/slides/slide-picture.tsx's
 * fullScreenSizes (the viewport's width, or its height times the slide's ratio on screens wider
 * than the slide), and of its `srcset` the smallest width that covers that slot at the screen's
 * density, else the largest: what Chromium's srcset selection does.
 */
export function pickVariant(slide, screen, density) {
  const ratio = slide.width / slide.height;
  const slot = screen.width / screen.height >= ratio ? screen.height * ratio : screen.width;
  const candidates = [...slide.images].sort((a, b) => a.width - b.width);
  const chosen = candidates.find((image) => image.width / slot >= density) ?? candidates[candidates.length - 1];
  return chosen.webp;
}

class Phone {
  /** slide → { seq, message, image, bytes, variant, error } */
  changes = new Map();
  batch = 0;
  acks = false;
  nextId = 0;
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  join() {
    return new Promise((resolve, reject) => {
      this.joined = resolve;
      const timer = setTimeout(() => reject(new Error('join timed out')), JOIN_MS);
      this.ws = new WebSocket(`ws://${host}:${port}/bayeux`, { perMessageDeflate: false, handshakeTimeout: JOIN_MS });
      this.ws.on('open', () => this.send([{
        channel: '/meta/handshake', version: '1.0', minimumVersion: '1.0', id: String(++this.nextId),
        supportedConnectionTypes: ['websocket', 'long-polling', 'callback-polling'], advice: { timeout: 60_000, interval: 0 }, ext: { ack: true },
      }]));
      this.ws.on('message', (data) => {
        try {
          this.receive(data.toString(), now());
        } catch (error) {
          reject(error);
          this.ws.terminate();
        }
      });
      this.ws.on('error', (error) => reject(error));
      this.ws.on('close', () => clearTimeout(timer));
      this.joinTimer = timer;
    });
  }

  send(messages) {
    this.ws.send(JSON.stringify(messages));
  }

  connect(advice) {
    const message = { channel: '/meta/connect', clientId: this.clientId, connectionType: 'websocket', id: String(++this.nextId) };
    if (advice) message.advice = advice;
    if (this.acks) message.ext = { ack: this.batch };
    this.send([message]);
  }

  receive(text, at) {
    let reconnect = false;
    for (const message of JSON.parse(text)) {
      if (message.channel === '/meta/handshake') {
        if (!message.successful) throw new Error(`handshake: ${message.error}`);
        this.clientId = message.clientId;
        this.acks = message.ext?.ack === true;
        this.send([{ channel: '/meta/subscribe', clientId: this.clientId, subscription: CHANGE, id: String(++this.nextId) }]);
        this.connect({ timeout: 0 });
      } else if (message.channel === '/meta/subscribe') {
        if (message.successful) clearTimeout(this.joinTimer), this.joined();
      } else if (message.channel === '/meta/connect') {
        if (message.successful && this.acks && typeof message.ext?.ack === 'number') this.batch = message.ext.ack;
        reconnect = message.successful;
      } else if (message.channel === CHANGE && message.data) {
        this.slideChanged(message.data, at);
      }
    }
    // The next connect goes once the whole reply has been handled, with the batch it carried.
    if (reconnect) this.connect();
  }

  slideChanged(state, at) {
    if (!state.live || state.blackout || this.changes.has(state.slide)) return;
    const variant = pickVariant(state, viewport, dpr);
    const change = { seq: state.seq, message: at, image: undefined, bytes: 0, variant: variant.split('/').pop().replace(/^[^-]+-/, '') };
    this.changes.set(state.slide, change);
    // The slide replayed after subscribing is loaded too, as the page does: it opens the phone's
    // keep-alive connection before the first measured change, as loading the page would have.
    http.get({ host, port, path: variant, agent: this.agent, headers: { accept: 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8' } }, (response) => {
      response.on('data', (chunk) => (change.bytes += chunk.length));
      response.on('end', () => {
        change.image = now();
        if (response.statusCode !== 200) change.error = `HTTP ${response.statusCode}`;
        imageDone(state.slide);
      });
      response.on('error', (error) => ((change.error = error.message), imageDone(state.slide)));
    }).on('error', (error) => ((change.error = error.message), imageDone(state.slide)));
  }
}

const phones = Array.from({ length: count }, () => new Phone());
/** Phones that joined: a change is had once each of them has its image (or failed to get it). */
let joined = count;
const done = new Map();

function imageDone(slide) {
  const n = (done.get(slide) ?? 0) + 1;
  done.set(slide, n);
  if (n === joined) process.send({ type: 'had', slide });
}

async function joinAll() {
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < phones.length) {
      const phone = phones[next++];
      await phone.join().catch(() => failed++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(joinConcurrency, phones.length) }, worker));
  joined = phones.length - failed;
  process.send({ type: 'ready', joined, failed, acknowledged: phones.filter((phone) => phone.acks).length });
}

process.on('message', (message) => {
  if (message.type !== 'report') return;
  const changes = {};
  for (const phone of phones) {
    for (const [slide, change] of phone.changes) (changes[slide] ??= []).push(change);
  }
  process.send({ type: 'report', changes }, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));

void joinAll();
