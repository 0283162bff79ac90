/**
 * The one place the talk is broadcast. Every change LiveTalk takes, whoever made it (a presenter's
 * publish, `POST /api/live`, a rename or delete, another node, a resynchronisation with Redis),
 * goes to this node's subscribers of `/slideshow/change`, in the order taken. Each node broadcasts
 * the changes it has taken itself (`publishLocally`), never another node's broadcast.
 *
 * A change goes out on the next turn of the event loop, after the reply of whatever caused it was
 * written: a presenter is told at once that the change was taken, not after ten thousand phones.
 * A phone that subscribes is sent the replay of the last change broadcast (not of a change still
 * waiting to go out), so the replay and the broadcasts that reach it next always join up. The
 * replay of a change is prepared (serialised) once for every phone that joins until the next, and
 * carries only the most recent shown slides (boundedHistory): a phone asks for older ones over
 * `GET /api/live/history` when it browses back to them, so a re-subscribe costs a few kilobytes,
 * not the whole talk.
 */
import type { BayeuxServer, PreparedMessage } from '../bayeux/index';
import { boundedHistory, SLIDESHOW_CHANNELS } from '../../lib/slideshow/index';
import type { LiveTalk, TalkChange } from './live-talk';

export class TalkBroadcast {
  readonly #bayeux: BayeuxServer;
  /** The last change broadcast: what a joiner is sent. */
  #shown: TalkChange;
  #prepared: { readonly change: TalkChange; readonly message: PreparedMessage | undefined } | undefined;
  #waiting: TalkChange[] = [];
  #closed = false;

  constructor(bayeux: BayeuxServer, talk: LiveTalk) {
    this.#bayeux = bayeux;
    this.#shown = talk.change;
    talk.onChange((change) => this.#taken(change));
  }

  /** Send the replay to one session that has just subscribed. */
  replayTo(clientId: string): void {
    const change = this.#shown;
    if (this.#prepared?.change !== change) this.#prepared = { change, message: this.#bayeux.prepare(SLIDESHOW_CHANNELS.change, boundedHistory(change.replay)) };
    if (this.#prepared.message) this.#bayeux.deliverPrepared(clientId, this.#prepared.message);
  }

  close(): void {
    this.#closed = true;
    this.#waiting = [];
  }

  #taken(change: TalkChange): void {
    if (this.#closed) return;
    this.#waiting.push(change);
    if (this.#waiting.length === 1) setImmediate(() => this.#sendWaiting());
  }

  #sendWaiting(): void {
    const changes = this.#waiting;
    this.#waiting = [];
    for (const change of changes) {
      if (this.#closed) return;
      this.#shown = change;
      this.#bayeux.publishLocally(SLIDESHOW_CHANNELS.change, change.broadcast ?? change.state);
    }
  }
}
