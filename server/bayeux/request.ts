/** What the transports tell the protocol about the request a message arrived on. */
import type { IncomingHttpHeaders } from 'node:http';
import type { ConnectionType } from '../../lib/bayeux/index';

export interface RequestInfo {
  readonly transport: ConnectionType;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
  /** The BAYEUX_BROWSER cookie, for HTTP transports. */
  readonly browserId: string | undefined;
}
