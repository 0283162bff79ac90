/**
 * Publish hooks: the application's say over a publish the protocol has already accepted (a valid
 * channel, data, the policy's consent, a known session), before anything is fanned out. Modelled
 * on CometD's `ServerChannel` message listeners, which run after its `SecurityPolicy`: side effects
 * (applying a command, storing it) belong here, never in an incoming extension, which runs before
 * the protocol has decided and may only rewrite or refuse a message.
 *
 * A hook decides one of three things:
 * - `deliver`: fan the message out as usual, with `data` replaced if given;
 * - `handled`: the application took the message and broadcasts whatever follows from it itself,
 *   so the protocol fans nothing out;
 * - `refused`: the publisher gets an unsuccessful reply with this Bayeux error; nothing else happens.
 * `replyExt` adds keys to the publisher's successful reply (e.g. the result of a command).
 */
import type { Message } from '../../lib/bayeux/index';
import type { ServerSession } from './session';

export type PublishDecision =
  | { readonly outcome: 'deliver'; readonly data?: unknown; readonly replyExt?: Readonly<Record<string, unknown>> }
  | { readonly outcome: 'handled'; readonly replyExt?: Readonly<Record<string, unknown>> }
  | { readonly outcome: 'refused'; readonly error: string };

export type PublishHook = (message: Message, session: ServerSession) => PublishDecision | Promise<PublishDecision>;

/** One hook per concrete channel: a channel has one owner, whose decision is final. */
export class PublishHooks {
  readonly #hooks = new Map<string, PublishHook>();

  set(channel: string, hook: PublishHook): () => void {
    if (this.#hooks.has(channel)) throw new TypeError(`${channel} already has a publish hook`);
    this.#hooks.set(channel, hook);
    return () => {
      if (this.#hooks.get(channel) === hook) this.#hooks.delete(channel);
    };
  }

  get(channel: string): PublishHook | undefined {
    return this.#hooks.get(channel);
  }
}
