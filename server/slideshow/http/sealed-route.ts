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
import { type DeckStore, sealedFile } from '../../slides/index';
import type { LiveTalk } from '../live-talk';
import { notFound } from './errors';
import { WRITTEN, type Reply, type RequestContext } from './router';

export const SEALED_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** `GET /sealed/:deck/:file` (routes.ts): the live deck's sealed file, else the one 404. */
export async function serveSealed({ req, res, params }: RequestContext, store: DeckStore, talk: LiveTalk): Promise<Reply> {
  const { deck: deckId, file: fileName } = params as { deck: string; file: string };
  const file = await sealedFile(store, deckId, fileName);
  // Several nodes: this node may not have heard yet that the deck went live (as the image route does).
  if (file !== undefined && talk.liveDeckId !== deckId) await talk.refresh();
  const info = file !== undefined && talk.liveDeckId === deckId ? await stat(file).catch(() => undefined) : undefined;
  if (!info || file === undefined) throw notFound();
  const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Cache-Control': SEALED_CACHE_CONTROL,
    'Access-Control-Allow-Origin': '*',
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) return res.writeHead(304, headers).end(), WRITTEN;
  res.writeHead(200, { ...headers, 'Content-Length': info.size });
  if (req.method === 'HEAD') return res.end(), WRITTEN;
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
  return WRITTEN;
}
