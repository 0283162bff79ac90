/**
 * The Comet Deck application: presenter access, decks, the live talk and its Bayeux side, all
 * behind one `handle(req, res)` the composition root calls before handing a request to Next.
 * Knows the Bayeux server only through its public API.
 */
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BayeuxServer, RedisLink } from '../bayeux/index';
import { DeckStore } from '../slides/index';
import { uploadLimits, type UploadLimits } from '../slides/index';
import { DEFAULT_OFFICE_OPTIONS, OfficeConverter, type OfficeOptions } from '../slides/index';
import { PresenterAuth } from './auth';
import { installSlideshow, type SlideshowBayeux } from './bayeux-app';
import { deckLookup } from './decks';
import { LiveTalk } from './live-talk';
import { LocalTally, RedisTally, type AudienceTally } from './audience';
import { FileTalkStore, type TalkStore } from './talk-store';
import { RedisTalkStore } from './redis-talk-store';
import { loadPresenterKey, type PresenterKey } from './presenter-key';
import { PublicChannels } from './public-channels';
import { DeckRoutes } from './http/deck-routes';
import { SessionRoutes } from './http/session-routes';
import { HandoutRoute } from './http/handout-route';
import { SLIDESHOW_ROUTES, type SlideshowApp } from './http/routes';
import { RemoteCodes } from './remote-codes';
import { attachPageState } from '../../lib/slideshow/page-state';
import { TrustedProxies } from './client-address';
export { bayeuxClientAddress } from './client-address';
import { FileSessionLedger, SESSIONS_FILE, type SessionLedger } from './session-ledger';
import { RedisSessionLedger } from './redis-session-ledger';
import { WrongKeyLimiter, type WrongKeyOptions } from './wrong-keys';

export interface SlideshowOptions {
  dataDir: string;
  presenterKey?: string;
  publicChannels?: string;
  uploadLimits?: Partial<UploadLimits>;
  /** Converting Office presentations (SOFFICE_PATH, OFFICE_TIMEOUT_S, OFFICE_CONCURRENCY, OFFICE_QUEUE). */
  office?: Partial<OfficeOptions>;
  /** PUBLIC_URL: makes slide URLs in broadcasts absolute. */
  publicUrl?: string;
  /** SEALED_BASE_URL: the sealed copies named in broadcasts are fetched from there (a CDN, a static host). */
  sealedBaseUrl?: string;
  /**
   * Several nodes: share the live talk and the audience count through this Redis link (the one
   * the Redis engine uses, so a talk change reaches every node before its broadcast does).
   */
  shared?: SharedState;
  /** PAST_SLIDES_KEEP_MINUTES: how long the last talk's shown slides stay served once another deck is live (ms). */
  keepPastMs?: number;
  /** TRUSTED_PROXIES: reverse proxies whose `X-Forwarded-For` names the client (IPs or CIDR ranges). */
  trustedProxies?: readonly string[];
  /** What a wrong presenter key costs (delay, caps); tests inject a fast sleep. */
  wrongKeys?: Partial<WrongKeyOptions>;
  /** The clock of time-limited things (remote codes, the last talk's kept slides); tests inject one. */
  clock?: () => number;
}

export interface SharedState {
  readonly link: RedisLink;
  /** This node, unique among the nodes (a label plus a random part). */
  readonly instance: string;
  /** Key prefix of this installation in Redis (default `cometdeck:`). */
  readonly prefix?: string;
}

export interface Slideshow {
  readonly presenterKey: PresenterKey;
  readonly bayeux: SlideshowBayeux;
  /** Tell presenter pages where the audience should go (for the join link and QR code). */
  setAudienceUrl(url: string): void;
  /**
   * Serve the request if it is the application's; resolves false if it is for Next. The only
   * request left for Next that it marks is the audience page's: it carries the public state (what
   * `GET /api/live` answers) for the page's server render.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Stop listening to Bayeux and to the shared state (this node's audience leaves the total). */
  close(): Promise<void>;
}

/** The phones' page, rendered on the server with the live state (pages/index.tsx). */
const AUDIENCE_PAGE = '/';

export async function createSlideshow(bayeux: BayeuxServer, options: SlideshowOptions): Promise<Slideshow> {
  const publicChannels = PublicChannels.parse(options.publicChannels);
  const store = await DeckStore.open(options.dataDir);
  // Read every deck once at start, so a damaged or missing deck.json is logged now, not when asked for.
  await store.list();
  const presenterKey = await loadPresenterKey(options.dataDir, options.presenterKey);
  const { shared } = options;
  const { auth, sessionLedger } = await openAuth(options, presenterKey.key);
  const talk = await openTalk(options, store);
  const tally: AudienceTally = shared ? new RedisTally(shared.link, { instance: shared.instance, prefix: shared.prefix }) : new LocalTally();
  const slideshowBayeux = installSlideshow(bayeux, talk, auth, publicChannels, tally);
  const sessions = new SessionRoutes(auth, options.publicUrl, new RemoteCodes(options.clock));
  const handout = new HandoutRoute(store, talk);
  const decks = new DeckRoutes(store, talk, uploadLimits(options.uploadLimits), new OfficeConverter({ ...DEFAULT_OFFICE_OPTIONS, ...options.office }));
  const app: SlideshowApp = { store, talk, sessions, handout, decks };

  return {
    presenterKey,
    bayeux: slideshowBayeux,
    setAudienceUrl(url) {
      sessions.audienceUrl = url;
    },
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === AUDIENCE_PAGE) attachPageState(req, talk.state());
      return SLIDESHOW_ROUTES.serve(app, auth, req, res, url);
    },
    async close() {
      slideshowBayeux.close();
      await Promise.all([tally.close(), talk.close(), sessionLedger.close()]);
    },
  };
}

/** Presenter sign-in: its key, the sessions ledger (sign-out revokes), the wrong-key limiter, the trusted proxies. */
async function openAuth(options: SlideshowOptions, key: string): Promise<{ auth: PresenterAuth; sessionLedger: SessionLedger }> {
  const { shared } = options;
  const sessionLedger: SessionLedger = shared
    ? new RedisSessionLedger(shared.link, shared.prefix)
    : await FileSessionLedger.open(path.join(options.dataDir, SESSIONS_FILE));
  const auth = new PresenterAuth(key, Date.now, {
    sessions: sessionLedger,
    wrongKeys: new WrongKeyLimiter(options.wrongKeys),
    proxies: new TrustedProxies(options.trustedProxies),
  });
  return { auth, sessionLedger };
}

/** The live talk, kept in live.json or, for several nodes, in Redis. */
async function openTalk(options: SlideshowOptions, store: DeckStore): Promise<LiveTalk> {
  const { shared } = options;
  const talkStore: TalkStore = shared
    ? await RedisTalkStore.open(shared.link, { instance: shared.instance, prefix: shared.prefix })
    : await FileTalkStore.open(path.join(options.dataDir, 'live.json'));
  const origin = options.publicUrl ?? '';
  const lookup = deckLookup(store, `${origin}/img`, options.sealedBaseUrl ?? `${origin}/sealed`);
  return LiveTalk.open(talkStore, lookup, options.clock, { keepPastMs: options.keepPastMs });
}

/**
 * Requests whose answer may take minutes to start (an upload converted and rendered before the
 * answer, or between two progress lines): the HTTP server lifts its idle timeout for them.
 */
export function isLongWork(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return SLIDESHOW_ROUTES.isLongWork(req.method, query < 0 ? url : url.slice(0, query));
}
