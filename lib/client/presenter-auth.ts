/**
 * A presenter's handshake carries a short-lived token (`ext.auth.token`, from
 * GET /api/presenter/token), fetched before every handshake: the first one and each re-handshake
 * the client decides on, since a session that expired while the laptop slept needs a new one.
 * Presenter-only: the audience page never imports this module.
 */
import type { CometD, Message } from 'cometd';
import { parseError } from '@/lib/bayeux/errors';
import type { ConnectionProblem } from '@/lib/stores/connection-store';

export interface PresenterAuth {
  /** Fetches a token; false when there is none to hand over (signed out, server down). */
  beforeHandshake(): Promise<boolean>;
  handshakeFailed(message: Message): void;
  /** `unauthorized` once the sign-in is gone, so the page can send the presenter to sign in. */
  problem(): ConnectionProblem | undefined;
}

/** `getToken` rejects with `{ status: 401 }` (or 403) when the presenter is signed out. */
export function installPresenterAuth(cometd: CometD, getToken: () => Promise<string>): PresenterAuth {
  let token: string | undefined;
  let problem: ConnectionProblem | undefined;
  cometd.registerExtension('presenter-auth', {
    outgoing(message) {
      if (message.channel === '/meta/handshake' && token) message.ext = { ...message.ext, auth: { token } };
      return message;
    },
  });
  return {
    async beforeHandshake() {
      try {
        token = await getToken();
        problem = undefined;
        return true;
      } catch (error) {
        token = undefined;
        if (isSignedOut(error)) problem = 'unauthorized';
        return false;
      }
    },
    handshakeFailed(message) {
      // A refused token is not sent again: the next handshake fetches a new one.
      if (parseError(message.error ?? '')?.code === 403) token = undefined;
    },
    problem: () => problem,
  };
}

function isSignedOut(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return status === 401 || status === 403;
}
