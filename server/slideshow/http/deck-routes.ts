/**
 * `/api/decks`: the presenter's library. Uploads stream to temporary files and become a deck only
 * when every slide is rendered (server/slides does the work); with `Accept: application/x-ndjson`
 * the answer streams `UploadProgress` lines so the upload page can show processing progress.
 */
import type { ServerResponse } from 'node:http';
import { isApiErrorCode, type ApiErrorCode, type UploadProgress } from '../../../lib/slideshow/index';
import type { DeckStore } from '../../slides/index';
import type { UploadFailure, UploadLimits } from '../../slides/index';
import type { OfficeConverter } from '../../slides/index';
import { buildDeck, receiveUpload } from '../../slides/index';
import { deckDetail, deckSummary } from '../../slides/index';
import type { LiveTalk } from '../live-talk';
import { HttpError } from './errors';
import { readJson } from './respond';
import { empty, json, WRITTEN, type Reply, type RequestContext } from './router';

const PROGRESS_EVERY_MS = 100;
const SLIDE_NUMBER = /^[0-9]{1,6}$/;
/** 20,000 characters of notes and 500 of alt text, each up to 4 bytes in UTF-8 and escaped in JSON, plus the wrapper. */
const SLIDE_BODY_LIMIT = (20_000 + 500) * 6 + 1024;
/** An upload refusal's code where the slides layer gives none: its status says it. */
const UPLOAD_CODES: Record<UploadFailure['status'], ApiErrorCode> = {
  400: 'upload_invalid',
  413: 'upload_too_large',
  415: 'unsupported_file',
  422: 'unreadable_file',
  500: 'upload_failed',
  503: 'office_busy',
};

/** The handlers of `/api/decks/*` (their paths and access: routes.ts). */
export class DeckRoutes {
  constructor(
    private readonly store: DeckStore,
    private readonly talk: LiveTalk,
    private readonly limits: UploadLimits,
    private readonly office: OfficeConverter,
  ) {}

  async list(): Promise<Reply> {
    return json(200, (await this.store.list()).map((deck) => deckSummary(deck)));
  }

  async detail({ params }: RequestContext): Promise<Reply> {
    const deck = await this.store.get(params.id!);
    if (!deck) throw new HttpError(404, 'no_such_deck', 'no such deck');
    return json(200, deckDetail(deck));
  }

  /**
   * `PATCH /api/decks/:id/slides/:n` `{ notes?, alt? }`: presenter-only. Notes are never broadcast;
   * new alt text on the live deck is (the phones' current slide and history carry it), as a rename is.
   */
  async slide({ req, params }: RequestContext): Promise<Reply> {
    const id = params.id!;
    if (!SLIDE_NUMBER.test(params.n!)) throw new HttpError(404, 'no_such_slide', `No slide ${params.n}.`);
    const number = Number(params.n);
    const { notes, alt } = await readSlideBody(req);
    const result = await this.store.editSlide(id, number, { notes, alt });
    if (!result.ok) throw new HttpError(result.status, result.code, result.error);
    if (alt !== undefined) await this.talk.deckRenamed(id);
    return json(200, deckDetail(result.deck).slides[number - 1]);
  }

  async rename({ req, params }: RequestContext): Promise<Reply> {
    const title = ((await readJson(req)) as { title?: unknown } | null)?.title;
    if (typeof title !== 'string') throw new HttpError(400, 'title_invalid', 'give a "title" string');
    const result = await this.store.rename(params.id!, title);
    if (!result.ok) throw new HttpError(result.status, result.code, result.error);
    await this.talk.deckRenamed(params.id!);
    return json(200, deckSummary(result.deck));
  }

  async delete({ url, params }: RequestContext): Promise<Reply> {
    const id = params.id!;
    const force = url.searchParams.get('force') === '1';
    if (this.talk.liveDeckId === id && !force) throw new HttpError(409, 'deck_live', 'this deck is being presented: end the talk first, or delete with ?force=1');
    if (!(await this.store.delete(id))) throw new HttpError(404, 'no_such_deck', 'no such deck');
    await this.talk.deckRemoved(id);
    return empty(204);
  }

  /** `POST /api/decks`: plain JSON, or (`Accept: application/x-ndjson`) a progress stream written here. */
  async upload({ req, res }: RequestContext): Promise<Reply> {
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
      if (!built.ok) throw new HttpError(built.status, uploadCode(built), built.error, { file: built.file, headers: { Connection: 'close' } });
      return json(201, deckSummary(built.deck));
    }
    const last: UploadProgress = built.ok
      ? { type: 'done', deck: deckSummary(built.deck) }
      : { type: 'error', status: built.status, code: uploadCode(built), error: built.error, ...(built.file ? { file: built.file } : {}) };
    res.end(`${JSON.stringify(last)}\n`);
    return WRITTEN;
  }
}

function uploadCode(failure: UploadFailure): ApiErrorCode {
  return isApiErrorCode(failure.code) ? failure.code : UPLOAD_CODES[failure.status];
}

/** A slide edit's body; its refusals carry the slide route's own codes (docs/api.md). */
async function readSlideBody(req: RequestContext['req']): Promise<Record<string, unknown>> {
  try {
    const value = await readJson(req, SLIDE_BODY_LIMIT);
    return isObject(value) ? value : {};
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    throw new HttpError(error.status, error.status === 413 ? 'notes_too_long' : 'notes_invalid', error.message, error.extra);
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
