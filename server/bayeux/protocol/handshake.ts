/**
 * /meta/handshake (spec #_bayeux_meta_handshake). Creates a session when the client and server share
 * a connection type and the policy agrees. Liberal where old clients need it: a handshake without
 * `supportedConnectionTypes` (dojox.cometd in cross-domain mode) is taken as offering the transport
 * it arrived on. Denied: `403::handshake_denied` with `reconnect: none`, so the client stops.
 * Over a session or handshake limit (admission.ts): `429:…` with `reconnect: handshake` after
 * `refusedInterval`; `503::Server shutting down` only while the server closes.
 */
import type { ConnectionType, Message } from '../../../lib/bayeux/index';
import { BAYEUX_VERSION, BayeuxError, isConnectionType } from '../../../lib/bayeux/index';
import type { ServerSession } from '../session';
import type { Handled, Scope } from './scope';
import { failure, replyTo } from './scope';

export async function handshake(message: Message, scope: Scope): Promise<Handled> {
  const { core } = scope;
  const offered = offeredTypes(message, scope);
  if (offered === undefined) return noSession(failure(message, BayeuxError.invalidParameter('supportedConnectionTypes')));
  if (message.version !== undefined && typeof message.version !== 'string') {
    return noSession(failure(message, BayeuxError.invalidParameter('version')));
  }
  if (typeof message.minimumVersion === 'string' && majorVersion(message.minimumVersion) > 1) {
    return noSession(failure(message, BayeuxError.versionMismatch(message.minimumVersion), { version: BAYEUX_VERSION, advice: { reconnect: 'none' } }));
  }
  const common = core.options.transports.filter((type) => offered.includes(type));
  if (common.length === 0) {
    return noSession(failure(message, BayeuxError.connectionTypeMismatch(offered), {
      supportedConnectionTypes: [...core.options.transports], version: BAYEUX_VERSION, advice: { reconnect: 'none' },
    }));
  }
  const refused = core.closing ? BayeuxError.shuttingDown() : core.admission.refusal(scope.info, core.sessions.sessionCount, core.now());
  if (refused) return noSession(failure(message, refused, { advice: { reconnect: 'handshake', interval: core.options.refusedInterval } }));
  const session = core.createSession(preferredType(scope.info.transport, common));
  session.browserId = scope.info.browserId;
  // Counted before the policy is asked: concurrent handshakes cannot slip past a limit meanwhile.
  core.admission.admit(session, scope.info);
  const allowed = await askPolicy(session, message, scope);
  if (!allowed || core.closing) {
    core.admission.release(session);
    return noSession(allowed ? failure(message, BayeuxError.shuttingDown(), { advice: { reconnect: 'handshake', interval: core.options.refusedInterval } })
      : failure(message, BayeuxError.handshakeDenied(), { advice: { reconnect: 'none' } }));
  }
  core.sessions.addSession(session);
  scope.after.push(() => core.events.emit('handshake', session, message));
  const reply = replyTo(message, {
    version: BAYEUX_VERSION,
    minimumVersion: BAYEUX_VERSION,
    supportedConnectionTypes: [...core.options.transports],
    clientId: session.id,
    successful: true,
    advice: advice(scope),
  });
  return { reply, session };
}

/** The policy's verdict; a throwing policy gives the session's place back before the error is reported. */
async function askPolicy(session: ServerSession, message: Message, scope: Scope): Promise<boolean> {
  try {
    return await scope.core.policy.canHandshake?.(session, message, scope.info) ?? true;
  } catch (error) {
    scope.core.admission.release(session);
    throw error;
  }
}

function advice(scope: Scope): Message['advice'] {
  const { timeout, interval, maxInterval } = scope.core.options;
  return { reconnect: 'retry', interval, timeout, maxInterval };
}

/** The client's connection types; a missing list means "the one I am using". Undefined if malformed. */
function offeredTypes(message: Message, scope: Scope): string[] | undefined {
  const types = message.supportedConnectionTypes;
  if (types === undefined) return [scope.info.transport];
  if (!Array.isArray(types) || types.length > 32 || !types.every((t) => typeof t === 'string')) return undefined;
  return types as string[];
}

function preferredType(arrivedOn: ConnectionType, common: readonly string[]): ConnectionType {
  if (common.includes(arrivedOn)) return arrivedOn;
  const first = common.find(isConnectionType);
  return first ?? arrivedOn;
}

function majorVersion(version: string): number {
  const major = Number.parseInt(version, 10);
  return Number.isNaN(major) ? 0 : major;
}

function noSession(reply: Message): Handled {
  return { reply, session: undefined };
}
