/**
 * How the page's Bayeux connection is doing, fed only by lib/client/store-feed.ts.
 * - `connecting`: the first handshake is under way.
 * - `connected`: the last /meta/connect succeeded; changes arrive live.
 * - `reconnecting`: we were connected (or tried) and are retrying; the page may be behind.
 * - `offline`: the browser says there is no network; we retry as soon as it comes back.
 * `problem: 'unauthorized'` means the presenter's sign-in is gone: the page should send them to
 * /sign-in rather than retry forever.
 */
import { create } from 'zustand';

export const CONNECTION_STATUSES = ['connecting', 'connected', 'reconnecting', 'offline'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];
export type ConnectionProblem = 'unauthorized';

export interface ConnectionStore {
  status: ConnectionStatus;
  problem: ConnectionProblem | undefined;
  /** When `status` last changed (ms since epoch, browser clock). */
  since: number;
  connectionChanged(status: ConnectionStatus, problem?: ConnectionProblem): void;
}

export const useConnectionStore = create<ConnectionStore>()((set, get) => ({
  status: 'connecting',
  problem: undefined,
  since: 0,
  connectionChanged(status, problem) {
    const current = get();
    if (current.status === status && current.problem === problem) return;
    set({ status, problem, since: current.status === status ? current.since : Date.now() });
  },
}));

export const CONNECTION_LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};
