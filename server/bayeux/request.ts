/** What the transports tell the protocol about the request a message arrived on. */
import type { IncomingHttpHeaders } from 'node:http';
import type { ConnectionType } from '../../lib/bayeux/index';

export interface RequestInfo {
  readonly transport: ConnectionType;
  readonly headers: IncomingHttpHeaders;
  /** The client's address as the server's `clientAddress` resolves it (an IPv6 /64 as one): per-address limits count it. */
  readonly remoteAddress: string | undefined;
  /** The WebSocket a message arrived on (an identity only): per-socket limits count it. */
  readonly socket?: object;
  /** The BAYEUX_BROWSER cookie, for HTTP transports. */
  readonly browserId: string | undefined;
}
