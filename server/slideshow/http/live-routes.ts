/**
 * `/api/live`: the current state for anyone (what the audience sees, without history), and
 * presenter commands over HTTP for scripts and other frameworks: applied and broadcast exactly
 * like a presenter's publish on `/slideshow/change`, answered with the resulting state.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { historyPage, parsePresenterCommand } from '../../../lib/slideshow/index';
import type { PresenterAuth } from '../auth';
import type { LiveTalk } from '../live-talk';
import { requirePresenter } from './guard';
import { readJson, sendError, sendJson } from './respond';

export async function handleLive(req: IncomingMessage, res: ServerResponse, auth: PresenterAuth, talk: LiveTalk): Promise<void> {
  if (req.method === 'GET') return sendJson(res, 200, talk.state());
  if (req.method !== 'POST') return sendError(res, 405, 'use GET or POST');
  if (!await requirePresenter(auth, req, res)) return;
  const body = await readJson(req);
  if (!body.ok) return sendError(res, body.status, body.error);
  const command = parsePresenterCommand(body.value);
  if (!command.ok) return sendError(res, 400, command.error);
  const result = await talk.apply(command.value);
  if (!result.ok) return sendError(res, result.status, result.error);
  sendJson(res, 200, result.state);
}

/**
 * `GET /api/live/history?deck=<id>&before=<slide>`: the shown slides of the live talk just below
 * `before`, a page at a time (a replay carries only the most recent: see LiveState.historyFrom).
 * Public, like the replay, and only ever slides that have been shown.
 */
export function handleLiveHistory(req: IncomingMessage, res: ServerResponse, url: URL, talk: LiveTalk): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'use GET');
  const deck = url.searchParams.get('deck');
  const before = Number(url.searchParams.get('before'));
  if (!deck || !Number.isSafeInteger(before) || before < 1) return sendError(res, 400, 'give deck=<deck id> and before=<slide number from 1>');
  const replay = talk.change.replay;
  if (!replay.live || replay.deck !== deck) return sendError(res, 404, 'that deck is not live');
  return sendJson(res, 200, historyPage(deck, replay.history ?? [], before));
}
