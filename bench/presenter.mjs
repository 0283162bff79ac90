// The presenter: one client that publishes slide changes on a schedule and records, per change,
// the send time (the clock every phone compares its receipt time with) and how long the publish
// took to be acknowledged. Bayeux over WebSocket for ours and Faye (as the presenter page does),
// over long-polling for cometd-nodejs-server (it has no WebSocket), a plain POST for the floors.
//
// What it publishes: to ours, the command `{deck, slide}` (the server turns it into the full slide
// state, whose `seq` it numbers: seq0 + k for the k-th command); to the others, that same state
// as our server broadcasts it (`template`, read from ours in this run) with our own `seq` = k.
import WebSocket from 'ws';
import { HttpConnection, handshakeMessage, now } from './wire.mjs';

const CHANNEL = '/slideshow/change';
const ACK_TIMEOUT_MS = 60_000;
let client;

/** Bayeux client over WebSocket: handshake, a connect loop (keeps the session alive), publishes. */
class WsClient {
  async init({ host, port, path, ext }) {
    this.acks = new Map();
    this.nextId = 0;
    this.ws = new WebSocket(`ws://${host}:${port}${path}`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    // The reconnect storm kills the server under it: nothing more is published then.
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) => {
      for (const message of JSON.parse(data.toString())) this.#receive(message);
    });
    const reply = await this.#request(handshakeMessage('websocket', 0, ext));
    if (!reply.successful) throw new Error(`presenter handshake refused: ${reply.error}`);
    this.clientId = reply.clientId;
    this.#connect({ timeout: 0 });
  }

  publish(data) {
    return this.#request({ channel: CHANNEL, clientId: this.clientId, data });
  }

  #connect(advice) {
    const message = { channel: '/meta/connect', clientId: this.clientId, connectionType: 'websocket', id: `c${++this.nextId}` };
    if (advice) message.advice = advice;
    this.ws.send(JSON.stringify([message]));
  }

  #request(message) {
    message.id = String(++this.nextId);
    return new Promise((resolve) => {
      this.acks.set(message.id, resolve);
      this.ws.send(JSON.stringify([message]));
    });
  }

  #receive(message) {
    if (message.channel === '/meta/connect' && message.id?.startsWith('c')) return this.#connect();
    const resolve = this.acks.get(message.id);
    if (resolve) {
      this.acks.delete(message.id);
      resolve(message);
    }
  }

  close() {
    this.ws?.terminate();
  }
}

/** Bayeux client over long-polling: a connect loop on one connection, publishes pipelined on another. */
class LpClient {
  async init({ host, port, path, ext }) {
    this.host = host;
    this.port = port;
    this.path = path;
    this.cookie = '';
    this.nextId = 0;
    const reply = (await this.#post(handshakeMessage('long-polling', 0, ext))).find((m) => m.channel === '/meta/handshake');
    if (!reply?.successful) throw new Error(`presenter handshake refused: ${reply?.error}`);
    this.clientId = reply.clientId;
    this.connection = new HttpConnection(host, port);
    this.#connect(',"advice":{"timeout":0}');
  }

  async publish(data) {
    const replies = await this.#post({ channel: CHANNEL, clientId: this.clientId, data });
    return replies.find((m) => m.channel === CHANNEL) ?? { successful: false, error: 'no reply' };
  }

  #connect(advice = '') {
    if (this.closed) return;
    const body = `[{"channel":"/meta/connect","clientId":"${this.clientId}","connectionType":"long-polling","id":"c${++this.nextId}"${advice}}]`;
    this.connection.request(this.path, body, this.#cookieHeader(), () => this.#connect());
  }

  #cookieHeader() {
    return this.cookie ? `Cookie: ${this.cookie}\r\n` : '';
  }

  /** Publishes and the handshake share one pipelined connection: they reach the server in order. */
  #post(message) {
    message.id = String(++this.nextId);
    this.publishing ??= new HttpConnection(this.host, this.port);
    return new Promise((resolve, reject) => {
      this.publishing.request(this.path, JSON.stringify([message]), this.#cookieHeader(), (error, response) => {
        if (error) return reject(error);
        if (response.setCookie) this.cookie = response.setCookie;
        resolve(JSON.parse(response.body.toString()));
      });
    });
  }

  close() {
    this.closed = true;
    this.connection?.close();
    this.publishing?.close();
  }
}

/** The floors: POST /publish with the data (one pipelined connection, in order); the answer is the acknowledgement. */
class FloorClient {
  async init({ host, port }) {
    this.connection = new HttpConnection(host, port);
  }

  publish(data) {
    return new Promise((resolve) => {
      this.connection.request('/publish', JSON.stringify(data), '', (error, response) => {
        resolve(error || response.status !== 200 ? { successful: false, error: String(error ?? response.status) } : { successful: true });
      });
    });
  }

  close() {
    this.connection?.close();
  }
}

async function init(command) {
  const { target, baseUrl } = command;
  client = target === 'floor' ? new FloorClient() : target === 'cometd-node' ? new LpClient() : new WsClient();
  await client.init(command);
  if (target !== 'ours') return { type: 'ready' };
  const live = await client.publish({ deck: command.deck, slide: 1 });
  if (!live.successful) throw new Error(`going live failed: ${live.error}`);
  const state = await (await fetch(`${baseUrl}/api/live`)).json();
  return { type: 'ready', seq0: state.seq, template: state };
}

/** Publish `commands` every `intervalMs` without waiting for acknowledgements (a presenter clicking). */
async function phase({ commands, intervalMs, seq0, target, deck, template }) {
  const start = now() + 20;
  const sends = await Promise.all(
    commands.map(
      ({ k, slide }, i) =>
        new Promise((resolve) => {
          setTimeout(() => {
            const seq = target === 'ours' ? seq0 + k : k;
            const data = target === 'ours' ? { deck, slide } : { ...template, slide, seq, at: Date.now() };
            const sentAt = now();
            const timer = setTimeout(() => resolve({ k, seq, slide, sentAt, ackMs: null, ok: false, error: 'no acknowledgement' }), ACK_TIMEOUT_MS);
            client.publish(data).then(
              (reply) => {
                clearTimeout(timer);
                resolve({ k, seq, slide, sentAt, ackMs: now() - sentAt, ok: reply.successful === true, error: reply.error });
              },
              (error) => {
                clearTimeout(timer);
                resolve({ k, seq, slide, sentAt, ackMs: null, ok: false, error: String(error) });
              },
            );
          }, Math.max(0, start + i * intervalMs - now()));
        }),
    ),
  );
  return { type: 'phaseDone', sends };
}

process.on('message', (command) => {
  const run = command.type === 'init' ? init(command) : command.type === 'phase' ? phase(command) : undefined;
  if (command.type === 'close') {
    client?.close();
    setTimeout(() => process.exit(0), 50);
    return;
  }
  run?.then(
    (answer) => process.send?.(answer),
    (error) => process.send?.({ type: 'error', error: String(error?.stack ?? error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'hello', pid: process.pid });
