/**
 * The slideshow as a Bayeux application: installs the policy, runs a presenter's publish on
 * `/slideshow/change` as a command once the protocol has accepted it (validated, applied,
 * persisted; the reply carries the resulting state, and TalkBroadcast, the one place the talk is
 * broadcast, sends it to the phones), sends each client that subscribes the current slide with the
 * talk's history (to it alone), and tells presenters how many phones follow (on
 * `/slideshow/audience`, at most twice a second), summed over every node when several share the
 * talk (AudienceTally). Both channels are latest-wins: a phone that is behind is sent only the
 * newest state (with the slides it skipped in its history).
 */
import type { BayeuxServer, PublishDecision, PublishHook, ServerSession } from '../bayeux/index';
import { COMMAND_STATE_EXT, foldChanges, parsePresenterCommand, parseSlideshowState, SLIDESHOW_CHANNELS } from '../../lib/slideshow/index';
import { BayeuxError, type Message } from '../../lib/bayeux/index';
import { AudienceMembers, LocalTally, type AudienceTally } from './audience';
import type { PresenterAuth } from './auth';
import type { LiveTalk } from './live-talk';
import { isPresenter, slideshowPolicy } from './policy';
import type { PublicChannels } from './public-channels';
import { TalkBroadcast } from './talk-broadcast';

const COUNT_THROTTLE_MS = 500;

export interface SlideshowBayeux {
  /** Phones following the talk on this node. */
  readonly audienceCount: number;
  close(): void;
}

export function installSlideshow(bayeux: BayeuxServer, talk: LiveTalk, auth: PresenterAuth, publicChannels: PublicChannels, tally: AudienceTally = new LocalTally()): SlideshowBayeux {
  bayeux.setPolicy(slideshowPolicy(auth, publicChannels));
  const removeHook = bayeux.onPublish(SLIDESHOW_CHANNELS.change, presenterCommands(talk));
  // Both channels carry the whole state: a phone that is behind goes straight to the newest.
  bayeux.setLatestWins(SLIDESHOW_CHANNELS.change, foldChangeMessages);
  bayeux.setLatestWins(SLIDESHOW_CHANNELS.audience);
  const broadcast = new TalkBroadcast(bayeux, talk);
  const audience = new AudienceMembers();
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
  const leave = (session: ServerSession) => {
    if (audience.delete(session.id)) publishCount();
  };
  const unsubscribers = [
    bayeux.on('subscribe', (session, channel) => {
      if (channel === SLIDESHOW_CHANNELS.change) {
        broadcast.replayTo(session.id);
        if (!isPresenter(session) && audience.add(session.id, bayeux.originOf(session)?.socket)) publishCount();
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
    get audienceCount() {
      return audience.size;
    },
    close() {
      closed = true;
      clearTimeout(countTimer);
      removeHook();
      broadcast.close();
      for (const off of unsubscribers) off();
    },
  };
}

/**
 * A presenter publishes a command (`{ deck, slide }`, `{ step }`, ...), run once the policy has let
 * it through: the reply carries the resulting state (`ext[COMMAND_STATE_EXT]`), and the phones get
 * it from TalkBroadcast, whatever becomes of the presenter's session meanwhile.
 */
function presenterCommands(talk: LiveTalk): PublishHook {
  return async (message, session): Promise<PublishDecision> => {
    // The policy lets only presenters publish here; this stays true if the policy is ever widened.
    if (!isPresenter(session)) return { outcome: 'refused', error: BayeuxError.publishDenied(SLIDESHOW_CHANNELS.change) };
    const command = parsePresenterCommand(message.data);
    if (!command.ok) return { outcome: 'refused', error: `400::${command.error}` };
    const result = await talk.apply(command.value);
    if (!result.ok) return { outcome: 'refused', error: `${result.status}::${result.error}` };
    return { outcome: 'handled', replyExt: { [COMMAND_STATE_EXT]: result.state } };
  };
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
