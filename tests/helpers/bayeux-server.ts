/**
 * A real Bayeux server on an ephemeral port for integration tests: our createBayeuxServer mounted
 * on a plain http.Server (no Next), with optional extra routes (e.g. static test pages).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBayeuxServer, type BayeuxServer, type CreateBayeuxServerOptions } from '../../server/bayeux/index';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

export interface TestServer {
  readonly url: string;
  readonly endpoint: string;
  readonly port: number;
  readonly bayeux: BayeuxServer;
  readonly http: http.Server;
  close(): Promise<void>;
}

/** `port` 0 (the default) takes an ephemeral port; a fixed one lets a test restart a server on the same address. */
export async function startBayeuxServer(options: CreateBayeuxServerOptions = {}, routes: Route[] = [], port = 0): Promise<TestServer> {
  const bayeux = createBayeuxServer(options);
  const server = http.createServer((req, res) => {
    if (bayeux.handleHttp(req, res)) return;
    for (const route of routes) if (route(req, res)) return;
    res.writeHead(404).end('not found');
  });
  server.on('upgrade', (req, socket, head) => {
    if (!bayeux.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${actual}`;
  return {
    url,
    endpoint: `${url}${bayeux.options.path}`,
    port: actual,
    bayeux,
    http: server,
    async close() {
      await bayeux.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
