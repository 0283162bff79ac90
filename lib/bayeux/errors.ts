/**
 * The one table of Bayeux errors, in the spec's `code:args:message` form. Each factory names one
 * failure; handlers return these as values and never throw across the protocol boundary.
 * Codes follow CometD and Faye where they agree (see docs/bayeux.md for the table).
 */

/**
 * Characters outside the spec's grammar for an error arg. Args sometimes echo client input (an
 * invalid channel, offered connection types); a `:` or `,` there would make the error ambiguous.
 */
const NOT_IN_ARG = /[^A-Za-z0-9\-_!~()$@ /*.]/g;

function format(code: number, args: string | readonly string[], message: string): string {
  const list: readonly string[] = typeof args === 'string' ? [args] : args;
  const joined = list.map((arg) => arg.replace(NOT_IN_ARG, '?')).join(',');
  return `${code}:${joined}:${message}`;
}

export const BayeuxError = {
  unknownClient: (clientId = '') => format(402, clientId, 'Unknown client'),
  missingParameter: (name: string) => format(402, name, 'Missing required parameter'),
  invalidParameter: (name: string) => format(400, name, 'Invalid parameter'),
  handshakeNotAlone: () => format(400, '', 'Handshake must be the only message in its request'),
  versionMismatch: (version: string) => format(300, version, 'Version mismatch'),
  connectionTypeMismatch: (types: readonly string[]) => format(301, types, 'Connection types not supported'),
  handshakeDenied: (reason = '') => format(403, reason, 'handshake_denied'),
  subscribeDenied: (channel: string) => format(403, channel, 'subscribe_denied'),
  publishDenied: (channel: string) => format(403, channel, 'publish_denied'),
  channelForbidden: (channel: string) => format(403, channel, 'Forbidden channel'),
  channelInvalid: (channel: string) => format(405, channel, 'Invalid channel'),
  unknownMetaChannel: (channel: string) => format(404, channel, 'Unknown meta channel'),
  wildcardPublish: (channel: string) => format(405, channel, 'Cannot publish to a wildcard channel'),
  invalidMessage: (reason: string) => format(400, '', reason),
  tooManyMessages: (limit: number) => format(413, String(limit), 'Too many messages in one request'),
  messageTooLarge: (limit: number) => format(413, String(limit), 'Message too large'),
  tooManySubscriptions: (limit: number) => format(429, String(limit), 'Too many subscriptions'),
  queueOverflow: (dropped: number) => format(409, String(dropped), 'queue_overflow: oldest messages dropped'),
  connectionReplaced: () => format(409, '', 'Connect replaced by a newer connect'),
  /** A session limit: `scope` is `server`, `socket` or `address`. */
  tooManySessions: (scope: 'server' | 'socket' | 'address', limit: number) => format(429, [scope, String(limit)], 'Too many sessions'),
  tooManyHandshakes: (perSecond: number) => format(429, String(perSecond), 'Too many handshakes'),
  tooManySubscribes: (perSecond: number) => format(429, String(perSecond), 'Too many subscribes'),
  serverError: () => format(500, '', 'Internal server error'),
  shuttingDown: () => format(503, '', 'Server shutting down'),
} as const;

/** Parse `code:args:message` back into parts (for tests and clients); undefined if malformed. */
export function parseError(error: string): { code: number; args: string[]; message: string } | undefined {
  const match = /^(\d{3}):([^:]*):(.*)$/s.exec(error);
  if (!match) return undefined;
  const [, code, args, message] = match;
  return { code: Number(code), args: args ? args.split(',') : [], message };
}
