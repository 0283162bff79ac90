/**
 * `/api/live`: the current state for anyone (what the audience sees, without history), and
 * presenter commands over HTTP for scripts and other frameworks: applied and broadcast exactly
 * like a presenter's publish on `/slideshow/change`, answered with the resulting state.
 */
import { historyPage, parsePresenterCommand } from '../../../lib/slideshow/index';
import type { LiveTalk } from '../live-talk';
import { HttpError } from './errors';
import { readJson } from './respond';
import { json, type Reply, type RequestContext } from './router';

/** `GET /api/live`: public. */
export function liveState(talk: LiveTalk): Reply {
  return json(200, talk.state());
}

/** `POST /api/live`: a presenter's command, answered with the resulting state. */
export async function liveCommand({ req }: RequestContext, talk: LiveTalk): Promise<Reply> {
  const command = parsePresenterCommand(await readJson(req));
  if (!command.ok) throw new HttpError(400, 'command_invalid', command.error);
  const result = await talk.apply(command.value);
  if (!result.ok) throw new HttpError(result.status, result.code, result.error);
  return json(200, result.state);
}

/**
 * `GET /api/live/history?deck=<id>&before=<slide>`: the shown slides of the live talk just below
 * `before`, a page at a time (a replay carries only the most recent: see LiveState.historyFrom).
 * Public, like the replay, and only ever slides that have been shown.
 */
export function liveHistory({ url }: RequestContext, talk: LiveTalk): Reply {
  const deck = url.searchParams.get('deck');
  const before = Number(url.searchParams.get('before'));
  if (!deck || !Number.isSafeInteger(before) || before < 1) throw new HttpError(400, 'history_query_invalid', 'give deck=<deck id> and before=<slide number from 1>');
  const replay = talk.change.replay;
  if (!replay.live || replay.deck !== deck) throw new HttpError(404, 'deck_not_live', 'that deck is not live');
  return json(200, historyPage(deck, replay.history ?? [], before));
}
