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
import { handleLive, handleLiveHistory } from './http/live-routes';
import { notFound, serveImage } from './http/image-route';
import { serveSealed } from './http/sealed-route';
import { SessionRoutes } from './http/session-routes';
import { HandoutRoute } from './http/handout-route';
import { RemoteCodes } from './remote-codes';
import { sendError } from './http/respond';
import { attachPageState } from '../../lib/slideshow/page-state';
import { chargeWrongAuthorization } from './http/guard';
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

/** Pages only a signed-in presenter may open; others are sent to sign in first. */
const PRESENTER_PAGES = new Set(['/presenter', '/decks']);
/** The phones' page, rendered on the server with the live state (pages/index.tsx). */
const AUDIENCE_PAGE = '/';
const IMAGE_PATH = /^\/img\/([^/]+)\/([^/]+)$/;

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
  const decks = new DeckRoutes(store, talk, auth, uploadLimits(options.uploadLimits), new OfficeConverter({ ...DEFAULT_OFFICE_OPTIONS, ...options.office }));

  const route = router({ sessions, auth, talk, handout, decks, store });

  return {
    presenterKey,
    bayeux: slideshowBayeux,
    setAudienceUrl(url) {
      sessions.audienceUrl = url;
    },
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === AUDIENCE_PAGE) attachPageState(req, talk.state());
      if (!isOurs(url.pathname)) return false;
      try {
        return await route(req, res, url);
      } catch (error) {
        console.error('[slideshow]', error);
        sendError(res, 500, 'internal error');
        return true;
      }
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
  const lookup = deckLookup(store, `${origin}/img`, `${origin}/sealed`);
  return LiveTalk.open(talkStore, lookup, options.clock, { keepPastMs: options.keepPastMs });
}

interface Routes {
  sessions: SessionRoutes;
  auth: PresenterAuth;
  talk: LiveTalk;
  handout: HandoutRoute;
  decks: DeckRoutes;
  store: DeckStore;
}

/** Our requests, path by path; false for what Next serves (a presenter page once signed in). */
function router({ sessions, auth, talk, handout, decks, store }: Routes) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const { pathname } = url;
    if (await sessions.handle(req, res, url)) return true;
    if (pathname === '/api/live') return handleLive(req, res, auth, talk).then(() => true);
    if (pathname === '/api/handout.pdf') return handout.handle(req, res).then(() => true);
    if (pathname === '/api/live/history') return handleLiveHistory(req, res, url, talk).then(() => true);
    if (pathname === '/api/decks' || pathname.startsWith('/api/decks/')) return decks.handle(req, res, pathname).then(() => true);
    if (pathname.startsWith('/api/')) return sendError(res, 404, 'no such API'), true;
    if (pathname.startsWith('/img/')) {
      const match = IMAGE_PATH.exec(pathname);
      return (match ? serveImage(req, res, match[1]!, match[2]!, store, talk, auth) : Promise.resolve(notFound(res))).then(() => true);
    }
    if (pathname.startsWith('/sealed/')) return serveSealed(req, res, pathname, store, talk).then(() => true);
    if (PRESENTER_PAGES.has(pathname) && req.method === 'GET') {
      if (!(await chargeWrongAuthorization(auth, req, res))) return true;
      if (auth.viaBearer(req) || (await auth.isSignedIn(req))) return false;
      res.writeHead(303, { Location: `/sign-in?next=${encodeURIComponent(pathname)}`, 'Cache-Control': 'no-store' }).end();
      return true;
    }
    return false;
  };
}

/**
 * Requests whose answer may take minutes to start (an upload converted and rendered before the
 * answer, or between two progress lines): the HTTP server lifts its idle timeout for them.
 */
export function isLongWork(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return (query < 0 ? url : url.slice(0, query)) === '/api/decks';
}

function isOurs(pathname: string): boolean {
  return pathname.startsWith('/api/') || pathname.startsWith('/img/') || pathname.startsWith('/sealed/') || pathname === '/sign-in' || PRESENTER_PAGES.has(pathname);
}
