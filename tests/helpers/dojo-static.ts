/**
 * Serves a test page plus the unmodified Dojo 1.6 files (`/js/dojo/**`, `/js/dojox/**`) from the
 * `dojo`/`dojox` npm packages, with a path-traversal guard: nothing outside those two folders.
 */
import type http from 'node:http';
import { createRequire } from 'node:module';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Route } from './bayeux-server';

const require = createRequire(import.meta.url);
const DOJO_ROOT = path.dirname(require.resolve('dojo/package.json'));
const DOJOX_ROOT = path.dirname(require.resolve('dojox/package.json'));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** Serves `page` at `pagePath`, `/js/dojo/**` and `/js/dojox/**`. */
export function dojoPageRoute(pagePath: string, page: string): Route {
  const roots: Array<[prefix: string, root: string]> = [['/js/dojo/', DOJO_ROOT], ['/js/dojox/', DOJOX_ROOT]];
  return (req, res) => {
    const pathname = (req.url ?? '/').split('?')[0]!;
    if (pathname === pagePath) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(page);
      return true;
    }
    const match = roots.find(([prefix]) => pathname.startsWith(prefix));
    if (!match) return false;
    serveStatic(match[1], pathname.slice(match[0].length), req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
    return true;
  };
}

async function serveStatic(root: string, encoded: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { Allow: 'GET, HEAD' }).end();
  let relative: string;
  try {
    relative = decodeURIComponent(encoded);
  } catch {
    return void res.writeHead(400).end();
  }
  if (relative.includes('\0') || relative.includes('\\')) return void res.writeHead(400).end();
  const realRoot = await realpath(root);
  const candidate = path.resolve(realRoot, relative);
  const contentType = CONTENT_TYPES[path.extname(candidate)];
  if (!candidate.startsWith(realRoot + path.sep) || contentType === undefined) return void res.writeHead(403).end();
  let file: string;
  try {
    file = await realpath(candidate); // a symlink must not lead out either
    if (!file.startsWith(realRoot + path.sep) || !(await stat(file)).isFile()) return void res.writeHead(403).end();
  } catch {
    return void res.writeHead(404).end();
  }
  const body = await readFile(file);
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
