/**
 * Lightweight phones for the shared-link case (bench/shared-link.ts): each does what the audience
 * page does on a slide change, and nothing else. It speaks Bayeux over WebSocket as the official
 * CometD client does with its AckExtension (handshake `ext.ack: true`; every `/meta/connect`
 * echoes the last batch number the server sent), takes the new slide from `/slideshow/change`,
 * and downloads the image variant the page's `<picture>` makes a browser pick, over the phone's
 * own keep-alive HTTP connection (a browser reuses the page's).
 *
 * Sealed prefetch, as lib/client/sealed-ahead.ts and sealed-prefetch.ts do it: once a phone has the
 * live slide, and after the same delay spread at random over the room (PREFETCH_DELAY_MS), it
 * downloads the sealed copy of the state's `next` for its screen over the same connection; when a
 * state shows that slide with its key, it opens it in memory (AES-256-GCM with node:crypto,
 * `nonce || ciphertext || tag` as server/slides/seal.ts writes it) and has the slide then, asking
 * for no plain image. A copy not there within the page's timeout, one that does not open, or a
 * state showing another slide: the plain image, as the page falls back.
 *
 * Forked by bench/shared-link.ts with one JSON argument (under tsx: the variant choice is the
 * page's own code); talks to it over IPC:
 *   → {type:'ready', joined, failed, acknowledged}   every phone subscribed (or failed); how many use acks
 *   → {type:'had', deck, slide}         every phone has slide's whole image (or the slide failed there)
 *   → {type:'prefetched', deck, slide, ok}   every phone has fetched slide's sealed copy (ok: how many in full)
 *   ← {type:'report'}  → {type:'report', changes, downloaded}
 * Times are CLOCK_MONOTONIC milliseconds (process.hrtime), the clock of the process that publishes.
 */
import { createDecipheriv } from 'node:crypto';
import http from 'node:http';
import WebSocket from 'ws';
import { OPEN_TIMEOUT_MS, chooseVariant, slotWidth } from '../lib/client/sealed-prefetch.ts';
import { isSealKey } from '../lib/client/sealed-open.ts';
import { PREFETCH_DELAY_MS, PREFETCH_SPREAD_MS } from '../lib/client/sealed-ahead.ts';

const config = JSON.parse(process.argv[2] ?? '{}');
const { host, port, phones: count, joinConcurrency, viewport, dpr } = config;
const JOIN_MS = 60_000;
const CHANGE = '/slideshow/change';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ACCEPT_IMAGE = 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8';

const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Of a slide's widths (its plain `images`, or the sealed copies of `next`), the one the page takes
 * for this screen: the WebP `<source>` of its `<picture>` with `sizes` as fullScreenSizes says (the
 * viewport's width on a portrait phone), chosen as Chromium's srcset selection does; the prefetch
 * asks for the same width (lib/client/sealed-prefetch.ts, whose code this is).
 */
function pickVariant(images, slide) {
  return chooseVariant(images, slotWidth(slide, viewport), dpr);
}

/** `1280.webp` of `/img/<deck>/<token>-1280.webp`: the variant, without the secret token. */
const variantName = (url) => url.split('/').pop().replace(/^[^-]+-/, '');

/** Bytes of a response's status line and headers, as they crossed the link. */
function headerBytes(response) {
  let bytes = `HTTP/${response.httpVersion} ${response.statusCode} ${response.statusMessage}\r\n\r\n`.length;
  for (let i = 0; i < response.rawHeaders.length; i += 2) bytes += response.rawHeaders[i].length + response.rawHeaders[i + 1].length + 4;
  return bytes;
}

/** The plain bytes of a sealed copy, as the page's openSealed gives them, or undefined if it does not open with `key`. */
export function openSealed(sealed, key) {
  if (!isSealKey(key) || sealed.length < NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'base64url'), sealed.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void promise.then((value) => (clearTimeout(timer), resolve(value)));
  });
}

class Phone {
  /** `deck:slide` → { deck, slide, seq, message, image, bytes, variant, via, openMs, error } */
  changes = new Map();
  /** deck → slide bytes received (headers and bodies: plain images and sealed copies, whole or aborted). */
  downloaded = new Map();
  /** The sealed copy fetched ahead: { deck, slide, abort, bytes: Promise<Buffer | undefined> }. */
  ahead;
  /** Bumped by every slide change: a prefetch still waiting to start for an older one is dropped. */
  generation = 0;
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
        if (message.successful) clearTimeout(this.joinTimer), (this.subscribed = true), this.joined();
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
    const id = `${state.deck}:${state.slide}`;
    if (!state.live || state.blackout || this.changes.has(id)) return;
    this.generation++;
    const change = { deck: state.deck, slide: state.slide, seq: state.seq, message: at, image: undefined, bytes: 0, variant: '', via: 'plain', openMs: undefined, error: undefined };
    this.changes.set(id, change);
    const entry = this.ahead;
    this.ahead = undefined;
    if (entry && entry.deck === state.deck && entry.slide === state.slide && isSealKey(state.key)) return void this.openAhead(state, change, entry);
    // A jump past the copy fetched ahead: the page leaves it to finish on another connection; this
    // phone has one, so it lets it go rather than queue the plain image behind it.
    entry?.abort();
    // The slide replayed after subscribing is loaded too, as the page does: it opens the phone's
    // keep-alive connection before the first measured change, as loading the page would have.
    this.loadPlain(state, change);
  }

  /** As openPrefetched: wait for the copy (bounded), open it with the state's key; else the plain image. */
  async openAhead(state, change, entry) {
    const sealed = await withTimeout(entry.bytes, OPEN_TIMEOUT_MS);
    if (!sealed) return entry.abort(), this.fallBack(state, change);
    const started = now();
    const plain = openSealed(sealed, state.key);
    if (!plain) return this.fallBack(state, change);
    change.image = now();
    change.openMs = change.image - started;
    change.bytes = sealed.length;
    change.variant = `${entry.variant}, sealed`;
    change.via = 'sealed';
    this.had(state, change);
  }

  fallBack(state, change) {
    change.via = 'fell back';
    this.loadPlain(state, change);
  }

  loadPlain(state, change) {
    const url = pickVariant(state.images, state).webp;
    change.variant ||= variantName(url);
    this.get(state.deck, url, ACCEPT_IMAGE, (chunk) => (change.bytes += chunk.length), (error) => {
      change.image = now();
      change.error = error;
      this.had(state, change);
    });
  }

  /** The phone has the slide (or it failed): as the page after painting, fetch the next one ahead. */
  had(state, change) {
    imageDone(state.deck, state.slide);
    const next = state.next;
    if (!Array.isArray(next?.sealed) || next.sealed.length === 0) return;
    // The page prefetches from the painted image's onLoad: a slide that failed fetches nothing ahead.
    if (change.error) return prefetchSettled(state.deck, next.slide, false);
    // As prefetchAhead: after a delay spread at random over the room, unless the talk moves on first.
    const generation = this.generation;
    setTimeout(() => {
      if (generation === this.generation) this.prefetch(state, next);
      else prefetchSettled(state.deck, next.slide, false);
    }, PREFETCH_DELAY_MS + Math.random() * PREFETCH_SPREAD_MS);
  }

  /** As prefetchNext: the sealed WebP of the width the page's srcset takes, into memory. */
  prefetch(state, next) {
    const variant = pickVariant(next.sealed, state);
    const chunks = [];
    let abort;
    const bytes = new Promise((resolve) => {
      abort = this.get(state.deck, variant.webp, '*/*', (chunk) => chunks.push(chunk), (error) => resolve(error ? undefined : Buffer.concat(chunks)));
    });
    this.ahead = { deck: state.deck, slide: next.slide, variant: `${variant.width}.webp`, abort, bytes };
    void bytes.then((whole) => prefetchSettled(state.deck, next.slide, whole !== undefined));
  }

  /**
   * GET `url` over this phone's keep-alive connection, every byte counted to `deck`; `done(error)`
   * once, error undefined for a whole 200. Returns the abort.
   */
  get(deck, url, accept, onChunk, done) {
    let finished = false;
    const finish = (error) => void (finished || ((finished = true), done(error)));
    const count = (bytes) => this.downloaded.set(deck, (this.downloaded.get(deck) ?? 0) + bytes);
    const request = http.get({ host, port, path: url, agent: this.agent, headers: { accept } }, (response) => {
      count(headerBytes(response));
      response.on('data', (chunk) => (count(chunk.length), onChunk(chunk)));
      response.on('end', () => finish(response.statusCode === 200 ? undefined : `HTTP ${response.statusCode}`));
      response.on('error', (error) => finish(error.message));
      response.on('close', () => finish('closed early'));
    });
    request.on('error', (error) => finish(error.message));
    return () => void (finished || (finish('aborted'), request.destroy()));
  }
}

const phones = Array.from({ length: count }, () => new Phone());
/** Phones that joined: a slide is had (or prefetched) once each of them has it (or failed to get it). */
let joined = count;
/** `type:deck:slide` → { n, ok, sent }. */
const tallies = new Map();

function tally(type, deck, slide, ok) {
  const key = `${type}:${deck}:${slide}`;
  const entry = tallies.get(key) ?? { type, deck, slide, n: 0, ok: 0, sent: false };
  tallies.set(key, entry);
  entry.n++;
  if (ok) entry.ok++;
  sendIfComplete(entry);
}

function sendIfComplete(entry) {
  if (entry.sent || entry.n < joined) return;
  entry.sent = true;
  process.send({ type: entry.type, deck: entry.deck, slide: entry.slide, ok: entry.ok });
}

const imageDone = (deck, slide) => tally('had', deck, slide, true);
const prefetchSettled = (deck, slide, ok) => tally('prefetched', deck, slide, ok);

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
  // Counts that reached the phones that joined while others were still failing.
  for (const entry of tallies.values()) sendIfComplete(entry);
}

process.on('message', (message) => {
  if (message.type !== 'report') return;
  const changes = {};
  for (const phone of phones) {
    for (const [id, change] of phone.changes) (changes[id] ??= []).push(change);
  }
  const downloaded = phones.filter((phone) => phone.subscribed).map((phone) => Object.fromEntries(phone.downloaded));
  process.send({ type: 'report', changes, downloaded }, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));

void joinAll();
