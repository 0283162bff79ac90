/**
 * Sealed slide files: `/sealed/<deck>/<token>.bin`, the AES-GCM copies phones prefetch before a
 * slide is shown (server/slides/seal.ts). They are noise without the slide's key, which only the
 * state showing the slide carries, so unlike `/img` they are the same for everyone and may be kept
 * by any cache or CDN for good (`public, immutable`; CORS open, for a CDN on another origin). What
 * stays closed: only the live deck's sealed files are served; any other deck, an unknown file or a
 * name that is not ours gets the same 404 as `/img` gives, so no answer says whether a deck exists.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DeckStore, sealedFile } from '../../slides/index';
import type { LiveTalk } from '../live-talk';
import { sendError } from './respond';
import { notFound } from './image-route';

export const SEALED_PATH = /^\/sealed\/([^/]+)\/([^/]+)$/;
export const SEALED_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export async function serveSealed(req: IncomingMessage, res: ServerResponse, pathname: string, store: DeckStore, talk: LiveTalk): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'use GET');
  const match = SEALED_PATH.exec(pathname);
  const deckId = match?.[1];
  const file = match ? await sealedFile(store, match[1]!, match[2]!) : undefined;
  // Several nodes: this node may not have heard yet that the deck went live (as the image route does).
  if (file !== undefined && talk.liveDeckId !== deckId) await talk.refresh();
  const info = file !== undefined && talk.liveDeckId === deckId ? await stat(file).catch(() => undefined) : undefined;
  if (!info || file === undefined) return notFound(res);
  const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Cache-Control': SEALED_CACHE_CONTROL,
    'Access-Control-Allow-Origin': '*',
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) return void res.writeHead(304, headers).end();
  res.writeHead(200, { ...headers, 'Content-Length': info.size });
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}
