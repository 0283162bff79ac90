/**
 * The composition root: one port serves Next's pages and the Bayeux endpoint (long-polling on
 * `/bayeux` and its CometD sub-paths, WebSocket upgrades), refuses other upgrades, validates its
 * environment, and shuts down gracefully (held connects answered, sockets closed).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { runAppExpectingFailure, startApp, type AppProcess } from '../../support/app-process';

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

async function handshake(endpoint: string): Promise<string> {
  const { json } = await post(`${endpoint}/handshake`, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: '1' }]);
  assert.equal(json[0].successful, true);
  return json[0].clientId as string;
}

describe('the application server', () => {
  let app: AppProcess;
  before(async () => {
    app = await startApp({ BAYEUX_TIMEOUT_MS: '20000' });
  });
  after(async () => {
    await app?.stop('SIGKILL');
  });

  test('serves the landing page from Next', async () => {
    const response = await fetch(app.url);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Comet Deck/);
  });

  test('serves Bayeux long-polling on /bayeux and the sub-paths the CometD client appends', async () => {
    const clientId = await handshake(`${app.url}/bayeux`);
    const { json } = await post(`${app.url}/bayeux/connect`, [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: '2' }]);
    assert.equal(json[0].successful, true);
    const plain = await post(`${app.url}/bayeux`, [{ channel: '/meta/disconnect', clientId, id: '3' }]);
    assert.equal(plain.json[0].successful, true);
  });

  test('takes WebSocket upgrades on /bayeux and answers Bayeux over them', async () => {
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/bayeux`);
    const reply = await new Promise<any>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], id: 'w1' }])));
      ws.once('message', (data) => resolve(JSON.parse(String(data))));
    });
    ws.close();
    assert.equal(reply[0].successful, true);
    assert.equal(reply[0].id, 'w1');
  });

  test('refuses WebSocket upgrades on other paths instead of leaving them hanging', async () => {
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/elsewhere`);
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(-1));
    });
    assert.equal(status, 404);
  });
});

describe('graceful shutdown', () => {
  test('SIGTERM answers a held connect, closes WebSockets and exits 0', async () => {
    const app = await startApp({ BAYEUX_TIMEOUT_MS: '30000' });
    try {
      const endpoint = `${app.url}/bayeux`;
      const clientId = await handshake(endpoint);
      await post(endpoint, [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: '2' }]);
      const held = post(endpoint, [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: '3' }]);
      const ws = new WebSocket(`${app.url.replace('http', 'ws')}/bayeux`);
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      // Give the second connect time to be held. A time window, bounded at 300 ms: the app is a child
      // process whose sessions the test cannot read, and a held connect answers nothing until it ends.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      const exit = app.stop('SIGTERM');
      const answer = await held;
      assert.equal(answer.status, 200);
      assert.equal(answer.json.at(-1).channel, '/meta/connect');
      assert.equal(answer.json.at(-1).successful, true);
      assert.ok(Date.now() - started < 10_000, 'held connect answered promptly, not at its timeout');
      assert.equal(await closed, 1001);
      assert.equal(await exit, 0);
    } finally {
      await app.stop('SIGKILL');
    }
  });
});

describe('configuration', () => {
  test('a bad environment stops the start with a message naming each variable', async () => {
    const { code, output } = await runAppExpectingFailure({ PORT: 'eighty', BAYEUX_TIMEOUT_MS: '-5', BAYEUX_ALLOWED_ORIGINS: 'https://ok.example/path' });
    assert.equal(code, 2);
    assert.match(output, /PORT must be an integer/);
    assert.match(output, /BAYEUX_TIMEOUT_MS must be an integer/);
    assert.match(output, /BAYEUX_ALLOWED_ORIGINS: "https:\/\/ok.example\/path" is not an origin/);
  });

  test('a port already in use is one clear line, not a stack trace', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const { code, output } = await runAppExpectingFailure({ PORT: String(port), HOST: '127.0.0.1' });
      assert.equal(code, 1);
      const lines = output.trim().split('\n');
      assert.equal(lines.at(-1), `Cannot listen on 127.0.0.1 port ${port}: it is already in use. Stop what uses it, or set PORT to another port.`);
      assert.deepEqual(lines.filter((line) => /^\s+at |Error/.test(line)), [], `no stack trace in:\n${output}`);
    } finally {
      taken.close();
    }
  });
});
