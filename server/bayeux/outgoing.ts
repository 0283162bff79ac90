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
  const headerLength = frameHeaderLength(payload.length);
  const frame = Buffer.allocUnsafe(headerLength + payload.length);
  writeFrameHeader(frame, payload.length);
  payload.copy(frame, headerLength);
  return frame;
}

function frameHeaderLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
}

/** RFC 6455 5.2: FIN + text opcode, no mask, then the payload length in 7, 16 or 64 bits. */
function writeFrameHeader(frame: Buffer, payloadLength: number): void {
  frame[0] = 0x81;
  if (payloadLength < 126) frame[1] = payloadLength;
  else if (payloadLength < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadLength, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(payloadLength), 2);
  }
}

/**
 * `encodeResponse` as bytes, for HTTP bodies, optionally between a `prefix` and a `suffix` (a JSON-P
 * callback). The events' shared bytes are copied in; only the replies (a connect reply: ~60 bytes)
 * are serialised per client. Ten thousand long polls woken by one slide change would otherwise each
 * build the whole body as a string, then Node would join it to the headers in another string
 * before encoding it: a few KB of garbage per phone per slide.
 */
export function encodeResponseBytes(events: readonly Outgoing[], replies: readonly Message[], prefix = '', suffix = ''): Buffer {
  const tail = repliesJson(replies);
  const length = responseLength(events, replies, tail);
  const body = Buffer.allocUnsafe(Buffer.byteLength(prefix) + length + Buffer.byteLength(suffix));
  const at = writeResponse(body, body.write(prefix, 0, 'utf8'), events, replies, tail);
  body.write(suffix, at, 'utf8');
  return body;
}

/**
 * `encodeResponse` as one complete WebSocket text frame, for a reply that carries events (a connect
 * reply, always so under connect-only delivery): the events' shared bytes are copied straight into
 * the frame, after its header, beside the per-client replies. No string of the whole response is
 * built and nothing is encoded again on its way to the socket.
 */
export function encodeResponseFrame(events: readonly Outgoing[], replies: readonly Message[]): Buffer {
  const tail = repliesJson(replies);
  const length = responseLength(events, replies, tail);
  const headerLength = frameHeaderLength(length);
  const frame = Buffer.allocUnsafe(headerLength + length);
  writeFrameHeader(frame, length);
  writeResponse(frame, headerLength, events, replies, tail);
  return frame;
}

/** The replies, comma-separated: the only part of a response serialised per client. */
function repliesJson(replies: readonly Message[]): string {
  return replies.length === 1 ? JSON.stringify(replies[0]) : replies.map((reply) => JSON.stringify(reply)).join(',');
}

/** Bytes of `[events..., replies...]`, the replies given as their JSON. */
function responseLength(events: readonly Outgoing[], replies: readonly Message[], tail: string): number {
  let length = 2 + Buffer.byteLength(tail) + (events.length > 0 && replies.length > 0 ? 1 : 0);
  for (const event of events) length += event.bytes.length;
  return length + Math.max(0, events.length - 1);
}

/** Write `[events..., replies...]` into `target` from `at`; returns where it ends. */
function writeResponse(target: Buffer, at: number, events: readonly Outgoing[], replies: readonly Message[], tail: string): number {
  target[at++] = 0x5b; // [
  for (let i = 0; i < events.length; i++) {
    if (i > 0) target[at++] = 0x2c; // ,
    at += events[i]!.bytes.copy(target, at);
  }
  if (events.length > 0 && replies.length > 0) target[at++] = 0x2c;
  at += target.write(tail, at, 'utf8');
  target[at++] = 0x5d; // ]
  return at;
}

/**
 * Serialise replies and queued events as one Bayeux array, events first (as CometD does). The
 * reference the byte encoders above must equal; transports write those, which share the events' bytes.
 */
export function encodeResponse(events: readonly Outgoing[], replies: readonly Message[]): string {
  // The common long-poll answer, one event and the connect reply, without an intermediate array.
  if (events.length === 1 && replies.length === 1) return `[${events[0]!.json},${JSON.stringify(replies[0])}]`;
  const parts: string[] = [];
  for (const event of events) parts.push(event.json);
  for (const reply of replies) parts.push(JSON.stringify(reply));
  return `[${parts.join(',')}]`;
}
