/** A host for sessions tested without a BayeuxCore (engines, fan-out): nothing held, no channel latest-wins. */
import type { SessionHost } from '../../server/bayeux/session';

export const BARE_HOST: SessionHost = {
  scheduleFlush: () => {},
  now: () => Date.now(),
  isLatestWins: () => false,
  supersede: (_older, newer) => newer,
};
