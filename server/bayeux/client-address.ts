/**
 * The client address the per-address limits count. By default the peer of the TCP connection;
 * an application behind a reverse proxy passes its own `clientAddress` (one that trusts
 * `X-Forwarded-For` from its proxies only), or every client would share the proxy's address.
 * An IPv6 client counts as its /64: one host is routinely given a whole /64 to pick addresses from.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

export type ClientAddress = (req: IncomingMessage) => string | undefined;

export const peerAddress: ClientAddress = (req) => limitKey(req.socket.remoteAddress);

/** `1.2.3.4` for itself and its IPv4-mapped form; `2001:db8:0:1::/64` for any address of that /64. */
export function limitKey(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, `::` filled in, zone dropped, leading zeros removed. */
function expandIPv6(address: string): string[] {
  const bare = address.split('%')[0]!.toLowerCase();
  const [head, tail] = bare.includes('::') ? bare.split('::') as [string, string] : [bare, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.map((group) => (group.includes('.') ? group : String(Number.parseInt(group || '0', 16).toString(16))));
}
