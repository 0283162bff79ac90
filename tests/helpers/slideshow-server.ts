/**
 * The slideshow without Next: our Bayeux server and the Comet Deck application (API, images,
 * policy, live talk) on a real http.Server on 127.0.0.1:0, over a fresh data folder. Requests the
 * application does not claim get 404 (pages are Next's and are tested end to end).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBayeuxServer, type BayeuxServer, type CreateBayeuxServerOptions } from '../../server/bayeux/index';
import { createSlideshow, type Slideshow, type SlideshowOptions } from '../../server/slideshow/index';
import { listenWithBayeux } from './bayeux-server';

export interface SlideshowTestServer {
  readonly url: string;
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly key: string;
  readonly bayeux: BayeuxServer;
  readonly slideshow: Slideshow;
  close(): Promise<void>;
}

export async function startSlideshowServer(
  options: Partial<SlideshowOptions> & { port?: number } = {},
  bayeuxOptions: CreateBayeuxServerOptions = {},
): Promise<SlideshowTestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'cometdeck-test-')));
  const bayeux = createBayeuxServer({ timeout: 5_000, maxSessionsPerBrowser: 50, ...bayeuxOptions });
  const slideshow = await createSlideshow(bayeux, { presenterKey: 'test-presenter-key-0123456789', ...options, dataDir });
  const listening = await listenWithBayeux(bayeux, [(req, res) => slideshow.handle(req, res)], options.port);
  const { port, url } = listening;
  slideshow.setAudienceUrl(url);
  return {
    url, endpoint: `${url}/bayeux`, port, dataDir, key: slideshow.presenterKey.key, bayeux, slideshow,
    async close() {
      slideshow.close();
      await listening.close();
    },
  };
}
