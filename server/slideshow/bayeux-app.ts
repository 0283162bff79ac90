/**
 * The slideshow as a Bayeux application: installs the policy, turns a presenter's publish on
 * `/slideshow/change` into the full state (validated, applied, persisted) before it is broadcast,
 * sends the current slide to each client right after it subscribes (to it alone), and tells
 * presenters how many phones follow (on `/slideshow/audience`, at most twice a second), summed
 * over every node when several share the talk (AudienceTally). Both channels are latest-wins: a
 * phone that is behind is sent only the newest state (with the slides it skipped in its history).
 */
import type { BayeuxServer, Extension, ServerSession } from '../bayeux/index';
import { foldChanges, parsePresenterCommand, parseSlideshowState, SLIDESHOW_CHANNELS, type PresenterCommand, type SlideshowState } from '../../lib/slideshow/index';
import type { Message } from '../../lib/bayeux/index';
import { LocalTally, type AudienceTally } from './audience';
import type { PresenterAuth } from './auth';
import type { LiveTalk } from './live-talk';
import { isPresenter, slideshowPolicy } from './policy';
import type { PublicChannels } from './public-channels';

const COUNT_THROTTLE_MS = 500;

export interface SlideshowBayeux {
  /** Broadcast a state produced outside Bayeux (HTTP API, deck deleted). */
  announce(state: SlideshowState): void;
  /** Phones following the talk on this node. */
  readonly audienceCount: number;
  close(): void;
}

export function installSlideshow(bayeux: BayeuxServer, talk: LiveTalk, auth: PresenterAuth, publicChannels: PublicChannels, tally: AudienceTally = new LocalTally()): SlideshowBayeux {
  bayeux.setPolicy(slideshowPolicy(auth, publicChannels));
  const removeExtension = bayeux.addExtension(presenterCommands(talk));
  // Both channels carry the whole state: a phone that is behind goes straight to the newest.
  bayeux.setLatestWins(SLIDESHOW_CHANNELS.change, foldChangeMessages);
  bayeux.setLatestWins(SLIDESHOW_CHANNELS.audience);
  const audience = new Set<string>();
  let countTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const publishTotal = (total: number) => {
    if (!closed) bayeux.publish(SLIDESHOW_CHANNELS.audience, { count: total });
  };
  const publishCount = () => {
    countTimer ??= setTimeout(() => {
      countTimer = undefined;
      void tally.update(audience.size).then(publishTotal);
    }, COUNT_THROTTLE_MS);
  };
  tally.onTotal(publishTotal);
  talk.onAnnounce((state) => {
    if (!closed) bayeux.publish(SLIDESHOW_CHANNELS.change, state);
  });
  const leave = (session: ServerSession) => {
    if (audience.delete(session.id)) publishCount();
  };
  const unsubscribers = [
    bayeux.on('subscribe', (session, channel) => {
      if (channel === SLIDESHOW_CHANNELS.change) {
        bayeux.deliver(session.id, SLIDESHOW_CHANNELS.change, talk.stateWithHistory());
        if (!isPresenter(session)) {
          audience.add(session.id);
          publishCount();
        }
      } else if (channel === SLIDESHOW_CHANNELS.audience) {
        bayeux.deliver(session.id, SLIDESHOW_CHANNELS.audience, { count: tally.totalWith(audience.size) });
      }
    }),
    bayeux.on('unsubscribe', (session, channel) => {
      if (channel === SLIDESHOW_CHANNELS.change) leave(session);
    }),
    bayeux.on('disconnect', leave),
  ];
  return {
    announce: (state) => void bayeux.publish(SLIDESHOW_CHANNELS.change, state),
    get audienceCount() {
      return audience.size;
    },
    close() {
      closed = true;
      clearTimeout(countTimer);
      removeExtension();
      for (const off of unsubscribers) off();
    },
  };
}

/**
 * A presenter publishes a command (`{ deck, slide }`, `{ step }`, ...); what subscribers receive is
 * the resulting state. Non-presenters' publishes pass untouched: the policy refuses them next.
 */
function presenterCommands(talk: LiveTalk): Extension {
  return {
    name: 'slideshow-commands',
    // Not async: every message of every phone (each long-poll connect) passes here, and only a
    // presenter's command needs to wait for anything.
    incoming(message, context) {
      if (message.channel !== SLIDESHOW_CHANNELS.change || !isPresenter(context.session) || message.data === undefined) return message;
      const command = parsePresenterCommand(message.data);
      if (!command.ok) return { ...message, error: `400::${command.error}` };
      return applyCommand(talk, message, command.value);
    },
  };
}

async function applyCommand(talk: LiveTalk, message: Message, command: PresenterCommand): Promise<Message> {
  const result = await talk.apply(command);
  if (!result.ok) return { ...message, error: `${result.status}::${result.error}` };
  return { ...message, data: result.state };
}

/**
 * A slide change a phone was not yet sent, superseded by a newer one: the phone gets the newer
 * state with the skipped slide in its history, so it can still swipe back to it.
 */
function foldChangeMessages(older: Message, newer: Message): Message {
  const olderState = parseSlideshowState(older.data);
  const newerState = parseSlideshowState(newer.data);
  return olderState && newerState ? { ...newer, data: foldChanges(olderState, newerState) } : newer;
}
