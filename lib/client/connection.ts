/**
 * The page's one Bayeux connection: a facade over the official `cometd` client that feeds the
 * slideshow and connection stores (lib/stores), hands a presenter's page what only it needs
 * through callbacks (`onState`, `onAudienceCount`), and exposes only `publishCommand` and
 * `disconnect`. Open it in an effect (never at module scope) and disconnect in the effect's
 * cleanup; React StrictMode opens, closes and reopens it in development, which the server tolerates.
 *
 * - Subscriptions are made in a `/meta/handshake` listener, so every re-handshake (the server
 *   restarted, the session expired while a phone slept) subscribes again; the server answers a
 *   subscription with the current state (plus the talk's history), which is always accepted.
 * - The ack extension makes the server redeliver anything a dropped `/meta/connect` lost.
 * - Presenters hand a short-lived token in the handshake (`ext.auth.token`), fetched before every
 *   handshake: the first one, and each re-handshake the client decides on.
 * - A presenter's command goes over Bayeux, or over HTTP (`POST /api/live`) while Bayeux is down.
 * - Every retry the client schedules (`onTransportFailure`) is held here instead of in the
 *   client's own timers, so coming back (page visible again, network back) retries at once.
 */
import { AckExtension } from 'cometd/AckExtension.js';
import { CometD } from 'cometd/Client.js';
import type { Message } from 'cometd';
import { parseError } from '@/lib/bayeux/errors';
import { parseAudienceCount, parseSlideshowState, SLIDESHOW_CHANNELS, type ApiError, type PresenterCommand, type SlideshowState } from '@/lib/slideshow';
import { useConnectionStore, type ConnectionProblem, type ConnectionStatus } from '@/lib/stores/connection-store';
import { useSlideshowStore } from '@/lib/stores/slideshow-store';

export type Role = 'audience' | 'presenter';

export interface ConnectOptions {
  /** The Bayeux endpoint: `${location.origin}/bayeux`. */
  url: string;
  role: Role;
  /** Presenters: a fresh handshake token (GET /api/presenter/token). Reject with `{ status: 401 }` when signed out. */
  getToken?: () => Promise<string>;
  /**
   * Presenters: each state received on `/slideshow/change`, after the slideshow store took it.
   * A callback, not the presenter store itself, so the audience page does not bundle that store.
   */
  onState?: (state: SlideshowState) => void;
  /** Presenters: each audience size received on `/slideshow/audience`. */
  onAudienceCount?: (count: number) => void;
}

/** `sent: false` means the command never left this page, so it is safe to send another way. */
export type PublishResult = { ok: true } | { ok: false; error: string; sent: boolean };

export interface SlideshowConnection {
  publishCommand(command: PresenterCommand): Promise<PublishResult>;
  disconnect(): void;
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

const MAX_BACKOFF_MS = 15_000;
const PUBLISH_TIMEOUT_MS = 8_000;
/** How much longer than the server's advised hold a `/meta/connect` may stay silent before we call it dead. */
const CONNECT_GRACE_MS = 5_000;

export function connectSlideshow({ url, role, getToken, onState, onAudienceCount }: ConnectOptions): SlideshowConnection {
  const cometd = new CometD();
  cometd.configure({ url, logLevel: 'warn', backoffIncrement: 1_000, maxBackoff: MAX_BACKOFF_MS });
  cometd.registerExtension('ack', new AckExtension());

  let disposed = false;
  let connected = false;
  let everConnected = false;
  let problem: ConnectionProblem | undefined;
  let token: string | undefined;
  /** Last time the server answered a handshake or connect: a long silence means a dead connection. */
  let lastHeard = Date.now();
  /** The next state on /slideshow/change is the replay that follows a subscription. */
  let expectReplay = false;
  /** Come back at once: the next retry cometd asks for is not delayed. */
  let hurry = false;
  /** A retry cometd asked for, which we run after its delay (or at once when the page comes back). */
  let held: { handler: FailureHandler; info: FailureInfo; timer?: ReturnType<typeof setTimeout>; running?: boolean } | undefined;
  /** Our own handshake retry, after cometd gave up (`reconnect: none`) or we had no token. */
  let retry: ReturnType<typeof setTimeout> | undefined;
  let attempts = 0;

  const report = (status: ConnectionStatus) => {
    if (!disposed) useConnectionStore.getState().connectionChanged(status, problem);
  };
  const troubled = () => {
    connected = false;
    report(!navigator.onLine ? 'offline' : everConnected ? 'reconnecting' : 'connecting');
  };

  if (role === 'presenter') {
    cometd.registerExtension('presenter-auth', {
      outgoing(message) {
        if (message.channel === '/meta/handshake' && token) message.ext = { ...message.ext, auth: { token } };
        return message;
      },
    });
  }

  /** Presenters: fetch a token; false when there is none to hand over. */
  async function refreshToken(): Promise<boolean> {
    if (!getToken) return true;
    try {
      token = await getToken();
      problem = undefined;
      return true;
    } catch (error) {
      token = undefined;
      const status = (error as { status?: unknown } | null)?.status;
      problem = status === 401 || status === 403 ? 'unauthorized' : problem;
      return false;
    }
  }

  async function handshake(): Promise<void> {
    const ready = await refreshToken();
    if (disposed || cometd.getStatus() !== 'disconnected') return;
    if (!ready) {
      troubled();
      scheduleHandshake();
      return;
    }
    cometd.handshake();
  }

  function scheduleHandshake(): void {
    if (disposed) return;
    clearTimeout(retry);
    attempts += 1;
    const delay = hurry ? 0 : Math.min(1_000 * 2 ** (attempts - 1), MAX_BACKOFF_MS);
    hurry = false;
    retry = setTimeout(() => {
      retry = undefined;
      void handshake();
    }, delay);
  }

  async function release(): Promise<void> {
    const current = held;
    if (!current || current.running) return;
    current.running = true;
    clearTimeout(current.timer);
    if (current.info.action === 'handshake' && !(await refreshToken())) {
      if (held !== current) return;
      held = undefined;
      current.handler({ ...current.info, action: 'none' });
      troubled();
      scheduleHandshake();
      return;
    }
    if (held !== current) return;
    held = undefined;
    current.handler({ ...current.info, delay: 0 });
  }

  const hook = cometd as unknown as FailureHook;
  const decide = hook.onTransportFailure.bind(cometd);
  hook.onTransportFailure = (message, info, handler) => {
    decide(message, info, (next) => {
      if (disposed) return handler({ ...next, action: 'none' });
      if (next.action === 'none') {
        // cometd stops here (handshake denied, stale token, server said so): try again ourselves.
        handler(next);
        scheduleHandshake();
        return;
      }
      const delay = hurry ? 0 : (next.delay ?? 0);
      hurry = false;
      held = { handler, info: next };
      held.timer = setTimeout(() => void release(), delay);
    });
  };

  const onChange = (message: Message) => {
    if (disposed) return;
    const state = parseSlideshowState(message.data);
    if (!state) return;
    const replay = expectReplay || (state.live && state.history !== undefined);
    expectReplay = false;
    useSlideshowStore.getState().slideChanged(state, { replay });
    if (role === 'presenter') onState?.(state);
  };

  const onAudience = (message: Message) => {
    const count = parseAudienceCount(message.data);
    if (!disposed && count) onAudienceCount?.(count.count);
  };

  cometd.addListener('/meta/handshake', (message) => {
    if (disposed) return;
    lastHeard = Date.now();
    if (!message.successful) {
      // A refused token is not retried: the next handshake fetches a new one.
      if (parseError(message.error ?? '')?.code === 403) token = undefined;
      troubled();
      return;
    }
    attempts = 0;
    expectReplay = true;
    cometd.batch(() => {
      cometd.subscribe(SLIDESHOW_CHANNELS.change, onChange);
      if (role === 'presenter') cometd.subscribe(SLIDESHOW_CHANNELS.audience, onAudience);
    });
  });

  cometd.addListener('/meta/connect', (message) => {
    if (disposed) return;
    lastHeard = Date.now();
    if (!message.successful) return troubled();
    connected = true;
    everConnected = true;
    report('connected');
  });

  /**
   * The page is back (visible again, resumed, network back): run a pending retry now, and drop a
   * connection that cannot be alive: silent for longer than the server holds a /meta/connect, or
   * opened before the network changed. cometd then reconnects at once (same session if the
   * server still has it, else a new handshake and the replay).
   */
  function resume(networkChanged: boolean): void {
    if (disposed || !navigator.onLine) return;
    if (held) return void release();
    if (retry) {
      clearTimeout(retry);
      retry = undefined;
      return void handshake();
    }
    if (cometd.getStatus() === 'disconnected') return void handshake();
    const hold = (cometd.getAdvice().timeout ?? 30_000) + CONNECT_GRACE_MS;
    if (networkChanged || Date.now() - lastHeard > hold) {
      hurry = true;
      cometd.getTransport()?.abort();
    }
  }

  const onOnline = () => resume(true);
  const onOffline = () => troubled();
  const onVisible = () => {
    if (document.visibilityState === 'visible') resume(false);
  };
  const onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted) resume(false);
  };
  const onResume = () => resume(false);
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  window.addEventListener('pageshow', onPageShow);
  document.addEventListener('visibilitychange', onVisible);
  document.addEventListener('resume', onResume);

  troubled();
  void handshake();

  return {
    publishCommand(command) {
      return new Promise<PublishResult>((resolve) => {
        if (role !== 'presenter' || disposed) {
          resolve({ ok: false, error: 'Not connected', sent: false });
          return;
        }
        if (!connected) {
          // Bayeux is down for now: the same command over HTTP reaches the same talk.
          void commandOverHttp(url, command).then((result) => {
            if (result.ok && !disposed) useSlideshowStore.getState().slideChanged(result.state);
            resolve(result.ok ? { ok: true } : result);
          });
          return;
        }
        let settled = false;
        const settle = (result: PublishResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(result);
        };
        const timer = setTimeout(() => settle({ ok: false, error: 'The server did not answer in time', sent: true }), PUBLISH_TIMEOUT_MS);
        cometd.publish(SLIDESHOW_CHANNELS.change, command, (reply) => {
          settle(reply.successful ? { ok: true } : { ok: false, error: describeFailure(reply), sent: true });
        });
      });
    },
    disconnect() {
      if (disposed) return;
      disposed = true;
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('pageshow', onPageShow);
      document.removeEventListener('visibilitychange', onVisible);
      document.removeEventListener('resume', onResume);
      clearTimeout(retry);
      if (held) {
        const { handler, info, timer } = held;
        held = undefined;
        clearTimeout(timer);
        handler({ ...info, action: 'none' });
      }
      if (!cometd.isDisconnected()) cometd.disconnect();
    },
  };
}

function describeFailure(reply: Message): string {
  const parsed = parseError(reply.error ?? '');
  if (parsed) return parsed.args.length > 0 && parsed.code !== 403 ? `${parsed.message}: ${parsed.args.join(', ')}` : parsed.message;
  return reply.error ?? 'The command was not delivered';
}

async function commandOverHttp(bayeuxUrl: string, command: PresenterCommand): Promise<{ ok: true; state: SlideshowState } | { ok: false; error: string; sent: boolean }> {
  let response: Response;
  try {
    response = await fetch(new URL('/api/live', bayeuxUrl), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(command),
    });
  } catch {
    return { ok: false, error: 'The server cannot be reached', sent: false };
  }
  const body = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) return { ok: false, error: (body as Partial<ApiError> | undefined)?.error ?? `HTTP ${response.status}`, sent: true };
  const state = parseSlideshowState(body);
  return state ? { ok: true, state } : { ok: false, error: 'Unexpected answer from the server', sent: true };
}
