/**
 * Environment -> typed, validated configuration. Every problem is collected and reported at once,
 * with the variable's name, before anything starts listening.
 */
import path from 'node:path';
import type { BayeuxOptions } from './bayeux/index';
import type { UploadLimits } from './slides/limits';
import type { OfficeOptions } from './slides/office/converter';

const MiB = 1_048_576;

export interface Config {
  /** Data folder: decks, the live talk, the generated presenter key. */
  dataDir: string;
  /** PRESENTER_KEY, if set (otherwise one is generated and kept in the data folder). */
  presenterKey: string | undefined;
  /** BAYEUX_PUBLIC_CHANNELS, validated by the slideshow. */
  publicChannels: string | undefined;
  /** Base URL people use to reach this server (PUBLIC_URL), for the printed links and the QR code. */
  publicUrl: string | undefined;
  /** UPLOAD_MAX_*, RENDER_MEMORY_MB, RENDER_PROCESSES: bounds of uploads and of PDF rendering. */
  uploadLimits: Partial<UploadLimits>;
  /** SOFFICE_PATH, OFFICE_TIMEOUT_S, OFFICE_CONCURRENCY, OFFICE_QUEUE: converting Office presentations. */
  office: Partial<OfficeOptions>;
  port: number;
  host: string | undefined;
  /** Milliseconds given to open requests after SIGINT/SIGTERM before sockets are cut. */
  shutdownGraceMs: number;
  bayeux: Partial<BayeuxOptions>;
  /** REDIS_URL: several nodes share Bayeux fan-out, the live talk and the audience count through Redis. */
  redisUrl: string | undefined;
  /** NODE_ID: this node's name in logs and in Redis (default: host name and process id). */
  nodeId: string | undefined;
  /** REDIS_PREFIX: names of this installation's keys and channels in Redis (default `cometdeck:`). */
  redisPrefix: string;
  /** PAST_SLIDES_KEEP_MINUTES: the last talk's shown slides stay served this long once another deck is live (ms). */
  keepPastMs: number | undefined;
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
};

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const bayeux: Partial<BayeuxOptions> = {};
  for (const [name, [option, min, max]] of Object.entries(BAYEUX_INTEGERS)) {
    if (env[name] !== undefined && env[name]!.trim() !== '') (bayeux as Record<string, number>)[option] = int(name, 0, min, max);
  }
  const origins = parseOrigins(env.BAYEUX_ALLOWED_ORIGINS, problems);
  if (origins) bayeux.allowedOrigins = origins;
  if (env.BAYEUX_COOKIE_SECURE !== undefined) bayeux.browserCookieSecure = parseBoolean('BAYEUX_COOKIE_SECURE', env.BAYEUX_COOKIE_SECURE, problems);
  const presenterKey = env.PRESENTER_KEY?.trim() || undefined;
  if (presenterKey !== undefined && presenterKey.length < 16) problems.push('PRESENTER_KEY must be at least 16 characters (or leave it unset to have one generated)');
  const redisUrl = parseRedisUrl(env.REDIS_URL, problems);
  if (redisUrl !== undefined && presenterKey === undefined) {
    problems.push('REDIS_URL needs PRESENTER_KEY: every node must check presenter sign-ins with the same key (a generated key would differ per node)');
  }
  const nodeId = env.NODE_ID?.trim() || undefined;
  if (nodeId !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(nodeId)) problems.push(`NODE_ID must be 1 to 64 letters, digits, ".", "_" or "-", got "${env.NODE_ID}"`);
  const redisPrefix = env.REDIS_PREFIX?.trim() || 'cometdeck:';
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(redisPrefix)) problems.push(`REDIS_PREFIX must be 1 to 64 letters, digits, ".", "_", ":" or "-", got "${env.REDIS_PREFIX}"`);
  const uploadLimits: Partial<UploadLimits> = {};
  if (env.UPLOAD_MAX_FILE_MB) uploadLimits.maxFileBytes = int('UPLOAD_MAX_FILE_MB', 50, 1, 4096) * MiB;
  if (env.UPLOAD_MAX_TOTAL_MB) uploadLimits.maxTotalBytes = int('UPLOAD_MAX_TOTAL_MB', 200, 1, 16_384) * MiB;
  if (env.UPLOAD_MAX_SLIDES) uploadLimits.maxSlides = int('UPLOAD_MAX_SLIDES', 500, 1, 5_000);
  // Node, pdfjs, Skia and sharp need about 200 MB of data memory before the first page.
  if (env.RENDER_MEMORY_MB?.trim()) uploadLimits.renderMemoryMb = int('RENDER_MEMORY_MB', 1_024, 256, 65_536);
  if (env.RENDER_PROCESSES?.trim()) uploadLimits.renderProcesses = int('RENDER_PROCESSES', 1, 1, 8);
  const office: Partial<OfficeOptions> = {};
  if (env.SOFFICE_PATH?.trim()) office.binary = env.SOFFICE_PATH.trim();
  if (env.OFFICE_TIMEOUT_S) office.timeoutMs = int('OFFICE_TIMEOUT_S', 120, 5, 3_600) * 1000;
  if (env.OFFICE_CONCURRENCY) office.concurrency = int('OFFICE_CONCURRENCY', 1, 1, 8);
  if (env.OFFICE_QUEUE) office.maxWaiting = int('OFFICE_QUEUE', 4, 0, 100);
  const config: Config = {
    dataDir: path.resolve(env.SLIDES_DIR?.trim() || path.join(projectRoot(), 'slides')),
    presenterKey,
    publicChannels: env.BAYEUX_PUBLIC_CHANNELS,
    publicUrl: parsePublicUrl(env.PUBLIC_URL, problems),
    uploadLimits,
    office,
    port: int('PORT', 3000, 0, 65_535),
    host: env.HOST?.trim() || undefined,
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 5_000, 0, 120_000),
    bayeux,
    redisUrl,
    nodeId,
    redisPrefix,
    keepPastMs: env.PAST_SLIDES_KEEP_MINUTES?.trim() ? int('PAST_SLIDES_KEEP_MINUTES', 15, 0, 1_440) * 60_000 : undefined,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function projectRoot(): string {
  return path.resolve(import.meta.dirname, '..');
}

function parsePublicUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    return url.href.replace(/\/$/, '');
  } catch {
    problems.push(`PUBLIC_URL must be an http(s) URL such as https://slides.example.org, got "${raw}"`);
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
