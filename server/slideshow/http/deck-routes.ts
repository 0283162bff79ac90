/**
 * `/api/decks`: the presenter's library. Uploads stream to temporary files and become a deck only
 * when every slide is rendered (server/slides does the work); with `Accept: application/x-ndjson`
 * the answer streams `UploadProgress` lines so the upload page can show processing progress.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UploadProgress } from '../../../lib/slideshow/index';
import type { DeckStore } from '../../slides/index';
import type { UploadLimits } from '../../slides/index';
import type { OfficeConverter } from '../../slides/index';
import { buildDeck, receiveUpload } from '../../slides/index';
import { deckDetail, deckSummary } from '../../slides/index';
import type { PresenterAuth } from '../auth';
import type { LiveTalk } from '../live-talk';
import { requirePresenter } from './guard';
import { readJson, sendEmpty, sendError, sendJson } from './respond';

const PROGRESS_EVERY_MS = 100;
const SLIDE_PATH = /^\/api\/decks\/([A-Za-z0-9_-]{1,64})\/slides\/([0-9]{1,6})$/;
/** 20,000 characters of notes and 500 of alt text, each up to 4 bytes in UTF-8 and escaped in JSON, plus the wrapper. */
const SLIDE_BODY_LIMIT = (20_000 + 500) * 6 + 1024;

export class DeckRoutes {
  constructor(
    private readonly store: DeckStore,
    private readonly talk: LiveTalk,
    private readonly auth: PresenterAuth,
    private readonly limits: UploadLimits,
    private readonly office: OfficeConverter,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (!await requirePresenter(this.auth, req, res)) return;
    const slidePath = SLIDE_PATH.exec(pathname);
    if (slidePath) return this.#slide(req, res, slidePath[1]!, Number(slidePath[2]));
    const id = pathname === '/api/decks' ? undefined : decodeURIComponent(pathname.slice('/api/decks/'.length));
    if (id === undefined) {
      if (req.method === 'GET') return sendJson(res, 200, (await this.store.list()).map((deck) => deckSummary(deck)));
      if (req.method === 'POST') return this.#upload(req, res);
      return sendError(res, 405, 'use GET or POST');
    }
    if (req.method === 'GET') return this.#detail(res, id);
    if (req.method === 'PATCH') return this.#rename(req, res, id);
    if (req.method === 'DELETE') return this.#delete(res, id, new URL(req.url ?? '/', 'http://localhost').searchParams.get('force') === '1');
    sendError(res, 405, 'use GET, PATCH or DELETE');
  }

  async #detail(res: ServerResponse, id: string): Promise<void> {
    const deck = await this.store.get(id);
    if (!deck) return sendError(res, 404, 'no such deck');
    sendJson(res, 200, deckDetail(deck));
  }

  /**
   * `PATCH /api/decks/:id/slides/:n` `{ notes?, alt? }`: presenter-only. Notes are never broadcast;
   * new alt text on the live deck is (the phones' current slide and history carry it), as a rename is.
   */
  async #slide(req: IncomingMessage, res: ServerResponse, id: string, number: number): Promise<void> {
    if (req.method !== 'PATCH') return sendError(res, 405, 'use PATCH');
    const body = await readJson(req, SLIDE_BODY_LIMIT);
    // A body refused half-read leaves the rest on the connection: close it rather than drain it.
    if (!body.ok) return sendJson(res, body.status, { error: body.error, code: body.status === 413 ? 'notes_too_long' : 'notes_invalid' }, body.status === 413 ? { Connection: 'close' } : {});
    const { notes, alt } = isObject(body.value) ? body.value : {};
    const result = await this.store.editSlide(id, number, { notes, alt });
    if (!result.ok) return sendJson(res, result.status, { error: result.error, code: result.code });
    if (alt !== undefined) await this.talk.deckRenamed(id);
    sendJson(res, 200, deckDetail(result.deck).slides[number - 1]);
  }

  async #rename(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const body = await readJson(req);
    if (!body.ok) return sendError(res, body.status, body.error);
    const title = (body.value as { title?: unknown } | null)?.title;
    if (typeof title !== 'string') return sendError(res, 400, 'give a "title" string');
    const result = await this.store.rename(id, title);
    if (!result.ok) return sendJson(res, result.status, { error: result.error, code: result.code });
    await this.talk.deckRenamed(id);
    sendJson(res, 200, deckSummary(result.deck));
  }

  async #delete(res: ServerResponse, id: string, force: boolean): Promise<void> {
    if (this.talk.liveDeckId === id && !force) return sendError(res, 409, 'this deck is being presented: end the talk first, or delete with ?force=1');
    if (!(await this.store.delete(id))) return sendError(res, 404, 'no such deck');
    await this.talk.deckRemoved(id);
    sendEmpty(res, 204);
  }

  async #upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const streaming = (req.headers.accept ?? '').includes('application/x-ndjson');
    const progress = streaming ? progressWriter(res) : undefined;
    const received = await receiveUpload(req, this.limits, progress, this.store.dir);
    // A client that goes away (a cancelled upload) stops the work, e.g. kills a running conversion.
    const cancel = new AbortController();
    const onClose = (): void => void (res.writableFinished || cancel.abort());
    res.once('close', onClose);
    const built = received.ok ? await buildDeck(this.store, received, this.limits, progress, { office: this.office, signal: cancel.signal }) : received;
    res.off('close', onClose);
    if (!streaming) {
      // A refused upload may leave much of its body unread: close rather than drain it.
      if (!built.ok) res.setHeader('Connection', 'close');
      if (!built.ok) return sendError(res, built.status, built.error, built.file);
      return sendJson(res, 201, deckSummary(built.deck));
    }
    const last: UploadProgress = built.ok
      ? { type: 'done', deck: deckSummary(built.deck) }
      : { type: 'error', status: built.status, error: built.error, ...(built.file ? { file: built.file } : {}) };
    res.end(`${JSON.stringify(last)}\n`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Starts a 200 NDJSON answer and returns a throttled writer of progress lines. */
function progressWriter(res: ServerResponse): (event: UploadProgress) => void {
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  let lastAt = 0;
  let lastStage = '';
  return (event) => {
    if (event.type !== 'progress' || res.destroyed) return;
    const now = Date.now();
    const stageChanged = event.stage !== lastStage;
    if (!stageChanged && event.done < event.total && now - lastAt < PROGRESS_EVERY_MS) return;
    lastAt = now;
    lastStage = event.stage;
    res.write(`${JSON.stringify(event)}\n`);
  };
}
