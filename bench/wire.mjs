// Shared by the load generator and the presenter: one clock for every process, a lean HTTP/1.1
// keep-alive client and a lean WebSocket client over raw sockets. A load generator that is
// slower than the server measures itself (issue 4).
import net from 'node:net';

/** Milliseconds (µs resolution) on CLOCK_MONOTONIC: the same clock in every process on the machine. */
export const now = () => Number(process.hrtime.bigint() / 1000n) / 1000;

/** `"channel":"/slideshow/change"` as every server here serialises it (JSON.stringify, no spaces). */
export const EVENT_NEEDLE = Buffer.from('"channel":"/slideshow/change"');

/** How many slideshow events a frame or body holds, without parsing it. */
export function countEvents(buffer) {
  let count = 0;
  for (let at = buffer.indexOf(EVENT_NEEDLE); at >= 0; at = buffer.indexOf(EVENT_NEEDLE, at + EVENT_NEEDLE.length)) count++;
  return count;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * One keep-alive connection. `request(path, body, headers, callback)` sends a POST and calls back
 * `(error, response)` with `{ status, body: Buffer, setCookie, seq }`. Requests may be pipelined
 * (answers come in order: the presenter's changes reach the server in the order clicked); a phone
 * has one in flight. The socket is reopened for the next request when the server closed it.
 */
export class HttpConnection {
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.socket = undefined;
    this.waiting = [];
    this.buffer = undefined;
    this.head = undefined;
    /** Called when a (new) socket is connected. */
    this.onConnect = undefined;
  }

  request(path, body, extraHeaders, callback) {
    this.waiting.push(callback);
    if (!this.socket || this.socket.destroyed) this.#open();
    const head = `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}\r\n`;
    this.socket.write(head + body);
  }

  close() {
    this.socket?.destroy();
    this.socket = undefined;
  }

  #open() {
    this.buffer = undefined;
    this.head = undefined;
    const socket = net.connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    socket.on('connect', () => this.onConnect?.());
    socket.on('data', (chunk) => this.#data(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket !== socket) return; // an old socket the server closed after its last answer
      this.socket = undefined;
      for (const callback of this.waiting.splice(0)) callback(new Error('connection closed'));
    });
    this.socket = socket;
  }

  #data(chunk) {
    this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer && this.buffer.length > 0) {
      if (!this.head) {
        const end = this.buffer.indexOf(HEADER_END);
        if (end < 0) return;
        this.head = parseHead(this.buffer.toString('latin1', 0, end));
        this.buffer = this.buffer.subarray(end + 4);
      }
      const head = this.head;
      let body;
      let rest;
      if (head.chunked) {
        const done = dechunk(this.buffer);
        if (!done) return;
        [body, rest] = done;
      } else {
        if (this.buffer.length < head.length) return;
        body = this.buffer.subarray(0, head.length);
        rest = this.buffer.subarray(head.length);
      }
      this.head = undefined;
      this.buffer = rest.length > 0 ? rest : undefined;
      const callback = this.waiting.shift();
      if (head.close) {
        const socket = this.socket;
        this.socket = undefined;
        socket?.end();
        const others = this.waiting.splice(0);
        callback?.(undefined, { status: head.status, body, setCookie: head.setCookie, seq: head.seq });
        for (const other of others) other(new Error('connection closed'));
        return;
      }
      callback?.(undefined, { status: head.status, body, setCookie: head.setCookie, seq: head.seq });
    }
  }
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const head = { status: Number(lines[0].slice(9, 12)), length: 0, chunked: false, close: false, setCookie: undefined, seq: undefined };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') head.length = Number(value);
    else if (name === 'transfer-encoding') head.chunked = value.toLowerCase().includes('chunked');
    else if (name === 'connection') head.close = value.toLowerCase() === 'close';
    else if (name === 'set-cookie') head.setCookie = value.split(';')[0];
    else if (name === 'x-seq') head.seq = Number(value);
  }
  return head;
}

/** [body, rest] of a complete chunked message, or undefined while incomplete. */
function dechunk(buffer) {
  const parts = [];
  let at = 0;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buffer.toString('latin1', at, lineEnd), 16);
    if (Number.isNaN(size)) return [Buffer.alloc(0), Buffer.alloc(0)];
    if (size === 0) return buffer.length >= lineEnd + 4 ? [Buffer.concat(parts), buffer.subarray(lineEnd + 4)] : undefined;
    if (buffer.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Bayeux handshake message for a transport. */
export function handshakeMessage(transport, id, ext) {
  const message = { channel: '/meta/handshake', version: '1.0', minimumVersion: '1.0', supportedConnectionTypes: [transport], id: String(id) };
  if (ext) message.ext = ext;
  return message;
}

/**
 * A minimal WebSocket client (RFC 6455) for phones: upgrade, unmasked server frames in, masked
 * client frames out (with an all-zero masking key, which servers accept and which costs no XOR),
 * pong to every ping, no extensions. Measured: 11.0 µs of CPU per received message at 10,000
 * phones against 14.6 µs with `ws`'s client.
 * `handlers`: open(), message(Buffer), close().
 */
export class RawWebSocket {
  constructor(host, port, path, handlers) {
    this.handlers = handlers;
    this.open = false;
    this.buffer = undefined;
    this.fragments = undefined;
    const socket = (this.socket = net.connect({ host, port }));
    socket.setNoDelay(true);
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${WS_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`),
    );
    socket.on('data', (chunk) => this.#data(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => handlers.close());
  }

  send(text) {
    this.#frame(0x1, Buffer.from(text));
  }

  close() {
    this.socket.destroy();
  }

  #data(chunk) {
    let buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.buffer = undefined;
    if (!this.open) {
      const end = buffer.indexOf(HEADER_END);
      if (end < 0) return void (this.buffer = buffer);
      if (buffer.toString('latin1', 9, 12) !== '101') return void this.socket.destroy();
      this.open = true;
      this.handlers.open();
      buffer = buffer.subarray(end + 4);
    }
    let at = 0;
    while (buffer.length - at >= 2) {
      const first = buffer[at];
      let length = buffer[at + 1] & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (buffer.length - at < 4) break;
        length = buffer.readUInt16BE(at + 2);
        start = at + 4;
      } else if (length === 127) {
        if (buffer.length - at < 10) break;
        length = Number(buffer.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      if (buffer.length < start + length) break;
      at = start + length;
      this.#received(first, buffer.subarray(start, at));
    }
    if (at < buffer.length) this.buffer = buffer.subarray(at);
  }

  #received(first, payload) {
    const opcode = first & 0x0f;
    const fin = (first & 0x80) !== 0;
    if (opcode === 0x9) return this.#frame(0xa, payload);
    if (opcode === 0x8) return void this.socket.end();
    if (opcode === 0xa) return;
    if (!fin || (opcode === 0 && this.fragments)) {
      (this.fragments ??= []).push(payload);
      if (!fin) return;
      payload = Buffer.concat(this.fragments);
      this.fragments = undefined;
    }
    this.handlers.message(payload);
  }

  #frame(opcode, payload) {
    const length = payload.length;
    const size = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    const header = Buffer.alloc(size + 4); // the last four bytes: the (zero) masking key
    header[0] = 0x80 | opcode;
    if (size === 2) header[1] = 0x80 | length;
    else if (size === 4) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(length, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(length), 2);
    }
    this.socket.write(Buffer.concat([header, payload]));
  }
}

const WS_KEY = Buffer.from('comet-deck-bench').toString('base64');
