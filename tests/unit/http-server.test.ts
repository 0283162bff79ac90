/**
 * server/http-server.ts on a real socket: a request that breaks HTTP is answered and its socket
 * destroyed even though the client never closes its side; a connection that stalls past the idle
 * timeout is destroyed; a long-work request (an upload) is exempt until its answer is done, and
 * the connection's next request is not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { createHttpServer } from '../../server/http-server';

const IDLE_MS = 300;
const WORK_MS = 3 * IDLE_MS;

describe('the http server\'s connection handling', () => {
  let server: http.Server;
  let port: number;
  before(async () => {
    server = createHttpServer((req, res) => {
      if (req.url === '/fast') return void res.end('fast');
      setTimeout(() => res.end('worked'), WORK_MS);
    }, { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 5_000, idleTimeoutMs: IDLE_MS, checkIntervalMs: 100 }, (req) => req.url === '/upload');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A raw connection: what it received, and whether (and when) the server closed it. */
  function connect() {
    const socket = net.connect(port, '127.0.0.1');
    const seen = { text: '', closed: false };
    socket.on('data', (chunk) => (seen.text += chunk));
    socket.on('end', () => void (seen.closed = true)); // never end our side: allowHalfOpen-like client
    socket.on('close', () => void (seen.closed = true));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return { socket, seen, closed };
  }

  test('a request that breaks HTTP gets 400 and its socket is destroyed, not half-closed', async () => {
    const { socket, seen, closed } = connect();
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    await closed;
    assert.match(seen.text, /^HTTP\/1\.1 400 Bad Request/);
  });

  test('headers trickled a byte at a time (never idle) get 408 at the headers timeout, and the socket is destroyed', async () => {
    const { socket, seen, closed } = connect();
    socket.write('GET /fast HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const trickle = setInterval(() => socket.write('a'), IDLE_MS / 3);
    await closed;
    clearInterval(trickle);
    assert.match(seen.text, /^HTTP\/1\.1 408 Request Timeout/);
  });

  test('work longer than the idle timeout is cut, except for long-work requests; the next request is not exempt', async () => {
    const plain = connect();
    plain.socket.write('GET /work HTTP/1.1\r\nHost: x\r\n\r\n');
    await plain.closed;
    assert.equal(plain.seen.text, '', 'the stalled answer was cut');

    const upload = connect();
    upload.socket.write('GET /upload HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => upload.socket.on('data', () => upload.seen.text.includes('worked') && resolve()));
    assert.equal(upload.seen.closed, false);
    upload.socket.write('GET /work HTTP/1.1\r\nHost: x\r\n\r\n');
    await upload.closed;
    assert.equal(upload.seen.text.match(/worked/g)?.length, 1, 'the second request on the connection was cut again');
  });
});
