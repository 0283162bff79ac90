/**
 * One node's link to Redis: a publisher connection (commands, PUBLISH, scripts) and a subscriber
 * connection (SUBSCRIBE only), as Redis pub/sub requires and as faye-redis and socket.io's adapter
 * do. Several users share one link (the Redis engine, and an application's shared state), so the
 * messages they publish from one connection reach every node in the order they were sent.
 *
 * The link is `up` when both connections are ready and every channel is subscribed. It never
 * queues commands while down (`enableOfflineQueue: false`, no resending): callers get an
 * immediate rejection and fall back to local work, so memory stays bounded during an outage.
 * ioredis reconnects with capped exponential backoff; each outage is logged once when it starts
 * and once when it ends.
 */
import { EventEmitter } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';

export type RedisLinkState = 'connecting' | 'up' | 'down' | 'closed';

export interface RedisLinkEvents {
  /** Both connections ready and every channel subscribed (again): resynchronise now. */
  up: [];
  /** Either connection was lost: messages published meanwhile on other nodes are not received. */
  down: [reason: string];
}

export interface RedisLinkOptions {
  /** Label for logs and `CLIENT LIST` (e.g. the node id). */
  name?: string;
  /** Where outages and recoveries are reported (default: console.warn with `[redis] <name>: `; an application's logger names the node itself). */
  log?: (line: string) => void;
  /** Reconnect delay: `min(retryBaseMs * 2^(attempt-1), retryMaxMs)` plus up to 20% jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A command without an answer for this long fails (the connection is presumed dead). */
  commandTimeoutMs?: number;
  /** Time allowed to open a connection. */
  connectTimeoutMs?: number;
}

type MessageHandler = (payload: string) => void;

export class RedisLink extends EventEmitter<RedisLinkEvents> {
  readonly publisher: Redis;
  readonly subscriber: Redis;
  readonly name: string;
  #state: RedisLinkState = 'connecting';
  readonly #handlers = new Map<string, MessageHandler>();
  /** Bumped on every subscriber (re)connect, so a late SUBSCRIBE answer of an old connection is ignored. */
  #generation = 0;
  #subscribed = false;
  #downSince: number | undefined;
  #everUp = false;
  #lastError = '';
  readonly #log: (line: string) => void;
  readonly #where: string;

  constructor(url: string, options: RedisLinkOptions = {}) {
    super();
    this.name = options.name ?? 'node';
    this.#log = options.log ?? ((line) => console.warn(`[redis] ${this.name}: ${line}`));
    this.#where = redactUrl(url);
    const base = options.retryBaseMs ?? 100;
    const max = options.retryMaxMs ?? 5_000;
    const common: RedisOptions = {
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      // 0: commands in flight when a connection drops are rejected at once, not kept for later.
      maxRetriesPerRequest: 0,
      connectTimeout: options.connectTimeoutMs ?? 3_000,
      retryStrategy: (attempt) => backoff(attempt, base, max),
    };
    // CLIENT SETNAME takes no spaces; a name it refused would keep the connection from getting ready.
    const label = this.name.replace(/[^A-Za-z0-9._:~-]/g, '_').slice(0, 64);
    this.publisher = new Redis(url, { ...common, commandTimeout: options.commandTimeoutMs ?? 2_000, connectionName: `${label}:pub` });
    this.subscriber = new Redis(url, { ...common, connectionName: `${label}:sub` });
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error: Error) => {
        this.#lastError = describeError(error);
      });
      connection.on('close', () => this.#update());
      connection.on('end', () => this.#update());
    }
    this.publisher.on('ready', () => this.#update());
    this.subscriber.on('ready', () => void this.#resubscribe());
    this.subscriber.on('message', (channel: string, payload: string) => this.#handlers.get(channel)?.(payload));
  }

  get state(): RedisLinkState {
    return this.#state;
  }

  get isUp(): boolean {
    return this.#state === 'up';
  }

  /**
   * Receive the messages of `channel` (one handler per channel). Resolves once subscribed, or at
   * once while down: the channel is subscribed with the others when the link comes up.
   */
  async listen(channel: string, handler: MessageHandler): Promise<void> {
    if (this.#handlers.has(channel)) throw new Error(`RedisLink: channel ${channel} already has a listener`);
    this.#handlers.set(channel, handler);
    if (this.subscriber.status !== 'ready') return;
    await this.subscriber.subscribe(channel).catch(() => undefined);
  }

  unlisten(channel: string): void {
    if (!this.#handlers.delete(channel)) return;
    if (this.subscriber.status === 'ready') this.subscriber.unsubscribe(channel).catch(() => undefined);
  }

  /** Resolves true once the link is up, false if it is not within `timeoutMs`. */
  whenUp(timeoutMs: number): Promise<boolean> {
    if (this.isUp) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (up: boolean) => {
        clearTimeout(timer);
        this.off('up', onUp);
        resolve(up);
      };
      const onUp = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.on('up', onUp);
    });
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#handlers.clear();
    await Promise.all([this.publisher, this.subscriber].map((connection) => closeConnection(connection)));
  }

  async #resubscribe(): Promise<void> {
    const generation = ++this.#generation;
    this.#subscribed = false;
    const channels = [...this.#handlers.keys()];
    try {
      if (channels.length > 0) await this.subscriber.subscribe(...channels);
    } catch (error) {
      this.#lastError = describeError(error);
      return; // the connection dropped again; its next `ready` tries anew
    }
    if (generation !== this.#generation) return;
    this.#subscribed = true;
    this.#update();
  }

  /** Derive the state from both connections and report a change. */
  #update(): void {
    if (this.#state === 'closed') return;
    if (this.subscriber.status !== 'ready') this.#subscribed = false;
    const up = this.publisher.status === 'ready' && this.subscriber.status === 'ready' && this.#subscribed;
    if (up && this.#state !== 'up') {
      const outage = this.#downSince === undefined ? '' : ` after ${seconds(Date.now() - this.#downSince)}`;
      this.#state = 'up';
      this.#downSince = undefined;
      this.#log(this.#everUp ? `Redis at ${this.#where} is back${outage}; resynchronising` : `connected to Redis at ${this.#where}${outage}`);
      this.#everUp = true;
      this.emit('up');
    } else if (!up && this.#state !== 'down' && (this.#state === 'up' || this.#stillConnecting())) {
      const reason = this.#lastError || 'connection closed';
      this.#state = 'down';
      this.#downSince = Date.now();
      this.#log(this.#everUp
        ? `lost Redis at ${this.#where} (${reason}); serving this node's clients only, reconnecting with backoff`
        : `cannot reach Redis at ${this.#where} (${reason}); serving this node's clients only, retrying with backoff`);
      this.emit('down', reason);
    }
  }

  /** During the first connect, a connection that closed means Redis is unreachable: say so once. */
  #stillConnecting(): boolean {
    return this.#state === 'connecting' && [this.publisher, this.subscriber].some((c) => ['close', 'reconnecting', 'end'].includes(c.status));
  }
}

function backoff(attempt: number, base: number, max: number): number {
  const delay = Math.min(base * 2 ** Math.min(attempt - 1, 20), max);
  return Math.round(delay * (1 + Math.random() * 0.2));
}

async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    const quit = connection.quit().then(() => undefined, () => undefined);
    const timer = new Promise<void>((resolve) => setTimeout(resolve, 500).unref());
    await Promise.race([quit, timer]);
  }
  connection.disconnect();
}

function describeError(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return String(error);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href.replace(/\/$/, '');
  } catch {
    return 'redis';
  }
}
