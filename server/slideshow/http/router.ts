/**
 * The routing of the slideshow's HTTP side, as Hono's `app.route` + `onError`: every route is one
 * entry of a table (routes.ts) naming its methods, path, who may call it and its handler. From the
 * table come which requests are ours, the presenter pages, the 405 answers with their `Allow`, and
 * which requests lift the idle timeout. A handler returns its answer (`json`, `empty`), says it
 * wrote the answer itself (a stream, a file), hands the request on to Next, or throws an
 * HttpError; one place (`sendReply` / `sendFailure`) turns all of these into responses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PresenterAuth } from '../auth';
import { admit, type Access } from './guard';
import { methodNotAllowed, notFound } from './errors';
import { sendEmpty, sendFailure, sendJson } from './respond';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE';
type Headers = Record<string, string | string[]>;

export type Reply =
  | { type: 'json'; status: number; body: unknown; headers?: Headers }
  | { type: 'empty'; status: number; headers?: Headers }
  /** The handler has answered itself (a progress stream, an image, a PDF). */
  | { type: 'written' }
  /** Not ours after all: Next serves it (a presenter page, the sign-in form). */
  | { type: 'next' };

export const json = (status: number, body: unknown, headers?: Headers): Reply => ({ type: 'json', status, body, headers });
export const empty = (status: number, headers?: Headers): Reply => ({ type: 'empty', status, headers });
export const WRITTEN: Reply = { type: 'written' };
export const TO_NEXT: Reply = { type: 'next' };

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** The `:name` segments of the route's path, decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** Is the caller the presenter? Asked once, only when the handler needs to know. */
  isPresenter(): Promise<boolean>;
}

export interface Route<App> {
  method: Method | readonly Method[];
  /** Exact, or with `:name` segments (`/api/decks/:id`), each matching one non-empty segment. */
  path: string;
  access: Access;
  /** A path Next renders: a method not listed here goes to Next instead of a 405. */
  page?: true;
  /** Its answer may take minutes to start (an upload converted first): the idle timeout is lifted. */
  longWork?: true;
  handle(ctx: RequestContext, app: App): Reply | Promise<Reply>;
}

interface Compiled<App> {
  route: Route<App>;
  methods: readonly Method[];
  match(pathname: string): Record<string, string> | undefined;
}

type Found<App> = { route: Route<App>; params: Record<string, string> } | { allowed: Method[]; page: boolean } | undefined;

const CHANGES_STATE = (method: Method): boolean => method !== 'GET' && method !== 'HEAD';

export class RouteTable<App> {
  readonly #routes: Compiled<App>[];
  /** Paths under these are ours even when no route matches: they are answered 404 `not_found`. */
  readonly #prefixes: readonly string[];

  /** Throws on a route that would take a cookie's word for a change from any origin (CSRF). */
  constructor(routes: readonly Route<App>[], ownedPrefixes: readonly string[]) {
    this.#routes = routes.map(compile);
    this.#prefixes = ownedPrefixes;
    for (const { route, methods } of this.#routes) {
      if (route.access === 'presenter' && methods.some(CHANGES_STATE)) throw new Error(`${route.path}: a route that changes state needs 'same-origin presenter'`);
    }
  }

  /** Is the request the slideshow's to answer (before any auth)? False: Next serves it. */
  isOurs(pathname: string): boolean {
    return this.#prefixes.some((prefix) => pathname.startsWith(prefix)) || this.#routes.some((r) => r.match(pathname) !== undefined);
  }

  /** Each route's methods, path and access (for the docs and the tests that sweep every route). */
  get routes(): Array<{ methods: readonly Method[]; path: string; access: Access; page: boolean }> {
    return this.#routes.map(({ route, methods }) => ({ methods, path: route.path, access: route.access, page: route.page === true }));
  }

  /** The pages only a signed-in presenter may open (`presenter page` routes). */
  get presenterPages(): string[] {
    return this.#routes.filter((r) => r.route.access === 'presenter page').map((r) => r.route.path);
  }

  isLongWork(method: string | undefined, pathname: string): boolean {
    const found = this.#find(method, pathname);
    return found !== undefined && 'route' in found && found.route.longWork === true;
  }

  /**
   * Serve the request; resolves false when Next should (a path not ours, a page's method we do not
   * handle, a handler's TO_NEXT). Every answer, failures included, leaves through here.
   */
  async serve(app: App, auth: PresenterAuth, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!this.isOurs(url.pathname)) return false;
    try {
      const reply = await this.#dispatch(app, auth, req, res, url);
      if (reply.type === 'next') return false;
      await sendReply(res, reply);
    } catch (error) {
      await sendFailure(res, error);
    }
    return true;
  }

  async #dispatch(app: App, auth: PresenterAuth, req: IncomingMessage, res: ServerResponse, url: URL): Promise<Reply> {
    const found = this.#find(req.method, url.pathname);
    if (found === undefined) throw notFound(url.pathname.startsWith('/api/') ? 'no such API' : 'not found');
    if (!('route' in found)) {
      if (found.page) return TO_NEXT;
      throw methodNotAllowed(found.allowed);
    }
    const admitted = await admit(found.route.access, auth, req);
    let presenter: Promise<boolean> | undefined;
    const isPresenter = (): Promise<boolean> => (presenter ??= admitted ? Promise.resolve(true) : auth.isPresenterRequest(req));
    return found.route.handle({ req, res, url, params: found.params, isPresenter }, app);
  }

  #find(method: string | undefined, pathname: string): Found<App> {
    const allowed: Method[] = [];
    let page = false;
    for (const compiled of this.#routes) {
      const params = compiled.match(pathname);
      if (params === undefined) continue;
      if (compiled.methods.includes(method as Method)) return { route: compiled.route, params };
      allowed.push(...compiled.methods);
      page ||= compiled.route.page === true;
    }
    return allowed.length > 0 ? { allowed: [...new Set(allowed)], page } : undefined;
  }
}

function sendReply(res: ServerResponse, reply: Reply): Promise<void> | void {
  if (reply.type === 'json') return sendJson(res, reply.status, reply.body, reply.headers);
  if (reply.type === 'empty') return sendEmpty(res, reply.status, reply.headers);
}

function compile<App>(route: Route<App>): Compiled<App> {
  const methods = typeof route.method === 'string' ? [route.method] : route.method;
  const segments = route.path.split('/');
  const match = (pathname: string): Record<string, string> | undefined => {
    const parts = pathname.split('/');
    if (parts.length !== segments.length) return undefined;
    const params: Record<string, string> = {};
    for (const [i, segment] of segments.entries()) {
      const part = parts[i]!;
      if (!segment.startsWith(':')) {
        if (part !== segment) return undefined;
        continue;
      }
      const value = decodeSegment(part);
      if (value === undefined) return undefined;
      params[segment.slice(1)] = value;
    }
    return params;
  };
  return { route, methods, match };
}

/** A malformed escape (`%E0`) matches no route rather than failing the request. */
function decodeSegment(part: string): string | undefined {
  if (part === '') return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
