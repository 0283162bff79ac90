/**
 * The slideshow's security policy: the hole Bayeux left open in 2007 closed. A session is a
 * presenter if its handshake carried a valid `ext.auth.token`; a handshake with a wrong token is
 * refused (`403::handshake_denied`, after a delay), one without is the audience. Only presenters publish, anywhere,
 * except in the namespaces BAYEUX_PUBLIC_CHANNELS opens to all. The audience may subscribe to
 * `/slideshow/change` and to public namespaces, nothing else (no `/**` that would cover presenter channels).
 */
import type { SecurityPolicy, ServerSession } from '../bayeux/index';
import { isPlainObject, type Message } from '../../lib/bayeux/index';
import { SLIDESHOW_CHANNELS } from '../../lib/slideshow/index';
import type { PresenterAuth } from './auth';
import type { PublicChannels } from './public-channels';


const ROLE = 'cometdeck.role';

export function isPresenter(session: ServerSession | undefined): boolean {
  return session?.getAttribute(ROLE) === 'presenter';
}

export function handshakeToken(message: Message): unknown {
  const auth = message.ext?.auth;
  return isPlainObject(auth) ? auth.token : undefined;
}

export function slideshowPolicy(auth: PresenterAuth, publicChannels: PublicChannels): SecurityPolicy {
  return {
    async canHandshake(session, message, request) {
      const token = handshakeToken(message);
      if (token === undefined) return true;
      if (!auth.checkBayeuxToken(token)) {
        // The same limiter as every HTTP route; refused at once when too many guesses wait.
        await auth.wrongKeys.wrongKey(auth.proxies.clientAddress(request?.remoteAddress, request?.headers ?? {}));
        return false;
      }
      session.setAttribute(ROLE, 'presenter');
      return true;
    },
    canSubscribe(session, subscription) {
      return isPresenter(session) || subscription === SLIDESHOW_CHANNELS.change || publicChannels.covers(subscription);
    },
    canPublish(session, channel) {
      return isPresenter(session) || publicChannels.covers(channel);
    },
  };
}
