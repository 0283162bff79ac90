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
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeckStore } from '../../slides/index';
import { parseImageFileName } from '../../slides/index';
import type { PresenterAuth } from '../auth';
import type { LiveTalk } from '../live-talk';
import { sendError } from './respond';
import { chargeWrongAuthorization } from './guard';

const TYPES = { webp: 'image/webp', jpg: 'image/jpeg' } as const;

export async function serveImage(req: IncomingMessage, res: ServerResponse, deckId: string, fileName: string, store: DeckStore, talk: LiveTalk, auth: PresenterAuth): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'use GET');
  if (!(await chargeWrongAuthorization(auth, req, res))) return;
  const file = await store.imageFile(deckId, fileName);
  const token = parseImageFileName(fileName)?.token;
  const visible = async () => file !== undefined && token !== undefined && (talk.isRevealed(deckId, token) || (await auth.isPresenterRequest(req)));
  let allowed = await visible();
  // Several nodes: the phone may have heard of this slide through another node before this one
  // did. Catch up before refusing (one Redis read, shared by concurrent misses; nothing for one node).
  if (!allowed) {
    await talk.refresh();
    allowed = await visible();
  }
  const info = allowed && file !== undefined ? await stat(file).catch(() => undefined) : undefined;
  if (!allowed || !info || file === undefined) return notFound(res);
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
