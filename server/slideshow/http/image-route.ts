/**
 * Slide images: `/img/<deck>/<file>`. No peeking: for the audience an image exists only once its
 * slide has been shown in the current talk. Everything else (unknown deck, unknown file, a slide
 * not yet shown) gets the very same 404, after the same store lookup, so an answer never tells
 * whether a URL exists. Presenters see every image. `private` keeps shared caches from keeping a
 * presenter's copy for the audience. Several nodes: a node whose data folder lacks the deck (not
 * shared storage) answers that same 404; docs/deploy.md says how to share or route the files.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import type { DeckStore } from '../../slides/index';
import { parseImageFileName } from '../../slides/index';
import type { LiveTalk } from '../live-talk';
import { notFound } from './errors';
import { WRITTEN, type Reply, type RequestContext } from './router';

const TYPES = { webp: 'image/webp', jpg: 'image/jpeg' } as const;

/** `GET /img/:deck/:file` (`anyone`: a wrong key has paid before this runs). */
export async function serveImage({ req, res, params, isPresenter }: RequestContext, store: DeckStore, talk: LiveTalk): Promise<Reply> {
  const { deck: deckId, file: fileName } = params as { deck: string; file: string };
  const file = await store.imageFile(deckId, fileName);
  const token = parseImageFileName(fileName)?.token;
  const visible = async () => file !== undefined && token !== undefined && (talk.isRevealed(deckId, token) || (await isPresenter()));
  let allowed = await visible();
  // Several nodes: the phone may have heard of this slide through another node before this one
  // did. Catch up before refusing (one Redis read, shared by concurrent misses; nothing for one node).
  if (!allowed) {
    await talk.refresh();
    allowed = await visible();
  }
  const info = allowed && file !== undefined ? await stat(file).catch(() => undefined) : undefined;
  if (!allowed || !info || file === undefined) throw notFound();
  const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
  const headers = {
    'Content-Type': TYPES[fileName.endsWith('.jpg') ? 'jpg' : 'webp'],
    'Cache-Control': 'private, max-age=31536000, immutable',
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) return res.writeHead(304, headers).end(), WRITTEN;
  res.writeHead(200, { ...headers, 'Content-Length': info.size });
  if (req.method === 'HEAD') return res.end(), WRITTEN;
  pipeFile(file, res);
  return WRITTEN;
}

function pipeFile(file: string, res: ServerResponse): void {
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}
