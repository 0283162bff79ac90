/**
 * A generic Bayeux 1.0 server (the CometD protocol): long-polling, callback-polling and WebSocket on
 * one path, the ack and timesync extensions, a security policy and server-side publishing. It knows
 * nothing of the application that embeds it: mount `handleHttp` and `handleUpgrade` on an
 * `http.Server`, install a policy and listen to events. See docs/bayeux.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Message } from '../../lib/bayeux/index';
import { isBroadcast, isMeta, isValidChannel } from '../../lib/bayeux/index';
import { resolveOptions, type BayeuxOptions } from './options';
import { BayeuxCore } from './core';
import { MemoryEngine } from './engine/memory';
import { closeEngine, type Engine } from './engine/engine';
import type { Extension } from './extensions';
import type { SecurityPolicy } from './policy';
import { ALLOW_ALL } from './policy';
import type { BayeuxEventMap } from './events';
import type { ServerSession } from './session';
import type { Fold, Outgoing } from './outgoing';
import type { PublishHook } from './publish-hooks';
import { ackExtension } from './ext/ack';
import { timesyncExtension } from './ext/timesync';
import { handleLongPolling } from './transports/long-polling';
import { handleCallbackPolling } from './transports/callback-polling';
import { refuseUpgrade, WebSocketTransport } from './transports/websocket';
import { answerPreflight, judgeOrigin, sendPlain, serveSafely } from './transports/http';
import type { ClientAddress } from './client-address';
import type { SessionOrigin } from './admission';

export type { BayeuxOptions } from './options';
export type { Extension, ExtensionContext } from './extensions';
export type { Fold } from './outgoing';
export type { PublishDecision, PublishHook } from './publish-hooks';
/** A message made ready once (extensions run, serialised) to be delivered to many sessions. */
export type PreparedMessage = Outgoing;
export type { SecurityPolicy } from './policy';
export type { ServerSession } from './session';
export type { SessionOrigin } from './admission';
export type { Broker, Engine, LocalDelivery, SessionIndex } from './engine/engine';
export type { BayeuxEventMap, Rejection, RemovalReason } from './events';
export { LocalBroker, MemoryEngine } from './engine/memory';
export { LocalSessionIndex } from './engine/session-index';
export { RedisBroker, RedisEngine, type RedisBrokerOptions, type RedisBrokerStats, type RedisEngineOptions, type RedisEngineStats } from './engine/redis-broker';
export { nodeIdentity, type NodeIdentity } from './node-identity';
export { RedisLink, type RedisLinkOptions, type RedisLinkState } from './engine/redis-link';
export { DEFAULT_OPTIONS } from './options';
export { CONSOLE_LOGGER, type BayeuxLogger } from './logger';
export { judgeOrigin, type OriginVerdict } from './transports/http';
export { limitKey, peerAddress, type ClientAddress } from './client-address';

export interface CreateBayeuxServerOptions extends Partial<BayeuxOptions> {
  engine?: Engine;
  policy?: SecurityPolicy;
  /** Install the ack and timesync extensions (default true). */
  standardExtensions?: boolean;
  /**
   * The client address per-address limits count (default: the TCP peer, an IPv6 /64 as one).
   * Behind a reverse proxy, pass one that trusts `X-Forwarded-For` from that proxy only.
   */
  clientAddress?: ClientAddress;
}

export interface BayeuxServer {
  readonly options: Readonly<BayeuxOptions>;
  /** Serve a request if its path is the Bayeux endpoint; returns false (untouched) otherwise. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean;
  /** Take a WebSocket upgrade on the Bayeux path; returns false (untouched) otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Publish from server code to every subscriber (trusted: no policy). Returns the local recipients. */
  publish(channel: string, data: unknown, ext?: Record<string, unknown>): number;
  /**
   * Publish from server code to this node's subscribers only (with several nodes): for state that
   * every node derives from a shared record and broadcasts by itself. Returns the recipients.
   */
  publishLocally(channel: string, data: unknown): number;
  /**
   * The application's say over clients' publishes on `channel` once the protocol has accepted them
   * (after the policy and the session check, before any fan-out): deliver, handled, or refused.
   * One hook per channel. Returns a function that removes it.
   */
  onPublish(channel: string, hook: PublishHook): () => void;
  /**
   * Latest wins on a broadcast channel (no wildcards) whose every message carries the whole state:
   * a newer message replaces an older one a session has not yet been sent (a slow client jumps to
   * the latest), combined by `fold` when given. Messages already sent are never taken back.
   */
  setLatestWins(channel: string, fold?: Fold): void;
  /** Send one message to one session only (e.g. the current state after it subscribes). */
  deliver(clientId: string, channel: string, data: unknown): boolean;
  /**
   * Make a message ready once (outgoing extensions run without a session, serialised) to hand the
   * same bytes to many sessions with `deliverPrepared`: a snapshot every joiner gets.
   */
  prepare(channel: string, data: unknown): PreparedMessage | undefined;
  deliverPrepared(clientId: string, message: PreparedMessage): boolean;
  /** Remove a session from the server side; its held connect is told `reconnect: none`. */
  disconnect(clientId: string): boolean;
  getSession(clientId: string): ServerSession | undefined;
  /** Where a session handshook from: its client address, and its WebSocket (an identity) if it came on one. */
  originOf(session: ServerSession): SessionOrigin | undefined;
  readonly sessionCount: number;
  subscriberCount(channel: string): number;
  addExtension(extension: Extension): () => void;
  setPolicy(policy: SecurityPolicy): void;
  on<E extends keyof BayeuxEventMap>(event: E, listener: (...args: BayeuxEventMap[E]) => void): () => void;
  /** Stop: answer held connects, close sockets, stop timers. */
  close(): Promise<void>;
}

export function createBayeuxServer(init: CreateBayeuxServerOptions = {}): BayeuxServer {
  const { engine = new MemoryEngine(), policy = ALLOW_ALL, standardExtensions = true, clientAddress, ...partial } = init;
  const options = resolveOptions(partial);
  const core = new BayeuxCore(options, engine);
  core.policy = policy;
  if (clientAddress) core.clientAddress = clientAddress;
  if (standardExtensions) {
    core.extensions.add(ackExtension(options.maxQueue));
    core.extensions.add(timesyncExtension());
  }
  const websocket = options.transports.includes('websocket') ? new WebSocketTransport(core) : undefined;
  const sweeper = setInterval(() => sweepExpired(core), options.sweepPeriod).unref();

  const server: BayeuxServer = {
    options,
    ...endpointMethods(core, websocket),
    ...publishingMethods(core),
    ...sessionMethods(core),
    get sessionCount() {
      return engine.sessions.sessionCount;
    },
    async close() {
      core.closing = true;
      clearInterval(sweeper);
      for (const session of [...engine.sessions.all()]) core.releaseHeld(session, { reconnect: 'retry', interval: options.failureInterval });
      websocket?.close();
      await closeEngine(engine);
    },
  };
  return server;
}

/** The two ways requests reach Bayeux: HTTP (long-polling, callback-polling) and WebSocket upgrades. */
function endpointMethods(core: BayeuxCore, websocket: WebSocketTransport | undefined): Pick<BayeuxServer, 'handleHttp' | 'handleUpgrade'> {
  const { path } = core.options;
  return {
    handleHttp(req, res) {
      if (!isBayeuxPath(pathOf(req), path)) return false;
      serveSafely(res, core.reportError, () => serveHttp(core, req, res));
      return true;
    },
    handleUpgrade(req, socket, head) {
      if (!isBayeuxPath(pathOf(req), path)) return false;
      if (!websocket) {
        refuseUpgrade(socket, '400 Bad Request');
        return true;
      }
      websocket.handleUpgrade(req, socket, head);
      return true;
    },
  };
}

function assertBroadcast(channel: string, what: string): void {
  if (!isValidChannel(channel) || !isBroadcast(channel)) throw new TypeError(`cannot ${what} ${JSON.stringify(channel)}: not a broadcast channel`);
}

/** What the application sends: to every subscriber, to this node's only, to one session, and its hooks on what clients publish. */
function publishingMethods(core: BayeuxCore): Pick<BayeuxServer, 'publish' | 'publishLocally' | 'onPublish' | 'setLatestWins' | 'deliver' | 'prepare' | 'deliverPrepared'> {
  const { sessions } = core;
  return {
    publish(channel, data, ext) {
      assertBroadcast(channel, 'publish to');
      const message: Message = { channel, data };
      if (ext) message.ext = ext;
      return core.broadcast(message);
    },
    publishLocally(channel, data) {
      assertBroadcast(channel, 'publish to');
      const event = core.prepareEvent({ channel, data });
      return event ? sessions.deliver(event) : 0;
    },
    onPublish(channel, hook) {
      if (!isValidChannel(channel) || isMeta(channel) || channel.includes('*')) throw new TypeError(`cannot hook publishes to ${JSON.stringify(channel)}: not a concrete non-meta channel`);
      return core.publishHooks.set(channel, hook);
    },
    setLatestWins(channel, fold) {
      if (!isValidChannel(channel) || !isBroadcast(channel) || channel.includes('*')) throw new TypeError(`cannot make ${JSON.stringify(channel)} latest-wins: not a broadcast channel without wildcards`);
      core.setLatestWins(channel, fold);
    },
    deliver(clientId, channel, data) {
      const session = sessions.getSession(clientId);
      if (!session || isMeta(channel)) return false;
      const event = core.prepareEvent({ channel, data }, session);
      if (event) session.deliver(event);
      return event !== undefined;
    },
    prepare(channel, data) {
      if (!isValidChannel(channel) || isMeta(channel)) throw new TypeError(`cannot prepare a message for ${JSON.stringify(channel)}`);
      return core.prepareEvent({ channel, data });
    },
    deliverPrepared(clientId, message) {
      const session = sessions.getSession(clientId);
      if (!session) return false;
      session.deliver(message);
      return true;
    },
  };
}

/** Sessions and the server's own settings: look up, disconnect, count, extend, police, listen. */
function sessionMethods(core: BayeuxCore): Pick<BayeuxServer, 'disconnect' | 'getSession' | 'originOf' | 'subscriberCount' | 'addExtension' | 'setPolicy' | 'on'> {
  const { sessions } = core;
  return {
    disconnect(clientId) {
      const session = sessions.getSession(clientId);
      if (!session) return false;
      core.removeSession(session, 'server');
      return true;
    },
    getSession: (clientId) => sessions.getSession(clientId),
    originOf: (session) => core.admission.originOf(session),
    subscriberCount: (channel) => sessions.subscriberCount(channel),
    addExtension: (extension) => core.extensions.add(extension),
    setPolicy(next) {
      core.policy = next;
    },
    on(event, listener) {
      core.events.on(event, listener as never);
      return () => void core.events.off(event, listener as never);
    },
  };
}

function serveHttp(core: BayeuxCore, req: IncomingMessage, res: ServerResponse): void | Promise<void> {
  const transports = core.options.transports;
  if (req.method === 'OPTIONS') return answerPreflight(req, res, judgeOrigin(req, core.options.allowedOrigins));
  if (req.method === 'POST' && transports.includes('long-polling')) return handleLongPolling(core, req, res);
  const query = req.method === 'GET' ? queryOf(req) : undefined;
  if (query?.has('message') && transports.includes('callback-polling')) {
    return handleCallbackPolling(core, req, res, query);
  }
  if (req.method === 'GET' || req.method === 'HEAD') return sendPlain(res, 400, 'Bayeux endpoint: POST messages, GET with ?message= for callback-polling, or upgrade to WebSocket');
  sendPlain(res, 405, `method ${req.method} not allowed`, { Allow: 'GET, POST, OPTIONS' });
}

/** Remove sessions that have neither a held connect nor a connect within `maxInterval` (spec: act as if disconnected). */
function sweepExpired(core: BayeuxCore): void {
  core.forgetOldRemovals();
  core.admission.forgetFullBuckets(core.now());
  const deadline = core.now() - core.options.maxInterval - core.options.interval;
  for (const session of [...core.sessions.all()]) {
    if (!session.held && session.lastSeen < deadline) core.removeSession(session, 'expired');
  }
}

/** The path of a request, without parsing a URL: every long poll of every phone passes here. */
function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  if (url[0] !== '/') return absolutePath(url);
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** An absolute-form request target (`GET http://host/bayeux`), which HTTP/1.1 servers must accept. */
function absolutePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

function queryOf(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return new URLSearchParams(query < 0 ? '' : url.slice(query + 1));
}

/** `/bayeux`, `/bayeux/`, and `/bayeux/<word>` (the CometD client appends the message type, e.g. `/handshake`). */
export function isBayeuxPath(pathname: string, base: string): boolean {
  if (pathname === base || pathname === `${base}/`) return true;
  return pathname.startsWith(`${base}/`) && /^[A-Za-z-]{1,32}$/.test(pathname.slice(base.length + 1));
}
