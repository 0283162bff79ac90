/**
 * Publishing (spec #_bayeux_publish): any message on a non-meta channel. Requires a known session
 * (the spec lets servers refuse unconnected publishes; we do, unlike Faye), a concrete channel
 * (wildcards cannot be published to), `data`, and the policy's consent. Then the channel's publish
 * hook, if it has one (publish-hooks.ts), decides: deliver (its data may be replaced), handled by
 * the application, or refused. Broadcast channels fan out to subscribers; `/service/**` reaches
 * only server-side listeners. Subscribers get `channel`, `data` and the publisher's `ext` minus
 * private keys; never its `id` or `clientId` (as CometD). The fan-out runs once the reply is
 * handed to the transport.
 */
import type { Message } from '../../../lib/bayeux/index';
import { BayeuxError, isService, isValidChannel, isWildcard } from '../../../lib/bayeux/index';
import type { BayeuxCore } from '../core';
import type { PublishDecision } from '../publish-hooks';
import type { ServerSession } from '../session';
import type { Handled, Scope } from './scope';
import { failure, replyTo } from './scope';

export async function publish(message: Message, session: ServerSession, scope: Scope): Promise<Handled> {
  const { core } = scope;
  const channel = message.channel;
  if (isWildcard(channel)) return { reply: failure(message, BayeuxError.wildcardPublish(channel)), session };
  if (!isValidChannel(channel)) return { reply: failure(message, BayeuxError.channelInvalid(String(channel).slice(0, 256))), session };
  if (!('data' in message) || message.data === undefined) return { reply: failure(message, BayeuxError.missingParameter('data')), session };
  if (!(await core.policy.canPublish?.(session, channel, message) ?? true)) {
    return { reply: failure(message, BayeuxError.publishDenied(channel)), session };
  }
  if (session.state === 'removed') return { reply: failure(message, BayeuxError.unknownClient()), session };
  // From here on the publish is accepted: whatever the hook does is done, even if the session
  // goes away meanwhile (its reply then reaches nobody, but the hook's broadcasts still go out).
  const decision = await decide(core, message, session);
  if (decision.outcome === 'refused') return { reply: failure(message, decision.error), session };
  const data = decision.outcome === 'deliver' && 'data' in decision ? decision.data : message.data;
  if (decision.outcome === 'deliver' && !isService(channel)) {
    const prepared = core.prepareEvent(eventOf(message, data, core.options.privateExtKeys));
    if (prepared && Buffer.byteLength(prepared.json) > core.options.maxMessageBytes) {
      return { reply: failure(message, BayeuxError.messageTooLarge(core.options.maxMessageBytes)), session };
    }
    // The publisher's reply goes out first, the fan-out right after it (runAfter): a presenter
    // is told at once that the change was taken, not after ten thousand phones were written to.
    if (prepared) scope.fanouts.push(() => void core.broker.publish(prepared));
  }
  scope.after.push(() => core.events.emit('publish', session, channel, data, message));
  const reply = replyTo(message, { successful: true });
  if (decision.replyExt) reply.ext = { ...decision.replyExt };
  return { reply, session };
}

const DELIVER: PublishDecision = { outcome: 'deliver' };

/** The channel's hook's decision; a hook that throws refuses the publish and is reported. */
async function decide(core: BayeuxCore, message: Message, session: ServerSession): Promise<PublishDecision> {
  const hook = core.publishHooks.get(message.channel);
  if (!hook) return DELIVER;
  // A hook acts on what it is given: the bound every broadcast has applies before, not after.
  const limit = core.options.maxMessageBytes;
  if (Buffer.byteLength(JSON.stringify(message.data)) > limit) return { outcome: 'refused', error: BayeuxError.messageTooLarge(limit) };
  try {
    return await hook(message, session);
  } catch (error) {
    core.reportError(error);
    return { outcome: 'refused', error: BayeuxError.serverError() };
  }
}

/** The event subscribers receive: the publisher's identity and private ext keys stripped. */
function eventOf(message: Message, data: unknown, privateExtKeys: readonly string[]): Message {
  const event: Message = { channel: message.channel, data };
  if (message.ext && typeof message.ext === 'object') {
    const ext = Object.fromEntries(Object.entries(message.ext).filter(([key]) => !privateExtKeys.includes(key)));
    if (Object.keys(ext).length > 0) event.ext = ext;
  }
  return event;
}
