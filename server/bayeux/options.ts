/**
 * Options of the Bayeux server, their defaults and their validation. Bad options are programmer
 * errors: they throw at construction with a message naming the option.
 */
import type { ConnectionType } from '../../lib/bayeux/index';
import { CONSOLE_LOGGER, type BayeuxLogger } from './logger';

export interface BayeuxOptions {
  /** URL path of the endpoint; `<path>/<segment>` is accepted too (the CometD client appends the message type). */
  path: string;
  /** How long a `/meta/connect` is held when nothing is queued (ms). Advised to clients as `timeout`. */
  timeout: number;
  /** Pause a client makes between a connect reply and its next connect (ms). Advised as `interval`. */
  interval: number;
  /** A session with no connect for this long after its last connect reply is removed (ms). */
  maxInterval: number;
  /** How often expired sessions are swept (ms). */
  sweepPeriod: number;
  /** `interval` advised on failures, so a client never retries in a tight loop (ms). */
  failureInterval: number;
  /** `interval` advised with `multiple-clients` when a browser holds too many long polls (ms). */
  multiSessionInterval: number;
  /** Long polls one browser (BAYEUX_BROWSER cookie) may have held at once. */
  maxSessionsPerBrowser: number;
  /** Per-session queue bound; on overflow the oldest messages are dropped and the client told. */
  maxQueue: number;
  /** Messages one request (HTTP body or WebSocket frame) may carry. */
  maxMessagesPerRequest: number;
  /** Bytes of one HTTP body or one WebSocket frame. */
  maxBodyBytes: number;
  /** Bytes of one published message once serialised. */
  maxMessageBytes: number;
  /** Nesting depth of any JSON received. */
  maxJsonDepth: number;
  /** Subscriptions one session may hold. */
  maxSubscriptionsPerSession: number;
  /** Sessions the server holds at once; handshakes beyond are refused (`429:server,…`) with handshake advice and a pause. */
  maxSessions: number;
  /** Sessions handshaken on one WebSocket and not yet removed; beyond, `429:socket,…`. A page's client needs one. */
  maxSessionsPerSocket: number;
  /**
   * Sessions handshaken from one client address (an IPv6 /64 counts as one) and not yet removed;
   * beyond, `429:address,…`. Phones behind one NAT share an address: keep it well above a room.
   */
  maxSessionsPerAddress: number;
  /** Steady rate of handshakes one client address may make (per second); beyond, `429:…:Too many handshakes`. */
  handshakesPerSecondPerAddress: number;
  /** Handshakes one client address may make at once before its steady rate applies (a room rejoining after a restart). */
  handshakeBurstPerAddress: number;
  /** Steady rate of `/meta/subscribe` messages one session may send (per second); beyond, `429:…:Too many subscribes`. */
  subscribesPerSecondPerSession: number;
  /** Subscribes one session may send at once before its steady rate applies. */
  subscribeBurstPerSession: number;
  /** `interval` advised with a refused handshake (a limit, or shutting down), so refused clients come back slowly (ms). */
  refusedInterval: number;
  /** WebSocket ping period (ms); a socket that missed a pong by the next ping is dropped. */
  wsPingInterval: number;
  /** Bytes a WebSocket may have waiting in its send buffer before messages wait in the session queue. */
  wsMaxBufferedBytes: number;
  /** Origins allowed cross-origin (CORS and WebSocket). Same-origin and Origin-less requests are always allowed. `*` allows all. */
  allowedOrigins: readonly string[];
  /** Transports offered to clients. */
  transports: readonly ConnectionType[];
  /** Cookie that identifies a browser across its tabs (for `multiple-clients`). */
  browserCookieName: string;
  /** Mark the browser cookie `Secure; SameSite=None` (needed for cross-site use over HTTPS). */
  browserCookieSecure: boolean;
  /** Keys of a publisher's `ext` never forwarded to subscribers (credentials, per-session extension data). */
  privateExtKeys: readonly string[];
  /** Where a failure of our own or a peer's rejected frame is reported when no event listener takes it (default: the console). */
  logger: BayeuxLogger;
}

export const DEFAULT_OPTIONS: BayeuxOptions = {
  path: '/bayeux',
  timeout: 25_000,
  interval: 0,
  maxInterval: 10_000,
  sweepPeriod: 1_000,
  failureInterval: 500,
  multiSessionInterval: 2_000,
  maxSessionsPerBrowser: 1,
  maxQueue: 1_000,
  maxMessagesPerRequest: 100,
  maxBodyBytes: 1_048_576,
  maxMessageBytes: 65_536,
  maxJsonDepth: 32,
  maxSubscriptionsPerSession: 100,
  maxSessions: 100_000,
  maxSessionsPerSocket: 4,
  maxSessionsPerAddress: 1_000,
  handshakesPerSecondPerAddress: 20,
  handshakeBurstPerAddress: 200,
  subscribesPerSecondPerSession: 5,
  subscribeBurstPerSession: 20,
  refusedInterval: 5_000,
  wsPingInterval: 25_000,
  wsMaxBufferedBytes: 1_048_576,
  allowedOrigins: [],
  transports: ['websocket', 'long-polling', 'callback-polling'],
  browserCookieName: 'BAYEUX_BROWSER',
  browserCookieSecure: false,
  privateExtKeys: ['auth', 'ack', 'timesync'],
  logger: CONSOLE_LOGGER,
};

const POSITIVE_INTEGERS = [
  'timeout', 'maxInterval', 'sweepPeriod', 'maxSessionsPerBrowser', 'maxQueue', 'maxMessagesPerRequest',
  'maxBodyBytes', 'maxMessageBytes', 'maxJsonDepth', 'maxSubscriptionsPerSession', 'maxSessions',
  'maxSessionsPerSocket', 'maxSessionsPerAddress', 'handshakesPerSecondPerAddress', 'handshakeBurstPerAddress',
  'subscribesPerSecondPerSession', 'subscribeBurstPerSession',
  'wsPingInterval', 'wsMaxBufferedBytes',
] as const;
const NON_NEGATIVE_INTEGERS = ['interval', 'failureInterval', 'multiSessionInterval', 'refusedInterval'] as const;

export function resolveOptions(partial: Partial<BayeuxOptions> = {}): BayeuxOptions {
  const options: BayeuxOptions = { ...DEFAULT_OPTIONS, ...stripUndefined(partial) };
  for (const key of POSITIVE_INTEGERS) requireInteger(key, options[key], 1);
  for (const key of NON_NEGATIVE_INTEGERS) requireInteger(key, options[key], 0);
  if (!/^\/[A-Za-z0-9\-_.~/]*$/.test(options.path) || options.path.endsWith('/')) {
    throw new TypeError(`Bayeux option "path" must start with "/" and not end with one, got ${JSON.stringify(options.path)}`);
  }
  if (options.transports.length === 0) throw new TypeError('Bayeux option "transports" must list at least one transport');
  if (typeof options.logger?.warn !== 'function' || typeof options.logger.error !== 'function') throw new TypeError('Bayeux option "logger" must have warn and error methods');
  if (!/^[A-Za-z0-9_-]+$/.test(options.browserCookieName)) {
    throw new TypeError(`Bayeux option "browserCookieName" is not a valid cookie name: ${options.browserCookieName}`);
  }
  return options;
}

function requireInteger(key: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`Bayeux option "${key}" must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
