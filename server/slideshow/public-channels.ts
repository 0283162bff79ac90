/**
 * BAYEUX_PUBLIC_CHANNELS: namespaces opened to every client for subscribe and publish, so other
 * applications can use the server as a plain Bayeux server. `/slideshow/**` and `/meta/**` can
 * never be opened, nor anything that would cover them (`/*`, `/**`).
 */
import { isValidSubscription, isWildcard } from '../../lib/bayeux/index';
import { SLIDESHOW_NAMESPACE } from '../../lib/slideshow/index';

export class PublicChannels {
  readonly patterns: readonly string[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns;
  }

  /** Parse the comma-separated setting; throws with a message naming the bad entry. */
  static parse(raw: string | undefined): PublicChannels {
    const entries = (raw ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
    for (const entry of entries) {
      const problem = refusal(entry);
      if (problem) throw new Error(`BAYEUX_PUBLIC_CHANNELS: "${entry}" ${problem}`);
    }
    return new PublicChannels(entries);
  }

  /** May anyone publish on this concrete channel, or subscribe to this channel or pattern? */
  covers(channelOrPattern: string): boolean {
    return this.patterns.some((pattern) => within(channelOrPattern, pattern));
  }
}

function refusal(entry: string): string | undefined {
  if (!isValidSubscription(entry)) return 'is not a channel or a /* or /** pattern';
  if (entry === '/*' || entry === '/**') return 'would open every channel, including /slideshow/** and /meta/**';
  const base = isWildcard(entry) ? entry.replace(/\/\*\*?$/, '') : entry;
  for (const reserved of [SLIDESHOW_NAMESPACE, '/meta']) {
    if (base === reserved || base.startsWith(`${reserved}/`)) return `is inside ${reserved}/**, which can never be opened`;
  }
  return undefined;
}

/** Is everything `inner` names also named by `outer`? (`/chat/room` and `/chat/*` are within `/chat/**`.) */
export function within(inner: string, outer: string): boolean {
  if (inner === outer) return true;
  if (outer.endsWith('/**')) {
    const prefix = outer.slice(0, -2);
    return inner.startsWith(prefix) && inner.length > prefix.length;
  }
  if (outer.endsWith('/*')) {
    const prefix = outer.slice(0, -1);
    const rest = inner.slice(prefix.length);
    return inner.startsWith(prefix) && rest.length > 0 && !rest.includes('/') && !rest.startsWith('*');
  }
  return false;
}
