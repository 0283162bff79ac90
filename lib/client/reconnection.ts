/**
 * How the connection comes back after a failure. Every retry the `cometd` client schedules
 * (`onTransportFailure`) is held here instead of in the client's own timers, so coming back
 * (page visible again, network back) runs it at once. When the client gives up
 * (`reconnect: none`: handshake denied, stale token) or there is nothing to handshake with yet,
 * we handshake again ourselves, with exponential backoff. A `/meta/connect` silent for longer
 * than the server holds one is dead (a phone that slept, a changed network): it is aborted so
 * the client reconnects at once.
 */
import type { CometD, Message } from 'cometd';
import { watchPageReturn } from './page-return';

export const MAX_BACKOFF_MS = 15_000;
/** How much longer than the server's advised hold a `/meta/connect` may stay silent before we call it dead. */
const CONNECT_GRACE_MS = 5_000;
/** What the server advises by default (`timeout`) when it has not said yet. */
const DEFAULT_HOLD_MS = 30_000;

export interface ReconnectionHooks {
  /** Runs before every handshake; false when there is nothing to handshake with yet (retried later). */
  beforeHandshake(): Promise<boolean>;
  /** The connection is not (or no longer) up. */
  troubled(): void;
}

/** What `onTransportFailure` decides; `cometd.d.ts` does not declare this hook. */
interface FailureInfo {
  action: 'handshake' | 'retry' | 'none';
  delay?: number;
}
type FailureHandler = (info: FailureInfo) => void;
interface FailureHook {
  onTransportFailure(message: Message, info: FailureInfo, handler: FailureHandler): void;
}
type Timer = ReturnType<typeof setTimeout>;
/** A retry the client asked for, run after its delay or at once when the page comes back. */
interface HeldRetry {
  handler: FailureHandler;
  info: FailureInfo;
  timer?: Timer;
  running?: boolean;
}

export class Reconnection {
  private stopped = false;
  /** Last time the server answered a handshake or connect. */
  private lastHeard = Date.now();
  /** Come back at once: the next retry is not delayed. */
  private hurry = false;
  private held: HeldRetry | undefined;
  /** Our own handshake retry, after the client gave up or we had nothing to handshake with. */
  private retry: Timer | undefined;
  private attempts = 0;
  private readonly stopWatching: () => void;

  constructor(private readonly cometd: CometD, private readonly hooks: ReconnectionHooks) {
    this.holdClientRetries();
    this.stopWatching = watchPageReturn({ back: (changed) => this.resume(changed), offline: () => hooks.troubled() });
  }

  start(): void {
    void this.handshake();
  }

  /** The server answered a handshake or a connect. */
  heard(): void {
    this.lastHeard = Date.now();
  }

  handshakeSucceeded(): void {
    this.attempts = 0;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopWatching();
    clearTimeout(this.retry);
    const held = this.held;
    this.held = undefined;
    if (held) {
      clearTimeout(held.timer);
      held.handler({ ...held.info, action: 'none' });
    }
  }

  private holdClientRetries(): void {
    const hook = this.cometd as unknown as FailureHook;
    const decide = hook.onTransportFailure.bind(this.cometd);
    hook.onTransportFailure = (message, info, handler) => decide(message, info, (next) => this.clientDecided(next, handler));
  }

  private clientDecided(next: FailureInfo, handler: FailureHandler): void {
    if (this.stopped) return handler({ ...next, action: 'none' });
    if (next.action === 'none') {
      // The client stops here (handshake denied, stale token, server said so): try again ourselves.
      handler(next);
      this.scheduleHandshake();
      return;
    }
    const delay = this.takeHurry() ? 0 : (next.delay ?? 0);
    const held: HeldRetry = { handler, info: next };
    held.timer = setTimeout(() => void this.release(), delay);
    this.held = held;
  }

  private async handshake(): Promise<void> {
    const ready = await this.hooks.beforeHandshake();
    if (this.stopped || this.cometd.getStatus() !== 'disconnected') return;
    if (!ready) {
      this.hooks.troubled();
      this.scheduleHandshake();
      return;
    }
    this.cometd.handshake();
  }

  private scheduleHandshake(): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.attempts += 1;
    const delay = this.takeHurry() ? 0 : Math.min(1_000 * 2 ** (this.attempts - 1), MAX_BACKOFF_MS);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.handshake();
    }, delay);
  }

  /** Runs the held retry now. A re-handshake first needs what `beforeHandshake` fetches. */
  private async release(): Promise<void> {
    const current = this.held;
    if (!current || current.running) return;
    current.running = true;
    clearTimeout(current.timer);
    const ready = current.info.action !== 'handshake' || (await this.hooks.beforeHandshake());
    if (this.held !== current) return;
    this.held = undefined;
    if (ready) return current.handler({ ...current.info, delay: 0 });
    current.handler({ ...current.info, action: 'none' });
    this.hooks.troubled();
    this.scheduleHandshake();
  }

  /**
   * The page is back: run a pending retry now, and drop a connection that cannot be alive (silent
   * for longer than the server holds a /meta/connect, or opened before the network changed). The
   * client then reconnects at once: same session if the server still has it, else a new
   * handshake and the replay.
   */
  private resume(networkChanged: boolean): void {
    if (this.stopped || !navigator.onLine) return;
    if (this.held) return void this.release();
    if (this.retry || this.cometd.getStatus() === 'disconnected') {
      clearTimeout(this.retry);
      this.retry = undefined;
      return void this.handshake();
    }
    const hold = (this.cometd.getAdvice().timeout ?? DEFAULT_HOLD_MS) + CONNECT_GRACE_MS;
    if (networkChanged || Date.now() - this.lastHeard > hold) {
      this.hurry = true;
      this.cometd.getTransport()?.abort();
    }
  }

  private takeHurry(): boolean {
    const hurry = this.hurry;
    this.hurry = false;
    return hurry;
  }
}
