/**
 * An event on its way to subscribers, serialised once. A broadcast to ten thousand sessions shares
 * one `Outgoing`: long-poll replies splice `json` into their arrays and WebSockets write `frame`,
 * a complete WebSocket text frame of `[json]`. Server-to-client frames are unmasked (RFC 6455
 * 5.1), so the bytes are the same for every socket: the fan-out writes one shared buffer to each
 * socket and allocates nothing per subscriber (the floor a bare `ws` broadcast loop sets).
 */
import type { Message } from '../../lib/bayeux/index';

export class Outgoing {
  readonly message: Message;
  readonly json: string;
  #frame: Buffer | undefined;

  constructor(message: Message, json = JSON.stringify(message)) {
    this.message = message;
    this.json = json;
  }

  /** The WebSocket frame carrying `[json]`, built on first use and shared afterwards. */
  get frame(): Buffer {
    this.#frame ??= textFrame(Buffer.from(`[${this.json}]`, 'utf8'));
    return this.#frame;
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

/** Serialise replies and queued events as one Bayeux array, events first (as CometD does). */
export function encodeResponse(events: readonly Outgoing[], replies: readonly Message[]): string {
  // The common long-poll answer, one event and the connect reply, without an intermediate array.
  if (events.length === 1 && replies.length === 1) return `[${events[0]!.json},${JSON.stringify(replies[0])}]`;
  const parts: string[] = [];
  for (const event of events) parts.push(event.json);
  for (const reply of replies) parts.push(JSON.stringify(reply));
  return `[${parts.join(',')}]`;
}
