/**
 * `GET /api/handout.pdf`: the handout the presenter offers (`{ handout: true }`), a PDF of exactly
 * the slides shown: while live, those revealed so far; after the end, the ended talk's. Anything
 * else (no talk, handout off) is the same 404. Built once per set of slides and kept in memory
 * (one PDF at a time, bounded by MAX_HANDOUT_BYTES); concurrent requests share one build.
 */
import { createHash } from 'node:crypto';
import { buildHandout, type DeckStore, type HandoutResult } from '../../slides/index';
import type { LiveTalk } from '../live-talk';
import { HttpError } from './errors';
import { WRITTEN, type Reply, type RequestContext } from './router';

export class HandoutRoute {
  #cache: { key: string; built: Promise<HandoutResult> } | undefined;

  constructor(private readonly store: DeckStore, private readonly talk: LiveTalk) {}

  async handle({ req, res }: RequestContext): Promise<Reply> {
    let source = this.talk.handout();
    // Several nodes: the handout may have been switched on through another node a moment ago.
    if (!source) {
      await this.talk.refresh();
      source = this.talk.handout();
    }
    if (!source) throw new HttpError(404, 'no_handout', 'no handout is offered');
    const key = `${source.deck}:${[...source.tokens].sort().join(',')}`;
    if (this.#cache?.key !== key) this.#cache = { key, built: buildHandout(this.store, source.deck, source.tokens) };
    const built = await this.#cache.built;
    if (!built.ok) throw new HttpError(built.status, built.code, built.error);
    const etag = `"${createHash('sha256').update(key).digest('base64url').slice(0, 22)}"`;
    const headers = {
      'Content-Type': 'application/pdf',
      'Content-Disposition': contentDisposition(built.title),
      // Revalidated every time: switched off or a new slide shown, the old copy must not be offered.
      'Cache-Control': 'private, no-cache',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
    };
    if (req.headers['if-none-match'] === etag) return res.writeHead(304, headers).end(), WRITTEN;
    res.writeHead(200, { ...headers, 'Content-Length': built.pdf.length });
    res.end(req.method === 'HEAD' ? undefined : built.pdf);
    return WRITTEN;
  }
}

/** `attachment` with an ASCII name for old clients and the real one (RFC 6266 `filename*`). */
function contentDisposition(title: string): string {
  const ascii = title.replace(/[^\x20-\x7e]+/g, '_').replace(/["\\/]/g, '_').trim() || 'handout';
  return `attachment; filename="${ascii}.pdf"; filename*=UTF-8''${encodeURIComponent(`${title}.pdf`)}`;
}
