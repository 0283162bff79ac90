/**
 * The official CometD client (`cometd` with the `cometd-nodejs-client` adapter, which shims
 * XMLHttpRequest and WebSocket in Node), promisified for the tests: one transport per client,
 * every reply awaited with a bound, and a log of every message a client receives off the wire.
 *
 * Every CometD instance in a process shares the adapter's one cookie jar (they are tabs of one
 * browser), so servers for these tests allow many long polls per browser.
 */
import assert from 'node:assert/strict';
import { CometD, type Message as CometDMessage, type SubscriptionHandle } from 'cometd';
import { adapt } from 'cometd-nodejs-client';
import { until, within } from '../../support/wait';

adapt();

export type Mode = 'long-polling' | 'websocket' | 'callback-polling';

/** Every CometD client made here, disconnected by `disconnectAll` (call it in `after`). */
const clients = new Set<CometD>();

/** A client restricted to one transport (a broken transport fails instead of falling back). */
export function newClient(endpoint: string, mode: Mode): CometD {
  const cometd = new CometD();
  for (const type of ['websocket', 'long-polling', 'callback-polling']) {
    if (type !== mode) cometd.unregisterTransport(type);
  }
  assert.deepEqual(cometd.getTransportTypes(), [mode]);
  cometd.configure({ url: endpoint, logLevel: 'warn' });
  clients.add(cometd);
  return cometd;
}

/** Records every message the client receives (meta replies and events), serialised as they came. */
export function recordWire(cometd: CometD): string[] {
  const wire: string[] = [];
  cometd.registerExtension('wire-log', {
    incoming(message) {
      wire.push(JSON.stringify(message));
      return message;
    },
  });
  return wire;
}

/** A successful handshake's reply; a refused one rejects, with the reply. */
export async function handshake(cometd: CometD, props?: object): Promise<CometDMessage> {
  const reply = await tryHandshake(cometd, props);
  if (!reply.successful) throw new Error(`handshake failed: ${JSON.stringify(reply)}`);
  return reply;
}

/** Resolves with the handshake reply, successful or not. */
export function tryHandshake(cometd: CometD, props?: object): Promise<CometDMessage> {
  return within(new Promise<CometDMessage>((resolve) => {
    if (props) cometd.handshake(props, resolve);
    else cometd.handshake(resolve);
  }), 'the handshake reply');
}

/** A handshaken client whose first /meta/connect was answered (the session is fully established). */
export async function connected(cometd: CometD, props?: object): Promise<CometDMessage> {
  let ok = false;
  cometd.addListener('/meta/connect', (message) => {
    if (message.successful) ok = true;
  });
  const reply = await tryHandshake(cometd, props);
  assert.equal(reply.successful, true, `handshake: ${JSON.stringify(reply)}`);
  await until(() => ok, 'the first successful /meta/connect');
  return reply;
}

/** Resolves with the subscribe reply, successful or not. */
export function trySubscribe(cometd: CometD, channel: string, onMessage: (message: CometDMessage) => void): Promise<CometDMessage> {
  return within(new Promise<CometDMessage>((resolve) => {
    cometd.subscribe(channel, onMessage, resolve);
  }), `the subscribe reply for ${channel}`);
}

export async function subscribe(cometd: CometD, channel: string, onMessage: (message: CometDMessage) => void): Promise<SubscriptionHandle> {
  let handle: SubscriptionHandle | undefined;
  const reply = await within(new Promise<CometDMessage>((resolve) => {
    handle = cometd.subscribe(channel, onMessage, resolve);
  }), `the subscribe reply for ${channel}`);
  assert.equal(reply.successful, true, `subscribe ${channel}: ${JSON.stringify(reply)}`);
  return handle!;
}

/** Resolves with the publish reply, successful or not. */
export function publish(cometd: CometD, channel: string, data: unknown): Promise<CometDMessage> {
  return within(new Promise<CometDMessage>((resolve) => cometd.publish(channel, data, resolve)), `the publish reply for ${channel}`);
}

/** The disconnect reply; undefined when the client was already disconnected. */
export async function disconnect(cometd: CometD): Promise<CometDMessage | undefined> {
  clients.delete(cometd);
  if (cometd.isDisconnected()) return undefined;
  return within(new Promise<CometDMessage>((resolve) => cometd.disconnect(resolve)), 'the disconnect reply');
}

export async function disconnectAll(): Promise<void> {
  const pending = [...clients];
  clients.clear();
  await Promise.allSettled(pending.map((cometd) => (cometd.isDisconnected() ? undefined : within(new Promise((resolve) => cometd.disconnect(resolve)), 'a disconnect reply', 5_000))));
}
