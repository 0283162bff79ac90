/**
 * A real Bayeux server on an ephemeral port for integration tests: our createBayeuxServer mounted
 * on a plain http.Server (no Next), with optional extra routes (e.g. static test pages).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
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

/** An application's handler beside Bayeux: true (or a promise of true) when it answered. */
export type AppHandler = (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;

export interface Listening {
  readonly http: http.Server;
  readonly port: number;
  readonly url: string;
  /** Closes Bayeux, then every connection, then the server. */
  close(): Promise<void>;
}

/**
 * An http.Server on 127.0.0.1 routing as server/index.ts does, without Next: Bayeux first, then
 * each handler in turn, else 404; upgrades go to Bayeux or are destroyed.
 */
export async function listenWithBayeux(bayeux: BayeuxServer, handlers: AppHandler[] = [], port = 0): Promise<Listening> {
  const route = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    for (const handler of handlers) if (await handler(req, res)) return;
    res.writeHead(404).end('not found');
  };
  const server = http.createServer((req, res) => {
    if (!bayeux.handleHttp(req, res)) void route(req, res);
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
  return {
    http: server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    async close() {
      await bayeux.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `port` 0 (the default) takes an ephemeral port; a fixed one lets a test restart a server on the same address. */
export async function startBayeuxServer(options: CreateBayeuxServerOptions = {}, routes: Route[] = [], port = 0): Promise<TestServer> {
  const bayeux = createBayeuxServer(options);
  const listening = await listenWithBayeux(bayeux, routes, port);
  return { url: listening.url, endpoint: `${listening.url}${bayeux.options.path}`, port: listening.port, bayeux, http: listening.http, close: listening.close };
}

/**
 * A server for the describe this is called in: started by its `before`, closed by its `after`.
 * Read its fields inside tests and hooks, never at declaration.
 */
export function useBayeuxServer(options: CreateBayeuxServerOptions = {}): TestServer {
  const server = {} as { -readonly [K in keyof TestServer]: TestServer[K] };
  before(async () => void Object.assign(server, await startBayeuxServer(options)));
  after(() => server.close?.());
  return server;
}

/** Resolves with the reason once the server removes this session ('disconnect', 'expired', …). */
export function sessionRemoved(bayeux: BayeuxServer, clientId: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const off = bayeux.on('disconnect', (session, reason) => {
      if (session.id !== clientId) return;
      off();
      resolve(reason);
    });
  });
}
