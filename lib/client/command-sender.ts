/**
 * Sends a presenter's command the way that can work now: over Bayeux while connected, else over
 * HTTP (`POST /api/live`), which reaches the same talk. Whichever answers with the resulting
 * state (the publish reply's ext, the HTTP body) hands it to `stateArrived`, the one path into
 * the stores; a reply without a state is fine, the broadcast then brings it. Presenter-only.
 */
import type { PresenterCommand, SlideshowState } from '@/lib/slideshow';
import { NOT_CONNECTED, type PublishResult, type SendCommand } from './command-result';

/** What one way of sending answers: the resulting state when it carries one. */
export type CommandOutcome = { ok: true; state?: SlideshowState } | Extract<PublishResult, { ok: false }>;

export interface CommandRoutes {
  /** False once the connection was closed: nothing more is sent or fed. */
  isOpen(): boolean;
  isConnected(): boolean;
  overBayeux(command: PresenterCommand): Promise<CommandOutcome>;
  overHttp(command: PresenterCommand): Promise<CommandOutcome>;
  stateArrived(state: SlideshowState): void;
}

export function createCommandSender(routes: CommandRoutes): SendCommand {
  return async (command) => {
    if (!routes.isOpen()) return NOT_CONNECTED;
    const send = routes.isConnected() ? routes.overBayeux : routes.overHttp;
    const outcome = await send(command);
    if (!outcome.ok) return outcome;
    if (outcome.state && routes.isOpen()) routes.stateArrived(outcome.state);
    return { ok: true };
  };
}
