/**
 * Who is asking: the address a limit is kept for. Behind a reverse proxy every request comes from
 * the proxy, so the client's address is read from `X-Forwarded-For`, but only when the peer is one
 * of the configured trusted proxies (TRUSTED_PROXIES): anyone else could write any address there.
 * Each proxy appends the address it saw, so the list is read from the right, skipping our own
 * proxies; the first address that is not one of them is the client (the left part is whatever the
 * client claimed).
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { limitKey, type ClientAddress } from '../bayeux/index';

export class TrustedProxies {
  readonly #list = new BlockList();
  readonly size: number;

  /** `entries`: IP addresses and CIDR ranges, already checked by `parseTrustedProxies`. */
  constructor(entries: readonly string[] = []) {
    for (const entry of entries) {
      const [address, prefix] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.#list.addAddress(address, family);
      else this.#list.addSubnet(address, Number(prefix), family);
    }
    this.size = entries.length;
  }

  trusts(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.#list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** The client's address for a request that came from `peer` with these headers. */
  clientAddress(peer: string | undefined, headers: IncomingHttpHeaders): string {
    const direct = normalise(peer ?? 'unknown');
    if (this.size === 0 || !this.trusts(direct)) return direct;
    const raw = headers['x-forwarded-for'];
    const hops = (Array.isArray(raw) ? raw.join(',') : raw ?? '').split(',').map((hop) => normalise(hop.trim())).filter(Boolean);
    for (let index = hops.length - 1; index >= 0; index -= 1) {
      if (!this.trusts(hops[index]!)) return hops[index]!;
    }
    return hops[0] ?? direct;
  }
}

/** `::ffff:10.0.0.1` is 10.0.0.1; an IPv6 in brackets or with a zone is the bare address. */
function normalise(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  return bare.toLowerCase().startsWith('::ffff:') && isIP(bare.slice(7)) === 4 ? bare.slice(7) : bare;
}

/** TRUSTED_PROXIES: comma-separated IP addresses or CIDR ranges. Problems are reported, not thrown. */
export function parseTrustedProxies(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxPrefix = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || !prefixOk || extra !== undefined) {
      problems.push(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range (such as 10.0.0.0/8 or ::1)`);
    }
  }
  return entries;
}

/**
 * The address Bayeux's per-address limits count: the client's, from X-Forwarded-For when the peer
 * is one of these trusted proxies (else every phone behind a proxy would share one budget).
 * Undefined without proxies: Bayeux then counts the peer, as it does by default.
 */
export function bayeuxClientAddress(trusted: readonly string[]): ClientAddress | undefined {
  if (trusted.length === 0) return undefined;
  const proxies = new TrustedProxies(trusted);
  return (req) => limitKey(proxies.clientAddress(req.socket.remoteAddress, req.headers));
}
