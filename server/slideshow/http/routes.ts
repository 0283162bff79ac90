/**
 * Every HTTP route of the slideshow, once: methods, path, who may call it (guard.ts `Access`) and
 * its handler. A new route is one entry here (and its line in docs/api.md); the router derives
 * from this table which requests are ours, the presenter pages, the 405s and the long uploads.
 * Paths under `/api/`, `/img/` and `/sealed/` that no entry matches are answered 404 `not_found`.
 */
import type { DeckStore } from '../../slides/index';
import type { LiveTalk } from '../live-talk';
import type { DeckRoutes } from './deck-routes';
import type { HandoutRoute } from './handout-route';
import { serveImage } from './image-route';
import { serveSealed } from './sealed-route';
import { liveCommand, liveHistory, liveState } from './live-routes';
import { empty, RouteTable, TO_NEXT, type Reply, type RequestContext, type Route } from './router';
import type { SessionRoutes } from './session-routes';

/** What the handlers work on (made once by createSlideshow). */
export interface SlideshowApp {
  readonly store: DeckStore;
  readonly talk: LiveTalk;
  readonly sessions: SessionRoutes;
  readonly handout: HandoutRoute;
  readonly decks: DeckRoutes;
}

const ROUTES: readonly Route<SlideshowApp>[] = [
  // Presenter session (session-routes.ts)
  { method: 'GET', path: '/api/session', access: 'anyone', handle: (ctx, app) => app.sessions.status(ctx) },
  { method: 'POST', path: '/api/session', access: 'public', handle: (ctx, app) => app.sessions.signIn(ctx) },
  { method: 'DELETE', path: '/api/session', access: 'public', handle: (ctx, app) => app.sessions.signOut(ctx) },
  { method: 'DELETE', path: '/api/sessions', access: 'same-origin presenter', handle: (_, app) => app.sessions.signOutEverywhere() },
  { method: 'GET', path: '/api/join', access: 'public', handle: (_, app) => app.sessions.join() },
  { method: 'GET', path: '/api/presenter/token', access: 'presenter', handle: (_, app) => app.sessions.token() },
  { method: 'POST', path: '/api/presenter/remote-code', access: 'same-origin presenter', handle: (_, app) => app.sessions.remoteCode() },
  { method: 'GET', path: '/sign-in', access: 'public', page: true, handle: (ctx, app) => app.sessions.signInLinks(ctx) },

  // Pages Next renders for presenters only
  { method: 'GET', path: '/presenter', access: 'presenter page', page: true, handle: presenterPage },
  { method: 'GET', path: '/decks', access: 'presenter page', page: true, handle: presenterPage },

  // The live talk (live-routes.ts, handout-route.ts)
  { method: 'GET', path: '/api/live', access: 'public', handle: (_, app) => liveState(app.talk) },
  { method: 'POST', path: '/api/live', access: 'same-origin presenter', handle: (ctx, app) => liveCommand(ctx, app.talk) },
  { method: ['GET', 'HEAD'], path: '/api/live/history', access: 'public', handle: (ctx, app) => liveHistory(ctx, app.talk) },
  { method: ['GET', 'HEAD'], path: '/api/handout.pdf', access: 'public', handle: (ctx, app) => app.handout.handle(ctx) },

  // The library (deck-routes.ts)
  { method: 'GET', path: '/api/decks', access: 'presenter', handle: (_, app) => app.decks.list() },
  { method: 'POST', path: '/api/decks', access: 'same-origin presenter', longWork: true, handle: (ctx, app) => app.decks.upload(ctx) },
  { method: 'GET', path: '/api/decks/:id', access: 'presenter', handle: (ctx, app) => app.decks.detail(ctx) },
  { method: 'PATCH', path: '/api/decks/:id', access: 'same-origin presenter', handle: (ctx, app) => app.decks.rename(ctx) },
  { method: 'DELETE', path: '/api/decks/:id', access: 'same-origin presenter', handle: (ctx, app) => app.decks.delete(ctx) },
  { method: 'PATCH', path: '/api/decks/:id/slides/:n', access: 'same-origin presenter', handle: (ctx, app) => app.decks.slide(ctx) },

  // Files (image-route.ts, sealed-route.ts)
  { method: ['GET', 'HEAD'], path: '/img/:deck/:file', access: 'anyone', handle: (ctx, app) => serveImage(ctx, app.store, app.talk) },
  { method: ['GET', 'HEAD'], path: '/sealed/:deck/:file', access: 'public', handle: (ctx, app) => serveSealed(ctx, app.store, app.talk) },
];

export const SLIDESHOW_ROUTES = new RouteTable(ROUTES, ['/api/', '/img/', '/sealed/']);

/** A presenter page: Next renders it for the presenter; anyone else signs in first and comes back. */
async function presenterPage({ url, isPresenter }: RequestContext): Promise<Reply> {
  if (await isPresenter()) return TO_NEXT;
  return empty(303, { Location: `/sign-in?next=${encodeURIComponent(url.pathname)}`, 'Cache-Control': 'no-store' });
}
