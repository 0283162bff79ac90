/**
 * The two ways a presenter's command reaches the server, each answering a `CommandOutcome`
 * (errors as values, never thrown). Presenter-only: the audience page never imports this module.
 */
import type { Message } from 'cometd';
import { parseError } from '@/lib/bayeux/errors';
import { COMMAND_STATE_EXT, parseSlideshowState, SLIDESHOW_CHANNELS, type PresenterCommand } from '@/lib/slideshow';
import { api, ApiFailure, NETWORK_FAILURE } from './api';
import type { CommandOutcome } from './command-sender';

const PUBLISH_TIMEOUT_MS = 8_000;

/** The part of the `cometd` client a command needs. */
export interface Publisher {
  publish(channel: string, content: unknown, callback: (reply: Message) => void): void;
}

/** Publishes on /slideshow/change; a successful reply may carry the resulting state in its ext. */
export function publishOverBayeux(cometd: Publisher, command: PresenterCommand, timeoutMs = PUBLISH_TIMEOUT_MS): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: 'The server did not answer in time', sent: true }), timeoutMs);
    cometd.publish(SLIDESHOW_CHANNELS.change, command, (reply) => {
      clearTimeout(timer);
      resolve(reply.successful ? { ok: true, state: stateOfReply(reply) } : { ok: false, error: describeFailure(reply), sent: true });
    });
  });
}

/** Undefined when the server sends none (an older server): the broadcast brings the state then. */
function stateOfReply(reply: Message): ReturnType<typeof parseSlideshowState> {
  const ext = reply.ext as Record<string, unknown> | undefined;
  return ext && COMMAND_STATE_EXT in ext ? parseSlideshowState(ext[COMMAND_STATE_EXT]) : undefined;
}

function describeFailure(reply: Message): string {
  const parsed = parseError(reply.error ?? '');
  if (parsed) return parsed.args.length > 0 && parsed.code !== 403 ? `${parsed.message}: ${parsed.args.join(', ')}` : parsed.message;
  return reply.error ?? 'The command was not delivered';
}

/** POST /api/live: the same command, while Bayeux is down; it answers with the resulting state. */
export async function postCommand(command: PresenterCommand): Promise<CommandOutcome> {
  let body: unknown;
  try {
    body = await api.command(command);
  } catch (error) {
    if (error instanceof ApiFailure) return { ok: false, error: error.message, sent: error.status !== NETWORK_FAILURE, ...(error.code ? { code: error.code } : {}) };
    return { ok: false, error: 'Unexpected answer from the server', sent: true };
  }
  const state = parseSlideshowState(body);
  return state ? { ok: true, state } : { ok: false, error: 'Unexpected answer from the server', sent: true };
}
