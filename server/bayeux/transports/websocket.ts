/**
 * WebSocket transport (`ws` in noServer mode, claiming only the Bayeux path). One text frame carries
 * one JSON array of messages. A session is bound to the socket it handshakes or connects on, and
 * its events are pushed at once without waking `/meta/connect` (as CometD does); the connect is
 * still held and answered over the socket. Ping/pong drops a vanished phone within two ping
 * periods; `maxPayload` bounds a frame; a full send buffer moves events back to the bounded session queue.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Message } from '../../../lib/bayeux/index';
import type { BayeuxCore, ConnectResponder } from '../core';
import { encodeResponse, type Outgoing } from '../outgoing';
import { processBatch, runAfter } from '../protocol/process';
import type { RequestInfo } from '../request';
import type { PushSink, ServerSession } from '../session';
import { decodeUtf8, judgeOrigin, parseJsonMessages } from './http';
import { INVALID_CHANNEL_REPLY } from '../protocol/validate';

/** Frames one socket may have waiting for processing before it is considered abusive. */
const MAX_PENDING_FRAMES = 32;

export class WebSocketTransport {
  readonly #core: BayeuxCore;
  readonly #wss: WebSocketServer;
  readonly #connections = new Set<Connection>();
  readonly #pinger: NodeJS.Timeout;

  constructor(core: BayeuxCore) {
    this.#core = core;
    this.#wss = new WebSocketServer({
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
    socket.on('error', () => socket.destroy());
    if (this.#core.closing || judgeOrigin(req, this.#core.options.allowedOrigins) === 'forbidden') {
      socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new Connection(this.#core, ws, socket, req);
      this.#connections.add(connection);
      ws.on('close', () => {
        this.#connections.delete(connection);
        connection.unbindAll();
      });
    });
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
  readonly #sessions = new Set<ServerSession>();
  #alive = true;
  #pendingFrames = 0;
  #chain: Promise<void> = Promise.resolve();
  #waitingForDrain = false;
  #drainListeners: Array<() => void> | undefined;

  constructor(core: BayeuxCore, ws: WebSocket, socket: Duplex, req: IncomingMessage) {
    this.#core = core;
    this.ws = ws;
    this.#socket = socket;
    this.#info = { transport: 'websocket', headers: req.headers, remoteAddress: req.socket.remoteAddress, browserId: undefined };
    ws.on('message', (data, isBinary) => this.#receive(data, isBinary));
    ws.on('pong', () => (this.#alive = true));
    ws.on('error', (error) => core.events.emit('error', error));
  }

  ping(): void {
    if (!this.#alive) return void this.ws.terminate();
    this.#alive = false;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  /** The socket closed: its sessions stay (until expiry) but lose their push sink and held connect. */
  unbindAll(): void {
    for (const session of this.#sessions) {
      if (session.sink === this) {
        session.sink = undefined;
        this.#core.dropHeld(session);
      }
    }
    this.#sessions.clear();
  }

  #receive(data: RawData, isBinary: boolean): void {
    this.#alive = true;
    if (isBinary) return void this.ws.close(1003, 'binary frames are not Bayeux messages');
    if (++this.#pendingFrames > MAX_PENDING_FRAMES) return void this.ws.close(1008, 'too many frames in flight');
    // Frames are processed in order: a subscribe must not overtake the handshake before it.
    this.#chain = this.#chain
      .then(() => this.#process(data as Buffer))
      .catch((error: unknown) => void this.#core.events.emit('error', error instanceof Error ? error : new Error(String(error))))
      .finally(() => this.#pendingFrames--);
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
    const session = this.#core.engine.getSession(reply.clientId);
    if (session) this.#bind(session);
  }

  #bind(session: ServerSession): void {
    if (session.sink === this) return;
    session.sink = this;
    this.#sessions.add(session);
    session.flushToSink();
  }

  // PushSink. Events bypass ws's Sender: they are complete pre-built frames (see Outgoing.frame),
  // written straight to the socket ws itself writes to. Safe because ws writes whole frames
  // synchronously (no permessage-deflate, no fragmentation), so nothing can interleave.

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

  #send(events: Outgoing[], replies: Message[]): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeResponse(events, replies));
  }
}
