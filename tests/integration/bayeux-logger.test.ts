/**
 * The Bayeux server's `logger` option against a real server: a peer's rejected WebSocket frame is
 * one warn line and a failure of our own is an error with the Error itself, both to the logger the
 * application handed in (the console stays untouched); a logger without warn and error is refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { createBayeuxServer, type BayeuxLogger } from '../../server/bayeux/index';
import { startBayeuxServer, type TestServer } from '../helpers/bayeux-server';
import { RawBayeux } from '../helpers/raw-bayeux';
import { until, within } from '../../support/wait';

describe('the Bayeux logger option', () => {
  let server: TestServer;
  const warnings: string[] = [];
  const errors: Array<[string, Error]> = [];
  const consoleLines: string[] = [];
  const original = { warn: console.warn, error: console.error };
  const logger: BayeuxLogger = { warn: (message) => void warnings.push(message), error: (message, error) => void errors.push([message, error]) };

  before(async () => {
    server = await startBayeuxServer({ logger });
    console.warn = (...args: unknown[]) => void consoleLines.push(args.map(String).join(' '));
    console.error = console.warn;
  });
  after(async () => {
    Object.assign(console, original);
    await server.close();
  });

  test("a peer's frame that is not UTF-8 closes its socket and is one warn line", async () => {
    const socket = new WebSocket(server.endpoint.replace(/^http/, 'ws'));
    await within(new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject)), 'the socket to open');
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    socket.send(Buffer.from([0xc3, 0x28]), { binary: false });
    assert.equal(await within(closed, 'the server to close the socket'), 1007);
    await until(() => warnings.length > 0, 'the rejection to be logged');
    assert.equal(warnings.length, 1, warnings.join(' | '));
    // The reason after the code is ws's own wording.
    assert.match(warnings[0]!, /^websocket frame from 127\.0\.0\.1 rejected: WS_ERR_INVALID_UTF8 [^\n]+$/);
    assert.deepEqual(consoleLines, []);
  });

  test('a throwing listener of ours is an unexpected error, handed over with the Error', async () => {
    const thrown = new Error('listener broke');
    const listener = () => {
      throw thrown;
    };
    const remove = server.bayeux.on('handshake', listener);
    try {
      await new RawBayeux(server.endpoint).handshake();
      await until(() => errors.length > 0, 'the failure to be logged');
    } finally {
      remove();
    }
    assert.deepEqual(errors, [['unexpected error', thrown]]);
    assert.deepEqual(consoleLines, []);
  });

  test('a logger without warn and error is refused at construction', () => {
    for (const bad of [{}, { warn: () => undefined }, null]) {
      assert.throws(() => createBayeuxServer({ logger: bad as unknown as BayeuxLogger }), /Bayeux option "logger" must have warn and error methods/);
    }
  });
});
