/**
 * Slide images: `/img/<deck>/<file>`. No peeking: for the audience an image exists only once its
 * slide has been shown in the current talk. Everything else (unknown deck, unknown file, a slide
 * not yet shown) gets the very same 404, after the same store lookup, so an answer never tells
 * whether a URL exists. Presenters see every image. `private` keeps shared caches from keeping a
 * presenter's copy for the audience.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeckStore } from '../../slides/store';
import { parseImageFileName } from '../../slides/ids';
import type { PresenterAuth } from '../auth';
import type { LiveTalk } from '../live-talk';
import { sendError } from './respond';

const TYPES = { webp: 'image/webp', jpg: 'image/jpeg' } as const;

export async function serveImage(req: IncomingMessage, res: ServerResponse, deckId: string, fileName: string, store: DeckStore, talk: LiveTalk, auth: PresenterAuth): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'use GET');
  const file = await store.imageFile(deckId, fileName);
  const token = parseImageFileName(fileName)?.token;
  const allowed = file !== undefined && token !== undefined && (talk.isRevealed(deckId, token) || auth.isPresenterRequest(req));
  const info = allowed ? await stat(file).catch(() => undefined) : undefined;
  if (!allowed || !info) return notFound(res);
  const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
  const headers = {
    'Content-Type': TYPES[fileName.endsWith('.jpg') ? 'jpg' : 'webp'],
    'Cache-Control': 'private, max-age=31536000, immutable',
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { ...headers, 'Content-Length': info.size });
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/** The one answer for anything the caller may not see. */
export function notFound(res: ServerResponse): void {
  sendError(res, 404, 'not found');
}
