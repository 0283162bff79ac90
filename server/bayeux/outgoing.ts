/**
 * An event on its way to subscribers, serialised once. A broadcast to ten thousand sessions shares
 * one `Outgoing`: long-poll replies splice `json` into their arrays and WebSockets write `frame`
 * (the bytes of `[json]`), so the fan-out path allocates nothing per subscriber.
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

  /** UTF-8 bytes of a one-message Bayeux array, encoded on first use and shared afterwards. */
  get frame(): Buffer {
    this.#frame ??= Buffer.from(`[${this.json}]`, 'utf8');
    return this.#frame;
  }
}

/** Serialise replies and queued events as one Bayeux array, events first (as CometD does). */
export function encodeResponse(events: readonly Outgoing[], replies: readonly Message[]): string {
  const parts: string[] = [];
  for (const event of events) parts.push(event.json);
  for (const reply of replies) parts.push(JSON.stringify(reply));
  return `[${parts.join(',')}]`;
}
