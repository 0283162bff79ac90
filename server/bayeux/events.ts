/**
 * Server-side events for applications and monitoring. Listeners run after the reply that caused
 * them was handed to the transport, so an application that answers a `subscribe` by sending the
 * current state to that session alone is never ahead of the subscribe reply.
 */
import { EventEmitter } from 'node:events';
import type { Message } from '../../lib/bayeux/index';
import type { ServerSession } from './session';

export type RemovalReason = 'disconnect' | 'expired' | 'server';

export interface BayeuxEventMap {
  handshake: [session: ServerSession, message: Message];
  subscribe: [session: ServerSession, subscription: string];
  unsubscribe: [session: ServerSession, subscription: string];
  /** A message published by a client (broadcast or `/service/**`), after policy and extensions allowed it. */
  publish: [session: ServerSession, channel: string, data: unknown, message: Message];
  disconnect: [session: ServerSession, reason: RemovalReason];
  /** An operational error (a throwing extension or policy, a socket error); the server carries on. */
  error: [error: Error];
  /** A peer broke the wire protocol (a WebSocket frame ws refused: bad UTF-8, too large, bad opcode); its socket is closed. Not our error. */
  rejected: [rejection: Rejection];
}

export interface Rejection {
  readonly transport: 'websocket';
  readonly address: string | undefined;
  /** ws's stable code, e.g. `WS_ERR_INVALID_UTF8`. */
  readonly code: string;
  readonly reason: string;
}

export class BayeuxEvents extends EventEmitter<BayeuxEventMap> {}
