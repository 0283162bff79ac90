/**
 * The one http.Server, with the timeouts that keep a connection from holding a file descriptor
 * for as long as its client likes: headers must arrive within `headersTimeoutMs` (a slowloris
 * trickling them is cut), the whole request within `requestTimeoutMs`, an idle keep-alive
 * connection is closed after `keepAliveTimeoutMs`, and a connection on which nothing moves either
 * way for `idleTimeoutMs` (a client that never reads its answer) is destroyed. Node checks the
 * first two every `checkIntervalMs`.
 *
 * A connection that breaks HTTP (or times out) is answered 400/408 when it can still be written
 * and destroyed right after, never just half-closed: a half-closed socket whose client never
 * closes its side keeps its descriptor open forever (500 such clients held 500 descriptors).
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';

export interface HttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  idleTimeoutMs: number;
  checkIntervalMs: number;
}

/**
 * Defaults: a held long poll (25 s) is a response being waited for, not an idle socket, but it
 * moves no bytes: `idleTimeoutMs` must outlast `BAYEUX_TIMEOUT_MS` with a margin.
 */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 65_000,
  idleTimeoutMs: 60_000,
  checkIntervalMs: 1_000,
};

/** How long a refused connection's short answer may take to leave before the socket is cut anyway. */
const REFUSAL_FLUSH_MS = 1_000;

/**
 * `longWork`: requests whose answer may rightly take longer than `idleTimeoutMs` to start (an
 * upload being converted and rendered): the idle timeout is lifted for them until their response
 * is done, then put back for the connection's next request. The other timeouts still apply.
 */
export function createHttpServer(handler: http.RequestListener, timeouts: HttpTimeouts = DEFAULT_HTTP_TIMEOUTS, longWork?: (req: http.IncomingMessage) => boolean): http.Server {
  const guarded: http.RequestListener = longWork === undefined ? handler : (req, res) => {
    if (longWork(req)) liftIdleTimeout(req, res, timeouts.idleTimeoutMs);
    handler(req, res);
  };
  const server = http.createServer({
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    connectionsCheckingInterval: timeouts.checkIntervalMs,
  }, guarded);
  // No 'timeout' listener: Node destroys a socket idle for this long.
  server.timeout = timeouts.idleTimeoutMs;
  server.on('clientError', answerAndDestroy);
  return server;
}

function liftIdleTimeout(req: http.IncomingMessage, res: http.ServerResponse, idleTimeoutMs: number): void {
  const socket = req.socket;
  socket.setTimeout(0);
  // A socket setting outlives the request: put it back, or the connection's later requests keep none.
  res.once('close', () => {
    if (!socket.destroyed) socket.setTimeout(idleTimeoutMs);
  });
}

function answerAndDestroy(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  refuseSocket(socket, `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Write a short answer and destroy the socket once it has left (or after a moment, if the client does not read). */
export function refuseSocket(socket: Duplex, answer: string): void {
  const timer = setTimeout(() => socket.destroy(), REFUSAL_FLUSH_MS);
  timer.unref();
  socket.end(answer, () => {
    clearTimeout(timer);
    socket.destroy();
  });
}
