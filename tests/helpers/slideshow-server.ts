/**
 * The slideshow without Next: our Bayeux server and the Comet Deck application (API, images,
 * policy, live talk) on a real http.Server on 127.0.0.1:0, over a fresh data folder. Requests the
 * application does not claim get 404 (pages are Next's and are tested end to end).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { createBayeuxServer, type BayeuxServer, type CreateBayeuxServerOptions } from '../../server/bayeux/index';
import { createSlideshow, isLongWork, type Slideshow, type SlideshowOptions } from '../../server/slideshow/index';
import { createHttpServer, DEFAULT_HTTP_TIMEOUTS, refuseSocket, type HttpTimeouts } from '../../server/http-server';

export interface SlideshowTestServer {
  readonly url: string;
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly key: string;
  readonly bayeux: BayeuxServer;
  readonly slideshow: Slideshow;
  readonly http: http.Server;
  close(): Promise<void>;
}

export async function startSlideshowServer(
  options: Partial<SlideshowOptions> & { port?: number; http?: Partial<HttpTimeouts> } = {},
  bayeuxOptions: CreateBayeuxServerOptions = {},
): Promise<SlideshowTestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'cometdeck-test-')));
  const bayeux = createBayeuxServer({ timeout: 5_000, maxSessionsPerBrowser: 50, ...bayeuxOptions });
  const slideshow = await createSlideshow(bayeux, { presenterKey: 'test-presenter-key-0123456789', ...options, dataDir });
  // The production server's connection handling and timeouts (server/http-server.ts).
  const server = createHttpServer((req, res) => {
    if (bayeux.handleHttp(req, res)) return;
    void slideshow.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end('not found');
    });
  }, { ...DEFAULT_HTTP_TIMEOUTS, ...options.http }, isLongWork);
  server.on('upgrade', (req, socket, head) => {
    if (!bayeux.handleUpgrade(req, socket, head)) refuseSocket(socket, 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  slideshow.setAudienceUrl(url);
  return {
    url, endpoint: `${url}/bayeux`, port, dataDir, key: slideshow.presenterKey.key, bayeux, slideshow, http: server,
    async close() {
      slideshow.close();
      await bayeux.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A server for the describe this is called in: started by its `before`, closed by its `after`.
 * Read its fields inside tests and hooks, never at declaration.
 */
export function useSlideshowServer(...args: Parameters<typeof startSlideshowServer>): SlideshowTestServer {
  const server = {} as { -readonly [K in keyof SlideshowTestServer]: SlideshowTestServer[K] };
  before(async () => void Object.assign(server, await startSlideshowServer(...args)));
  after(() => server.close?.());
  return server;
}
