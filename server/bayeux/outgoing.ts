/**
 * An event on its way to subscribers, serialised once. A broadcast to ten thousand sessions shares
 * one `Outgoing`: long-poll replies copy its UTF-8 `bytes` into their bodies and WebSockets write
 * `frame`, a complete WebSocket text frame of `[json]`. Server-to-client frames are unmasked (RFC 6455
 * 5.1), so the bytes are the same for every socket: the fan-out writes one shared buffer to each
 * socket and allocates nothing per subscriber (the floor a bare `ws` broadcast loop sets).
 */
import type { Message } from '../../lib/bayeux/index';

/**
 * How a latest-wins channel combines a message a session has not been sent with the newer one that
 * supersedes it (BayeuxServer.setLatestWins): e.g. the slideshow keeps the skipped slide in the
 * newer state's history. Pure: the same pair gives the same message.
 */
export type Fold = (older: Message, newer: Message) => Message;

export class Outgoing {
  readonly message: Message;
  readonly json: string;
  #bytes: Buffer | undefined;
  #frame: Buffer | undefined;
  /** Folds of this event over older ones, by the older: weak, so a newer event never keeps older ones alive. */
  #folds: WeakMap<Outgoing, Outgoing> | undefined;

  constructor(message: Message, json = JSON.stringify(message)) {
    this.message = message;
    this.json = json;
  }

  /** `json` in UTF-8, encoded on first use and shared afterwards. */
  get bytes(): Buffer {
    this.#bytes ??= Buffer.from(this.json, 'utf8');
    return this.#bytes;
  }

  /** The WebSocket frame carrying `[json]`, built on first use and shared afterwards. */
  get frame(): Buffer {
    this.#frame ??= textFrame(Buffer.from(`[${this.json}]`, 'utf8'));
    return this.#frame;
  }

  /**
   * This event folded over an `older` one it supersedes. Made once per older event and shared: the
   * phones that were behind by the same change all get the same bytes, as with any event.
   */
  foldedOver(older: Outgoing, fold: Fold): Outgoing {
    const kept = this.#folds?.get(older);
    if (kept) return kept;
    const folded = new Outgoing(fold(older.message, this.message));
    (this.#folds ??= new WeakMap()).set(older, folded);
    return folded;
  }
}

/** A single unmasked, unfragmented WebSocket text frame (FIN + opcode 1) around `payload`. */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/**
 * `encodeResponse` as bytes, for HTTP bodies. The events' shared bytes are copied in; only the
 * replies (a connect reply: ~60 bytes) are serialised per client. Ten thousand long polls woken by
 * one slide change would otherwise each build the whole body as a string, then Node would join it
 * to the headers in another string before encoding it: a few KB of garbage per phone per slide.
 */
export function encodeResponseBytes(events: readonly Outgoing[], replies: readonly Message[]): Buffer {
  const tail = replies.length === 1 ? JSON.stringify(replies[0]) : replies.map((reply) => JSON.stringify(reply)).join(',');
  let length = 2 + Buffer.byteLength(tail) + (events.length > 0 && replies.length > 0 ? 1 : 0);
  for (const event of events) length += event.bytes.length;
  length += Math.max(0, events.length - 1);
  const body = Buffer.allocUnsafe(length);
  let at = 0;
  body[at++] = 0x5b; // [
  for (let i = 0; i < events.length; i++) {
    if (i > 0) body[at++] = 0x2c; // ,
    at += events[i]!.bytes.copy(body, at);
  }
  if (events.length > 0 && replies.length > 0) body[at++] = 0x2c;
  at += body.write(tail, at, 'utf8');
  body[at] = 0x5d; // ]
  return body;
}

/** Serialise replies and queued events as one Bayeux array, events first (as CometD does). */
export function encodeResponse(events: readonly Outgoing[], replies: readonly Message[]): string {
  // The common long-poll answer, one event and the connect reply, without an intermediate array.
  if (events.length === 1 && replies.length === 1) return `[${events[0]!.json},${JSON.stringify(replies[0])}]`;
  const parts: string[] = [];
  for (const event of events) parts.push(event.json);
  for (const reply of replies) parts.push(JSON.stringify(reply));
  return `[${parts.join(',')}]`;
}
