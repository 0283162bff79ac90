/**
 * The official CometD client as a phone and as a presenter, for multi-node tests. A phone behaves
 * like the audience page (lib/client/connection.ts): it subscribes to `/slideshow/change` in its
 * `/meta/handshake` listener, so every re-handshake (its node died, it landed on another) subscribes
 * again and gets the current slide. Each client is bound to one transport, so a broken transport
 * fails instead of falling back. Every wait is bounded.
 */
import { CometD, type Message } from 'cometd';
import { adapt } from 'cometd-nodejs-client';
import { COMMAND_STATE_EXT, parseSlideshowState, type SlideshowState } from '../../lib/slideshow/index';
import { until } from '../../support/wait';

adapt();

export type Mode = 'websocket' | 'long-polling';

function client(endpoint: string, mode: Mode): CometD {
  const cometd = new CometD();
  for (const type of ['websocket', 'long-polling', 'callback-polling']) {
    if (type !== mode) cometd.unregisterTransport(type);
  }
  // Retry quickly: the tests measure recovery, not the client's patience.
  cometd.configure({ url: endpoint, logLevel: 'warn', backoffIncrement: 100, maxBackoff: 1_000 });
  return cometd;
}

export class Phone {
  readonly cometd: CometD;
  /** Every state received on `/slideshow/change`, in arrival order. */
  readonly states: SlideshowState[] = [];
  /** Successful handshakes (1 + re-handshakes). */
  handshakes = 0;
  /** Successful subscriptions to `/slideshow/change`. */
  subscriptions = 0;

  constructor(readonly name: string, endpoint: string, readonly mode: Mode) {
    this.cometd = client(endpoint, mode);
    this.cometd.addListener('/meta/handshake', (reply: Message) => {
      if (!reply.successful) return;
      this.handshakes++;
      this.cometd.subscribe('/slideshow/change', (message: Message) => void this.states.push(message.data as SlideshowState), (subscribed: Message) => {
        if (subscribed.successful) this.subscriptions++;
      });
    });
  }

  /** Handshake, subscribe and receive the current state. */
  async join(): Promise<void> {
    this.cometd.handshake();
    await until(() => this.subscriptions > 0 && this.states.length > 0, `${this.name} to join`);
  }

  /** The newest state received (highest seq), as the audience page keeps it. */
  get latest(): SlideshowState | undefined {
    return this.states.reduce<SlideshowState | undefined>((best, state) => (!best || state.seq >= best.seq ? state : best), undefined);
  }

  /** Seqs of the states received since `from` (an index into `states`). */
  seqsSince(from: number): number[] {
    return this.states.slice(from).map((state) => state.seq);
  }

  leave(): void {
    this.cometd.disconnect();
  }
}

export class Presenter {
  readonly cometd: CometD;
  readonly counts: number[] = [];

  constructor(readonly endpoint: string, readonly key: string, mode: Mode = 'websocket') {
    this.cometd = client(endpoint, mode);
  }

  async join(): Promise<void> {
    const reply = await new Promise<Message>((resolve) => this.cometd.handshake({ ext: { auth: { token: this.key } } }, resolve));
    if (!reply.successful) throw new Error(`presenter handshake: ${JSON.stringify(reply)}`);
    await new Promise<void>((resolve, reject) => {
      this.cometd.subscribe('/slideshow/audience', (message: Message) => void this.counts.push((message.data as { count: number }).count), (subscribed: Message) => {
        if (subscribed.successful) resolve();
        else reject(new Error(`presenter subscribe: ${JSON.stringify(subscribed)}`));
      });
    });
  }

  /** Publish a command; resolves with the state the server made of it (carried by the reply). */
  async command(command: object): Promise<SlideshowState> {
    const reply = await new Promise<Message>((resolve) => this.cometd.publish('/slideshow/change', command, resolve));
    if (!reply.successful) throw new Error(`command ${JSON.stringify(command)}: ${JSON.stringify(reply)}`);
    const state = parseSlideshowState((reply.ext as Record<string, unknown> | undefined)?.[COMMAND_STATE_EXT]);
    if (!state) throw new Error(`command ${JSON.stringify(command)}: the reply carries no state: ${JSON.stringify(reply)}`);
    return state;
  }

  get lastCount(): number | undefined {
    return this.counts.at(-1);
  }

  leave(): void {
    this.cometd.disconnect();
  }
}
