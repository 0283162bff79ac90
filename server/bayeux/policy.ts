/**
 * Authorisation, as CometD's `SecurityPolicy`: three async questions, each defaulting to yes.
 * The protocol asks them after its own checks (meta channels, grammar, known session), so a policy
 * only decides about application channels. A policy may mark the session (attributes) at handshake.
 */
import type { Message } from '../../lib/bayeux/index';
import type { ServerSession } from './session';
import type { RequestInfo } from './request';

export type Verdict = boolean | Promise<boolean>;

export interface SecurityPolicy {
  /** `session` is created but not yet registered; denying discards it. */
  canHandshake?(session: ServerSession, message: Message, request: RequestInfo | undefined): Verdict;
  canSubscribe?(session: ServerSession, subscription: string, message: Message): Verdict;
  /** Publishes made by server code (`server.publish`) are trusted and never asked about. */
  canPublish?(session: ServerSession, channel: string, message: Message): Verdict;
}

export const ALLOW_ALL: SecurityPolicy = {};
