/**
 * WebSocket transport (`ws` in noServer mode, claiming only the Bayeux path). One text frame carries
 * one JSON array of messages. A session is bound to the socket it handshakes or connects on, and
 * its events are pushed at once without waking `/meta/connect` (as CometD does); the connect is
 * still held and answered over the socket. Ping/pong drops a vanished phone within two ping
 * periods; `maxPayload` bounds a frame; a full send buffer moves events back to the bounded session queue.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData, type Server as WsServer } from 'ws';
import type { Message } from '../../../lib/bayeux/index';
import type { BayeuxCore } from '../core';
import { encodeResponseFrame, type Outgoing } from '../outgoing';
import { processBatch, runAfter } from '../protocol/process';
import type { RequestInfo } from '../request';
import type { ConnectResponder, PushSink, ServerSession } from '../session';
import { decodeUtf8, judgeOrigin, parseJsonMessages } from './http';
import { INVALID_CHANNEL_REPLY } from '../protocol/validate';

/** A socket error before or after the upgrade: nothing to answer, just let the socket go. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/**
 * Refuse an upgrade: a short answer, then the socket destroyed once it has left (or after a
 * moment, for a client that never reads): never left half-closed, holding its descriptor.
 */
export function refuseUpgrade(socket: Duplex, status: string): void {
  const timer = setTimeout(() => socket.destroy(), 1_000);
  timer.unref();
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => {
    clearTimeout(timer);
    socket.destroy();
  });
}

/** Frames one socket may have waiting for processing before it is considered abusive. */
const MAX_PENDING_FRAMES = 32;

/**
 * A phone's `ws` socket, carrying its Connection (ws builds it: the server's `WebSocket` option).
 * ws calls listeners with the socket as `this`, so with the connection on the socket the listeners
 * below are shared functions: no closures, and no contexts they keep, per phone.
 */
class BayeuxSocket extends WebSocket {
  connection: Connection | undefined;
}

function connectionOf(ws: WebSocket): Connection | undefined {
  return (ws as BayeuxSocket).connection;
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  connectionOf(this)?.receive(data, isBinary);
}

function onPong(this: WebSocket): void {
  connectionOf(this)?.markAlive();
}

function onSocketError(this: WebSocket, error: Error): void {
  connectionOf(this)?.reportError(error);
}

function onClose(this: WebSocket): void {
  connectionOf(this)?.closed();
}

export class WebSocketTransport {
  readonly #core: BayeuxCore;
  readonly #wss: WsServer<typeof BayeuxSocket>;
  readonly #connections = new Set<Connection>();
  readonly #pinger: NodeJS.Timeout;

  constructor(core: BayeuxCore) {
    this.#core = core;
    this.#wss = new WebSocketServer({
      WebSocket: BayeuxSocket,
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: core.options.maxBodyBytes,
      // Accept the `cometd` subprotocol when offered, or none (CometD's default client offers none).
      handleProtocols: (protocols) => (protocols.has('cometd') ? 'cometd' : false),
    });
    this.#pinger = setInterval(() => this.#pingAll(), core.options.wsPingInterval).unref();
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroyOnError);
    if (this.#core.closing || judgeOrigin(req, this.#core.options.allowedOrigins) === 'forbidden') {
      return refuseUpgrade(socket, '403 Forbidden');
    }
    const info: RequestInfo = { transport: 'websocket', headers: req.headers, remoteAddress: this.#core.clientAddress(req), browserId: undefined };
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, socket, info));
  }

  /**
   * Not inside `handleUpgrade`: a listener made there would keep that call's context, and with it
   * the upgrade request (its headers, raw headers and streams: ~1 KB per phone) for as long as the
   * socket lives. The connection keeps only the headers.
   */
  #accept(ws: BayeuxSocket, socket: Duplex, info: RequestInfo): void {
    const connection = new Connection(this.#core, ws, socket, { ...info, socket: ws }, this.#connections);
    this.#connections.add(connection);
    ws.connection = connection;
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('error', onSocketError);
    ws.on('close', onClose);
  }

  /** Close every socket with 1001 (going away). */
  close(): void {
    clearInterval(this.#pinger);
    for (const connection of this.#connections) connection.ws.close(1001, 'server shutting down');
    this.#wss.close();
  }

  #pingAll(): void {
    for (const connection of this.#connections) connection.ping();
  }
}

/**
 * One WebSocket and the sessions on it. It is itself the sessions' push sink and the responder of
 * their held connects: methods, not closures, because there is one of these per phone.
 */
class Connection implements ConnectResponder, PushSink {
  readonly ws: WebSocket;
  readonly #core: BayeuxCore;
  readonly #info: RequestInfo;
  readonly #socket: Duplex;
  readonly #connections: Set<Connection>;
  /** The session bound to this socket; `#others` only when a client runs several on one socket (rare). */
  #session: ServerSession | undefined;
  #others: Set<ServerSession> | undefined;
  #alive = true;
  #pendingFrames = 0;
  /** The frames being processed, in order; undefined when none is (no settled promise kept per phone). */
  #chain: Promise<void> | undefined;
  #waitingForDrain = false;
  #drainListeners: Array<() => void> | undefined;

  constructor(core: BayeuxCore, ws: WebSocket, socket: Duplex, info: RequestInfo, connections: Set<Connection>) {
    this.#core = core;
    this.ws = ws;
    this.#socket = socket;
    this.#info = info;
    this.#connections = connections;
  }

  ping(): void {
    if (!this.#alive) return void this.ws.terminate();
    this.#alive = false;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  markAlive(): void {
    this.#alive = true;
  }

  reportError(error: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
      this.#core.events.emit('rejected', { transport: 'websocket', address: this.#info.remoteAddress, code, reason: (error as Error).message });
    } else {
      this.#core.reportError(error);
    }
  }

  /** The socket closed: its sessions stay (until expiry) but lose their push sink and held connect. */
  closed(): void {
    this.#connections.delete(this);
    if (this.#session) this.#unbind(this.#session);
    for (const session of this.#others ?? []) this.#unbind(session);
    this.#session = undefined;
    this.#others = undefined;
  }

  #unbind(session: ServerSession): void {
    if (session.sink !== this) return;
    session.sink = undefined;
    this.#core.dropHeld(session);
  }

  receive(data: RawData, isBinary: boolean): void {
    this.#alive = true;
    if (isBinary) return void this.ws.close(1003, 'binary frames are not Bayeux messages');
    if (++this.#pendingFrames > MAX_PENDING_FRAMES) return void this.ws.close(1008, 'too many frames in flight');
    // Frames are processed in order: a subscribe must not overtake the handshake before it.
    const chain = (this.#chain ?? Promise.resolve())
      .then(() => this.#process(data as Buffer))
      .catch((error: unknown) => this.reportError(error))
      .finally(() => {
        if (--this.#pendingFrames === 0 && this.#chain === chain) this.#chain = undefined;
      });
    this.#chain = chain;
  }

  async #process(data: Buffer): Promise<void> {
    const text = decodeUtf8(data);
    const parsed = text === undefined ? ({ ok: false, reason: 'frame is not valid UTF-8' } as const) : parseJsonMessages(text, this.#core.options);
    if (!parsed.ok) return this.#send([], [{ channel: INVALID_CHANNEL_REPLY, successful: false, error: `400::${parsed.reason}` }]);
    const { replies, scope } = await processBatch(parsed.messages, this.#core, this.#info);
    for (const reply of replies) this.#bindFromReply(reply);
    const pending = scope.connect;
    if (pending) this.#bind(pending.session);
    if (replies.length > 0) this.#send([], replies);
    runAfter(scope);
    if (pending) this.#core.holdConnect(pending, this);
  }

  #bindFromReply(reply: Message): void {
    if (reply.channel !== '/meta/handshake' || !reply.successful || typeof reply.clientId !== 'string') return;
    const session = this.#core.sessions.getSession(reply.clientId);
    if (session) this.#bind(session);
  }

  #bind(session: ServerSession): void {
    if (session.sink === this) return;
    session.sink = this;
    const current = this.#session;
    // Replace a session that is gone (a re-handshake on this socket after expiry) or moved to another socket.
    if (current === undefined || current.state === 'removed' || current.sink !== this) this.#session = session;
    else (this.#others ??= new Set()).add(session);
    session.flushToSink();
  }

  // PushSink. Events bypass ws's Sender: they are complete pre-built frames (see Outgoing.frame),
  // written straight to the socket ws itself writes to; so are replies (#send). Safe because ws
  // writes each of its own frames (pings, pongs, close) whole and synchronously: we never turn on
  // permessage-deflate nor send ws a Blob, the only two things that make its Sender queue, and
  // nothing is fragmented. So no frame can interleave, and frames leave in the order written.

  isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  canWrite(): boolean {
    return this.#socket.writableLength < this.#core.options.wsMaxBufferedBytes;
  }

  write(frame: Buffer): void {
    this.#socket.write(frame);
  }

  onWritable(flush: () => void): void {
    (this.#drainListeners ??= []).push(flush);
    if (this.#waitingForDrain) return;
    this.#waitingForDrain = true;
    this.#socket.once('drain', () => {
      this.#waitingForDrain = false;
      const listeners = this.#drainListeners ?? [];
      this.#drainListeners = undefined;
      for (const listener of listeners) listener();
    });
  }

  /** Answer this connection's held connect (BayeuxCore.holdConnect). */
  respond(events: Outgoing[], reply: Message): void {
    this.#send(events, [reply]);
  }

  /**
   * One frame built from the events' shared bytes and this client's replies (encodeResponseFrame):
   * a connect reply carrying events, as under connect-only delivery, copies no event through a
   * string. Written as the push path writes (see above); not once the socket is closing.
   */
  #send(events: Outgoing[], replies: Message[]): void {
    if (this.ws.readyState === WebSocket.OPEN) this.#socket.write(encodeResponseFrame(events, replies));
  }
}
