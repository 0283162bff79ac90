/**
 * The page's one Bayeux connection: a facade over the official `cometd` client that composes
 * - reconnection.ts: held retries, backoff, coming back when the page does, dead connects;
 * - store-feed.ts: the slideshow and connection stores, fed through one path;
 * - history-loader.ts: older shown slides, asked for over HTTP as the audience browses back;
 * - for presenters only, what presenter-role.ts builds (token in the handshake, audience count,
 *   commands over Bayeux or HTTP), passed in so the audience page does not bundle it.
 * It exposes only `publishCommand` and `disconnect`. Open it in an effect (never at module scope)
 * and disconnect in the effect's cleanup; React StrictMode opens, closes and reopens it in
 * development, which the server tolerates.
 *
 * Subscriptions are made in a `/meta/handshake` listener, so every re-handshake (the server
 * restarted, the session expired while a phone slept) subscribes again; the server answers a
 * subscription with the current state (plus the talk's history), which is always accepted. The
 * ack extension makes the server redeliver anything a dropped `/meta/connect` lost.
 */
import { AckExtension } from 'cometd/AckExtension.js';
import { CometD } from 'cometd/Client.js';
import type { Message } from 'cometd';
import { SLIDESHOW_CHANNELS, type SlideshowState } from '@/lib/slideshow';
import type { ConnectionProblem } from '@/lib/stores/connection-store';
import { NOT_CONNECTED, type PublishResult, type SendCommand } from './command-result';
import { MAX_BACKOFF_MS, Reconnection } from './reconnection';
import { createStateFeed, createStatusFeed, type StateFeed, type StatusFeed } from './store-feed';
import { loadEarlierHistory } from './history-loader';

export type { PublishResult } from './command-result';

export interface ConnectOptions {
  /** The Bayeux endpoint: `${location.origin}/bayeux`. */
  url: string;
  /** Presenters: `presenterRole(...)` from lib/client/presenter-role.ts. */
  presenter?: PresenterRole;
}

export interface SlideshowConnection {
  publishCommand(command: Parameters<SendCommand>[0]): Promise<PublishResult>;
  disconnect(): void;
}

/** What the connection lends a role: whether it is open and connected, and the one way into the stores. */
export interface ConnectionLink {
  isOpen(): boolean;
  isConnected(): boolean;
  stateArrived(state: SlideshowState): void;
}

/** A role's part in the connection, attached to each new client before its first handshake. */
export interface PresenterRole {
  onState?: (state: SlideshowState) => void;
  attach(cometd: CometD, link: ConnectionLink): AttachedRole;
}

export interface AttachedRole {
  beforeHandshake(): Promise<boolean>;
  handshakeFailed(message: Message): void;
  problem(): ConnectionProblem | undefined;
  /** Subscriptions beyond /slideshow/change, made in the same batch after every handshake. */
  subscribe(): void;
  publishCommand: SendCommand;
}

export function connectSlideshow({ url, presenter }: ConnectOptions): SlideshowConnection {
  const cometd = createClient(url);
  let open = true;
  const isOpen = () => open;
  let role: AttachedRole | undefined;
  const states = createStateFeed({ isOpen, onState: presenter?.onState });
  const status = createStatusFeed({ isOpen, problem: () => role?.problem() });
  role = presenter?.attach(cometd, { isOpen, isConnected: status.isConnected, stateArrived: states.stateArrived });
  const reconnection = new Reconnection(cometd, { beforeHandshake: role?.beforeHandshake ?? (async () => true), troubled: status.troubled });
  listenToMetaChannels(cometd, { isOpen, states, status, reconnection, role });
  status.troubled();
  reconnection.start();
  const stopHistory = loadEarlierHistory();
  return {
    publishCommand: role?.publishCommand ?? (async () => NOT_CONNECTED),
    disconnect() {
      if (!open) return;
      open = false;
      stopHistory();
      reconnection.stop();
      if (!cometd.isDisconnected()) cometd.disconnect();
    },
  };
}

function createClient(url: string): CometD {
  const cometd = new CometD();
  cometd.configure({ url, logLevel: 'warn', backoffIncrement: 1_000, maxBackoff: MAX_BACKOFF_MS });
  cometd.registerExtension('ack', new AckExtension());
  return cometd;
}

interface MetaParts {
  isOpen(): boolean;
  states: StateFeed;
  status: StatusFeed;
  reconnection: Reconnection;
  role: AttachedRole | undefined;
}

function listenToMetaChannels(cometd: CometD, { isOpen, states, status, reconnection, role }: MetaParts): void {
  cometd.addListener('/meta/handshake', (message) => {
    if (!isOpen()) return;
    reconnection.heard();
    if (!message.successful) {
      role?.handshakeFailed(message);
      return status.troubled();
    }
    reconnection.handshakeSucceeded();
    states.subscribed();
    cometd.batch(() => {
      cometd.subscribe(SLIDESHOW_CHANNELS.change, states.changeReceived);
      role?.subscribe();
    });
  });
  cometd.addListener('/meta/connect', (message) => {
    if (!isOpen()) return;
    reconnection.heard();
    if (!message.successful) return status.troubled();
    status.connected();
  });
}
