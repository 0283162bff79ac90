/**
 * Environment -> typed, validated configuration. Every problem is collected and reported at once,
 * with the variable's name, before anything starts listening.
 */
import path from 'node:path';
import { DEFAULT_OPTIONS as BAYEUX_DEFAULTS, type BayeuxOptions } from './bayeux/index';
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from './http-server';
import type { OfficeOptions, UploadLimits } from './slides/index';
import { PublicChannels } from './slideshow/public-channels';
import { DEFAULT_REDIS_PREFIX } from './slideshow/redis-talk-store';
import { parseTrustedProxies } from './slideshow/client-address';
import { LOG_LEVELS, type LogLevel } from './log';

const MiB = 1_048_576;

export interface Config {
  /** Data folder: decks, the live talk, the generated presenter key. */
  dataDir: string;
  /** PRESENTER_KEY, if set (otherwise one is generated and kept in the data folder). */
  presenterKey: string | undefined;
  /** BAYEUX_PUBLIC_CHANNELS, validated here (the slideshow parses it into its list). */
  publicChannels: string | undefined;
  /** Base URL people use to reach this server (PUBLIC_URL), for the printed links and the QR code. */
  publicUrl: string | undefined;
  /** SEALED_BASE_URL: where phones fetch the sealed copies (a CDN or static host), instead of this server's `/sealed`. */
  sealedBaseUrl: string | undefined;
  /** UPLOAD_MAX_*, RENDER_MEMORY_MB, RENDER_PROCESSES: bounds of uploads and of PDF rendering. */
  uploadLimits: Partial<UploadLimits>;
  /** SOFFICE_PATH, OFFICE_TIMEOUT_S, OFFICE_CONCURRENCY, OFFICE_QUEUE: converting Office presentations. */
  office: Partial<OfficeOptions>;
  port: number;
  host: string | undefined;
  /** Milliseconds given to open requests after SIGINT/SIGTERM before sockets are cut. */
  shutdownGraceMs: number;
  bayeux: Partial<BayeuxOptions>;
  /** HTTP_*_TIMEOUT_MS: how long a connection may take to send its request, or sit idle. */
  http: HttpTimeouts;
  /** REDIS_URL: several nodes share Bayeux fan-out, the live talk and the audience count through Redis. */
  redisUrl: string | undefined;
  /** NODE_ID: this node's name in logs and in Redis (default: host name and process id). */
  nodeId: string | undefined;
  /** REDIS_PREFIX: names of this installation's keys and channels in Redis (default `cometdeck:`). */
  redisPrefix: string;
  /** PAST_SLIDES_KEEP_MINUTES: the last talk's shown slides stay served this long once another deck is live (ms). */
  keepPastMs: number | undefined;
  /** TRUSTED_PROXIES: reverse proxies (IPs, CIDR ranges) whose `X-Forwarded-For` names the client for sign-in limits. */
  trustedProxies: string[];
  /** LOG_LEVEL: the least severe log entries written (default `info`). */
  logLevel: LogLevel;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Integer variables: name -> [Bayeux option, min, max]. */
const BAYEUX_INTEGERS: Record<string, [keyof BayeuxOptions, number, number]> = {
  BAYEUX_TIMEOUT_MS: ['timeout', 1, 600_000],
  BAYEUX_INTERVAL_MS: ['interval', 0, 600_000],
  BAYEUX_MAX_INTERVAL_MS: ['maxInterval', 1_000, 3_600_000],
  BAYEUX_MAX_QUEUE: ['maxQueue', 1, 1_000_000],
  BAYEUX_MAX_BODY_BYTES: ['maxBodyBytes', 1_024, 64 * 1_048_576],
  BAYEUX_MAX_MESSAGE_BYTES: ['maxMessageBytes', 256, 64 * 1_048_576],
  BAYEUX_MAX_MESSAGES_PER_REQUEST: ['maxMessagesPerRequest', 1, 10_000],
  BAYEUX_MAX_SESSIONS: ['maxSessions', 1, 10_000_000],
  BAYEUX_MAX_SESSIONS_PER_BROWSER: ['maxSessionsPerBrowser', 1, 100],
  BAYEUX_WS_PING_INTERVAL_MS: ['wsPingInterval', 1_000, 600_000],
  BAYEUX_MAX_SESSIONS_PER_SOCKET: ['maxSessionsPerSocket', 1, 1_000],
  BAYEUX_MAX_SESSIONS_PER_ADDRESS: ['maxSessionsPerAddress', 1, 10_000_000],
  BAYEUX_HANDSHAKES_PER_SECOND: ['handshakesPerSecondPerAddress', 1, 1_000_000],
  BAYEUX_HANDSHAKE_BURST: ['handshakeBurstPerAddress', 1, 10_000_000],
  BAYEUX_SUBSCRIBES_PER_SECOND: ['subscribesPerSecondPerSession', 1, 10_000],
  BAYEUX_SUBSCRIBE_BURST: ['subscribeBurstPerSession', 1, 100_000],
};

/** HTTP connection timeouts: name -> [HttpTimeouts field, min, max] (ms). */
const HTTP_TIMEOUTS: Record<string, [keyof HttpTimeouts, number, number]> = {
  HTTP_HEADERS_TIMEOUT_MS: ['headersTimeoutMs', 100, 600_000],
  HTTP_REQUEST_TIMEOUT_MS: ['requestTimeoutMs', 100, 3_600_000],
  HTTP_KEEP_ALIVE_TIMEOUT_MS: ['keepAliveTimeoutMs', 100, 600_000],
  HTTP_IDLE_TIMEOUT_MS: ['idleTimeoutMs', 100, 3_600_000],
};

export function loadConfig(env: Env = process.env): Config {
  const read = new Reader(env);
  const bayeux = bayeuxOptions(read);
  const presenterKey = env.PRESENTER_KEY?.trim() || undefined;
  if (presenterKey !== undefined && presenterKey.length < 16) read.problem('PRESENTER_KEY must be at least 16 characters (or leave it unset to have one generated)');
  const config: Config = {
    dataDir: path.resolve(env.SLIDES_DIR?.trim() || path.join(projectRoot(), 'slides')),
    presenterKey,
    publicChannels: publicChannels(read),
    publicUrl: parsePublicUrl(env.PUBLIC_URL, read.problems),
    sealedBaseUrl: parseHttpUrl('SEALED_BASE_URL', env.SEALED_BASE_URL, 'https://cdn.example.org/sealed', read.problems),
    uploadLimits: uploadLimits(read),
    office: officeOptions(read),
    port: read.int('PORT', 3000, 0, 65_535),
    host: env.HOST?.trim() || undefined,
    shutdownGraceMs: read.int('SHUTDOWN_GRACE_MS', 5_000, 0, 120_000),
    bayeux,
    http: httpTimeouts(read, bayeux.timeout ?? BAYEUX_DEFAULTS.timeout),
    ...redisSettings(read, presenterKey),
    keepPastMs: env.PAST_SLIDES_KEEP_MINUTES?.trim() ? read.int('PAST_SLIDES_KEEP_MINUTES', 15, 0, 1_440) * 60_000 : undefined,
    trustedProxies: parseTrustedProxies(env.TRUSTED_PROXIES, read.problems),
    logLevel: logLevel(read),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

/** The environment, read variable by variable; every problem is kept to be reported together. */
class Reader {
  readonly problems: string[] = [];

  constructor(readonly env: Env) {}

  problem(text: string): void {
    this.problems.push(text);
  }

  /** Set and not blank. */
  has(name: string): boolean {
    return (this.env[name] ?? '').trim() !== '';
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.problem(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }
}

function bayeuxOptions(read: Reader): Partial<BayeuxOptions> {
  const bayeux: Partial<BayeuxOptions> = {};
  for (const [name, [option, min, max]] of Object.entries(BAYEUX_INTEGERS)) {
    if (read.has(name)) (bayeux as Record<string, number>)[option] = read.int(name, 0, min, max);
  }
  const origins = parseOrigins(read.env.BAYEUX_ALLOWED_ORIGINS, read.problems);
  if (origins) bayeux.allowedOrigins = origins;
  if (read.env.BAYEUX_COOKIE_SECURE !== undefined) bayeux.browserCookieSecure = parseBoolean('BAYEUX_COOKIE_SECURE', read.env.BAYEUX_COOKIE_SECURE, read.problems);
  return bayeux;
}

/** BAYEUX_PUBLIC_CHANNELS, checked here like every other variable (the slideshow keeps the parsed list). */
function publicChannels(read: Reader): string | undefined {
  const raw = read.env.BAYEUX_PUBLIC_CHANNELS;
  try {
    PublicChannels.parse(raw);
  } catch (error) {
    read.problem(error instanceof Error ? error.message : String(error));
  }
  return raw;
}

/** LOG_LEVEL: debug, info, warn or error, in any case. */
function logLevel(read: Reader): LogLevel {
  const raw = read.env.LOG_LEVEL?.trim().toLowerCase() || 'info';
  const level = LOG_LEVELS.find((name) => name === raw);
  if (level === undefined) read.problem(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${read.env.LOG_LEVEL}"`);
  return level ?? 'info';
}

function httpTimeouts(read: Reader, longPollMs: number): HttpTimeouts {
  const http: HttpTimeouts = { ...DEFAULT_HTTP_TIMEOUTS };
  for (const [name, [field, min, max]] of Object.entries(HTTP_TIMEOUTS)) http[field] = read.int(name, http[field], min, max);
  // Each timeout is checked this often: a tenth of the shortest, so none is outlasted by much.
  http.checkIntervalMs = Math.max(50, Math.min(DEFAULT_HTTP_TIMEOUTS.checkIntervalMs, Math.floor(Math.min(http.headersTimeoutMs, http.requestTimeoutMs) / 10)));
  if (http.requestTimeoutMs < http.headersTimeoutMs) read.problem(`HTTP_REQUEST_TIMEOUT_MS (${http.requestTimeoutMs}) must not be shorter than HTTP_HEADERS_TIMEOUT_MS (${http.headersTimeoutMs})`);
  if (http.idleTimeoutMs <= longPollMs) read.problem(`HTTP_IDLE_TIMEOUT_MS (${http.idleTimeoutMs}) must be longer than a held long poll (BAYEUX_TIMEOUT_MS, ${longPollMs})`);
  return http;
}

function redisSettings(read: Reader, presenterKey: string | undefined): Pick<Config, 'redisUrl' | 'nodeId' | 'redisPrefix'> {
  const { env } = read;
  const redisUrl = parseRedisUrl(env.REDIS_URL, read.problems);
  if (redisUrl !== undefined && presenterKey === undefined) {
    read.problem('REDIS_URL needs PRESENTER_KEY: every node must check presenter sign-ins with the same key (a generated key would differ per node)');
  }
  const nodeId = env.NODE_ID?.trim() || undefined;
  if (nodeId !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(nodeId)) read.problem(`NODE_ID must be 1 to 64 letters, digits, ".", "_" or "-", got "${env.NODE_ID}"`);
  const redisPrefix = env.REDIS_PREFIX?.trim() || DEFAULT_REDIS_PREFIX;
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(redisPrefix)) read.problem(`REDIS_PREFIX must be 1 to 64 letters, digits, ".", "_", ":" or "-", got "${env.REDIS_PREFIX}"`);
  return { redisUrl, nodeId, redisPrefix };
}

function uploadLimits(read: Reader): Partial<UploadLimits> {
  const limits: Partial<UploadLimits> = {};
  if (read.has('UPLOAD_MAX_FILE_MB')) limits.maxFileBytes = read.int('UPLOAD_MAX_FILE_MB', 50, 1, 4096) * MiB;
  if (read.has('UPLOAD_MAX_TOTAL_MB')) limits.maxTotalBytes = read.int('UPLOAD_MAX_TOTAL_MB', 200, 1, 16_384) * MiB;
  if (read.has('UPLOAD_MAX_SLIDES')) limits.maxSlides = read.int('UPLOAD_MAX_SLIDES', 500, 1, 5_000);
  // Node, pdfjs, Skia and sharp need about 200 MB of data memory before the first page.
  if (read.has('RENDER_MEMORY_MB')) limits.renderMemoryMb = read.int('RENDER_MEMORY_MB', 1_024, 256, 65_536);
  if (read.has('RENDER_PROCESSES')) limits.renderProcesses = read.int('RENDER_PROCESSES', 1, 1, 8);
  return limits;
}

function officeOptions(read: Reader): Partial<OfficeOptions> {
  const office: Partial<OfficeOptions> = {};
  if (read.has('SOFFICE_PATH')) office.binary = read.env.SOFFICE_PATH!.trim();
  if (read.has('OFFICE_TIMEOUT_S')) office.timeoutMs = read.int('OFFICE_TIMEOUT_S', 120, 5, 3_600) * 1000;
  if (read.has('OFFICE_CONCURRENCY')) office.concurrency = read.int('OFFICE_CONCURRENCY', 1, 1, 8);
  if (read.has('OFFICE_QUEUE')) office.maxWaiting = read.int('OFFICE_QUEUE', 4, 0, 100);
  return office;
}

function projectRoot(): string {
  return path.resolve(import.meta.dirname, '..');
}

function parsePublicUrl(raw: string | undefined, problems: string[]): string | undefined {
  return parseHttpUrl('PUBLIC_URL', raw, 'https://slides.example.org', problems);
}

/** An http(s) URL without a query or fragment, without its trailing slash; undefined when unset. */
function parseHttpUrl(name: string, raw: string | undefined, example: string, problems: string[]): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    if (url.search || url.hash) throw new Error('query');
    return url.href.replace(/\/$/, '');
  } catch {
    problems.push(`${name} must be an http(s) URL such as ${example}, got "${raw}"`);
    return undefined;
  }
}

/** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
function parseRedisUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    const url = new URL(raw.trim());
    if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') throw new Error('scheme');
    if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d{1,2}$/.test(url.pathname)) throw new Error('db');
    return raw.trim();
  } catch {
    problems.push('REDIS_URL must be a Redis URL such as redis://127.0.0.1:6379 (or rediss:// for TLS, /<db> for a database number)');
    return undefined;
  }
}

/** `*`, or a comma-separated list of origins such as `https://slides.example.org`. */
function parseOrigins(raw: string | undefined, problems: string[]): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const origins = raw.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    try {
      const url = new URL(origin);
      if (url.origin !== origin) problems.push(`BAYEUX_ALLOWED_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path); did you mean "${url.origin}"?`);
    } catch {
      problems.push(`BAYEUX_ALLOWED_ORIGINS: "${origin}" is not a URL origin`);
    }
  }
  return origins;
}

function parseBoolean(name: string, raw: string, problems: string[]): boolean {
  if (/^(1|true|yes|on)$/i.test(raw.trim())) return true;
  if (/^(0|false|no|off)$/i.test(raw.trim())) return false;
  problems.push(`${name} must be true or false, got "${raw}"`);
  return false;
}
