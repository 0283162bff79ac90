/**
 * The presenter's clock, kept by the server so a reload or a second presenter window shows the same
 * time: the talk's target duration and its pauses live in the talk record. Elapsed time is
 * `(pausedAt ?? now) - startedAt - pausedMs` (lib/slideshow/types.ts, LiveState).
 */
import type { PresenterCommand } from '../../lib/slideshow/index';

export interface Pacing {
  targetMs?: number;
  pausedAt?: number;
  pausedMs?: number;
}

/** The pacing after `command` at server time `now`; pausing twice or resuming a running clock changes nothing. */
export function applyPacing(current: Pacing, command: PresenterCommand, now: number): Pacing {
  const next: Pacing = { ...current };
  if (command.targetMinutes !== undefined) {
    if (command.targetMinutes === 0) delete next.targetMs;
    else next.targetMs = command.targetMinutes * 60_000;
  }
  if (command.pause === true && next.pausedAt === undefined) next.pausedAt = now;
  if (command.pause === false && next.pausedAt !== undefined) {
    next.pausedMs = (next.pausedMs ?? 0) + Math.max(0, now - next.pausedAt);
    delete next.pausedAt;
  }
  return next;
}

/** Only the pacing fields that are well-formed (a stored record is read back from disk or Redis). */
export function validPacing(value: Partial<Record<keyof Pacing, unknown>>): Pacing {
  const pacing: Pacing = {};
  if (isTime(value.targetMs) && value.targetMs > 0) pacing.targetMs = value.targetMs;
  if (isTime(value.pausedAt)) pacing.pausedAt = value.pausedAt;
  if (isTime(value.pausedMs)) pacing.pausedMs = value.pausedMs;
  return pacing;
}

function isTime(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
