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

export async function startBayeuxServer(options: CreateBayeuxServerOptions = {}, routes: Route[] = []): Promise<TestServer> {
  const bayeux = createBayeuxServer(options);
  const server = http.createServer((req, res) => {
    if (bayeux.handleHttp(req, res)) return;
    for (const route of routes) if (route(req, res)) return;
    res.writeHead(404).end('not found');
  });
  server.on('upgrade', (req, socket, head) => {
    if (!bayeux.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    endpoint: `${url}${bayeux.options.path}`,
    port,
    bayeux,
    http: server,
    async close() {
      await bayeux.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
