/**
 * The Bayeux 1.0 wire contract, shared by the server and the browser code.
 * Field rules follow the spec's "Message Field Definitions" (docs.cometd.org, #_bayeux_message_fields).
 */

export type Reconnect = 'retry' | 'handshake' | 'none';

export interface Advice {
  reconnect?: Reconnect;
  interval?: number;
  timeout?: number;
  maxInterval?: number;
  'multiple-clients'?: boolean;
  hosts?: string[];
  [transportOrOther: string]: unknown;
}

export type Ext = Record<string, unknown>;

/** Any message as it travels: requests, replies and events share one shape. */
export interface Message {
  channel: string;
  id?: string;
  clientId?: string;
  data?: unknown;
  successful?: boolean;
  error?: string;
  advice?: Advice;
  ext?: Ext;
  subscription?: string | string[];
  supportedConnectionTypes?: string[];
  connectionType?: string;
  version?: string;
  minimumVersion?: string;
  authSuccessful?: boolean;
  timestamp?: string;
  [other: string]: unknown;
}

export const BAYEUX_VERSION = '1.0';

export const META = {
  handshake: '/meta/handshake',
  connect: '/meta/connect',
  subscribe: '/meta/subscribe',
  unsubscribe: '/meta/unsubscribe',
  disconnect: '/meta/disconnect',
} as const;

export type MetaChannel = (typeof META)[keyof typeof META];

export const CONNECTION_TYPES = ['websocket', 'long-polling', 'callback-polling'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export function isConnectionType(value: unknown): value is ConnectionType {
  return typeof value === 'string' && (CONNECTION_TYPES as readonly string[]).includes(value);
}

/** Spec grammar for `id` is alphanumeric, but real clients send numbers-as-strings and UUIDs; we accept any short string. */
export const MAX_ID_LENGTH = 128;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
