/**
 * Environment -> typed, validated configuration. Every problem is collected and reported at once,
 * with the variable's name, before anything starts listening.
 */
import type { BayeuxOptions } from './bayeux/index';

export interface Config {
  port: number;
  host: string | undefined;
  /** Milliseconds given to open requests after SIGINT/SIGTERM before sockets are cut. */
  shutdownGraceMs: number;
  bayeux: Partial<BayeuxOptions>;
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
  const config: Config = {
    port: int('PORT', 3000, 0, 65_535),
    host: env.HOST?.trim() || undefined,
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 5_000, 0, 120_000),
    bayeux,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
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
