/**
 * Channel names and patterns (spec "Channels": `channel_name = "/" segment *("/" segment)`,
 * `segment = 1*(alphanum / mark)`, `mark = - _ ! ~ ( ) $ @`). Patterns allow only one trailing
 * wildcard segment: `/a/*` matches exactly one more segment, `/a/**` one or more.
 */

export const MAX_CHANNEL_LENGTH = 256;
const SEGMENT = /^[A-Za-z0-9\-_!~()$@.]+$/;

/** A concrete channel (no wildcard), valid by the spec grammar. Dots are allowed as CometD allows them. */
export function isValidChannel(name: unknown): name is string {
  if (typeof name !== 'string' || name.length < 2 || name.length > MAX_CHANNEL_LENGTH) return false;
  if (name[0] !== '/') return false;
  const segments = name.slice(1).split('/');
  return segments.every((segment) => SEGMENT.test(segment));
}

/** A subscription target: a concrete channel, or a channel with a trailing `*` or `**` segment. */
export function isValidSubscription(name: unknown): name is string {
  if (typeof name !== 'string') return false;
  if (name === '/*' || name === '/**') return true;
  if (name.endsWith('/**')) return isValidChannel(name.slice(0, -3));
  if (name.endsWith('/*')) return isValidChannel(name.slice(0, -2));
  return isValidChannel(name);
}

export function isWildcard(name: string): boolean {
  return name.endsWith('/*') || name.endsWith('/**');
}

export function isMeta(name: string): boolean {
  return name === '/meta' || name.startsWith('/meta/');
}

export function isService(name: string): boolean {
  return name === '/service' || name.startsWith('/service/');
}

/** Broadcast channels are the ones delivered to subscribers: neither meta nor service. */
export function isBroadcast(name: string): boolean {
  return !isMeta(name) && !isService(name);
}

/**
 * Every subscription that receives a message published on `channel`: the channel itself, its
 * one-segment wildcard and every `/**` above it. `/a/b/c` -> `/a/b/c`, `/a/b/*`, `/a/b/**`, `/a/**`, `/**`.
 */
export function matchingSubscriptions(channel: string): string[] {
  const segments = channel.slice(1).split('/');
  const result = [channel];
  const parent = '/' + segments.slice(0, -1).join('/');
  result.push(parent === '/' ? '/*' : `${parent}/*`);
  for (let depth = segments.length - 1; depth >= 0; depth--) {
    const prefix = segments.slice(0, depth).join('/');
    result.push(prefix === '' ? '/**' : `/${prefix}/**`);
  }
  return result;
}

/** Does subscription `pattern` receive messages published on `channel`? */
export function subscriptionMatches(pattern: string, channel: string): boolean {
  return matchingSubscriptions(channel).includes(pattern);
}
