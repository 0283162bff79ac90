/**
 * The presenter's clock as numbers: elapsed time from the server's pacing fields, the time left of
 * the target, and the colour that time left deserves. Pure, so tests drive it with any clock.
 */
import type { LiveState } from '@/lib/slideshow';

export type PacingTone = 'normal' | 'warning' | 'over';

const FIVE_MINUTES = 5 * 60_000;

/** Elapsed talk time at server time `serverNow`: `(pausedAt ?? now) - startedAt - pausedMs`. */
export function elapsedMs(state: Pick<LiveState, 'startedAt' | 'pausedAt' | 'pausedMs'>, serverNow: number): number | undefined {
  if (state.startedAt === undefined) return undefined;
  return Math.max(0, (state.pausedAt ?? serverNow) - state.startedAt - (state.pausedMs ?? 0));
}

/**
 * Amber once the time left is within 5 minutes or 10 % of the target, whichever is SHORTER; red
 * when over. The warning means "start wrapping up": for a long talk five minutes is enough to do
 * that, and for a short one 10 % is (a minute of a ten-minute lightning talk); the longer of the
 * two would turn a ten-minute talk amber at half time, and a colour that is on half the time
 * stops meaning anything.
 */
export function pacingTone(remainingMs: number, targetMs: number): PacingTone {
  if (remainingMs < 0) return 'over';
  return remainingMs <= Math.min(FIVE_MINUTES, targetMs / 10) ? 'warning' : 'normal';
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mm = String(minutes).padStart(hours > 0 ? 2 : 1, '0');
  return `${hours > 0 ? `${hours}:` : ''}${mm}:${String(seconds).padStart(2, '0')}`;
}

/** Time left as the clock shows it: `-1:05` once over (rounded away from zero, so 0:00 is never "over"). */
export function formatRemaining(remainingMs: number): string {
  return remainingMs < 0 ? `-${formatDuration(-remainingMs + 999)}` : formatDuration(remainingMs + 999);
}
