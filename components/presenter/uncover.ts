import type { LiveState, PresenterCommand } from '@/lib/slideshow';

/**
 * What covers the live slide on the room display and the phones: the join QR, a blackout.
 * A press of next or previous while something does only takes it away (the presenter sees the
 * slide come back before the next press moves on), as Keynote and PowerPoint do after a black
 * screen: a clicker press never un-blanks and advances in one go.
 */
export function uncoverCommand(state: Pick<LiveState, 'qr' | 'blackout'>): PresenterCommand | undefined {
  if (!state.qr && !state.blackout) return undefined;
  return { ...(state.qr ? { qr: false } : {}), ...(state.blackout ? { blackout: false } : {}) };
}
