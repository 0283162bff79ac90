/**
 * Issue 14 item 1: one WebSocket tries 100,000 handshakes (bounded in count and time, from a
 * process of its own). It is refused beyond `maxSessionsPerSocket` with `429:socket,…` (never
 * `503`, which means shutting down), the server's sessions and heap stay bounded, the audience
 * count does not move by more than one phone, and fresh phones (the official CometD client) join
 * during the flood and after it as fast as without it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { DEFAULT_OPTIONS } from '../../server/bayeux/index';
import { JOIN_BOUND_MS, heapAfterGc, report, startLiveServer, timeFreshJoin, type LiveServer } from './harness';
import { startAttack } from './attacker';
import { until, within } from '../helpers/slideshow-clients';

const HANDSHAKES = 100_000;
const FLOOD_MS = 25_000;
/** Heap growth allowed while the flood runs (bytes). */
const MAX_HEAP_GROWTH = 32 * 1024 * 1024;

describe('a session flood from one WebSocket', () => {
  let live: LiveServer;
  before(async () => {
    live = await startLiveServer(3);
  });
  after(() => live.close());

  test(`${HANDSHAKES} handshakes on one socket: refused beyond the limit, bounded, and phones still join`, { timeout: 90_000 }, async () => {
    const { server } = live;
    const calm = await timeFreshJoin(server);
    const sessionsBefore = server.bayeux.sessionCount;
    const heapBefore = heapAfterGc();
    const floodStarted = performance.now();
    const attack = await startAttack('handshake-flood', { url: `ws://127.0.0.1:${server.port}/bayeux`, count: HANDSHAKES, window: 16, timeMs: FLOOD_MS });
    const during: number[] = [];
    let peakSessions = 0;
    const watch = setInterval(() => (peakSessions = Math.max(peakSessions, server.bayeux.sessionCount)), 50);
    let flooding = true;
    void attack.finished.finally(() => (flooding = false));
    while (flooding && during.length < 10) during.push(await timeFreshJoin(server));
    const summary = await within(attack.finished, 'the flood to end', FLOOD_MS + 15_000);
    const floodMs = performance.now() - floodStarted;
    clearInterval(watch);
    const heapGrowth = heapAfterGc() - heapBefore;
    const afterwards = [await timeFreshJoin(server), await timeFreshJoin(server, 'long-polling')];

    report('handshakes sent on one socket', summary.sent);
    report('flood duration', floodMs, 'ms');
    report('of which accepted', summary.accepted);
    report('refusals', JSON.stringify(summary.refused));
    report('fresh join before the flood', calm, 'ms');
    report('fresh joins during the flood (max)', Math.max(...during), 'ms');
    report('fresh joins after the flood (max)', Math.max(...afterwards), 'ms');
    report('peak sessions on the server', peakSessions);
    report('heap growth over the flood', heapGrowth / 1_048_576, 'MB');

    assert.ok(summary.sent >= 10_000, `the flood got going (${summary.sent} handshakes sent)`);
    // A session that never connects expires after maxInterval and gives its place back: the flood
    // gets the per-socket limit again every maxInterval, never more at once.
    const expiries = Math.ceil(floodMs / DEFAULT_OPTIONS.maxInterval);
    assert.ok(summary.accepted >= DEFAULT_OPTIONS.maxSessionsPerSocket, `the limit's worth was accepted (${summary.accepted})`);
    assert.ok(summary.accepted <= DEFAULT_OPTIONS.maxSessionsPerSocket * (1 + expiries), `no more than the limit per maxInterval was accepted (${summary.accepted})`);
    assert.deepEqual(Object.keys(summary.refused), [`429:socket,${DEFAULT_OPTIONS.maxSessionsPerSocket}:Too many sessions`]);
    assert.equal(summary.sent, summary.accepted + Number(Object.values(summary.refused)[0]), 'every handshake was answered');
    assert.ok(peakSessions <= sessionsBefore + DEFAULT_OPTIONS.maxSessionsPerSocket + 2, `sessions stayed bounded (peak ${peakSessions})`);
    assert.ok(heapGrowth < MAX_HEAP_GROWTH, `heap grew ${heapGrowth} bytes`);
    assert.ok(during.length > 0, 'a phone joined while the flood ran');
    for (const ms of [...during, ...afterwards]) assert.ok(ms < JOIN_BOUND_MS, `a fresh phone joined in ${Math.round(ms)} ms`);
  });

  test('one socket subscribing as many phones raises the audience count by one', { timeout: 30_000 }, async () => {
    const { server, presenter } = live;
    await until(() => presenter.lastCount !== undefined, 'the first audience count');
    const countBefore = await settledCount(live);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/bayeux`);
    await within(new Promise((resolve) => ws.once('open', resolve)), 'the socket to open');
    const replies: any[] = [];
    ws.on('message', (data) => replies.push(...JSON.parse(String(data))));
    // One at a time: a socket with too many frames in flight is closed (1008) before the limits matter.
    for (let i = 0; i < 300; i++) {
      ws.send(JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], id: `h${i}` }]));
      await until(() => replies.filter((r) => r.channel === '/meta/handshake').length === i + 1, `handshake reply ${i}`);
    }
    const sessions = replies.filter((r) => r.channel === '/meta/handshake' && r.successful).map((r) => r.clientId as string);
    assert.equal(sessions.length, DEFAULT_OPTIONS.maxSessionsPerSocket);
    for (const clientId of sessions) ws.send(JSON.stringify([{ channel: '/meta/subscribe', clientId, subscription: '/slideshow/change', id: `s-${clientId}` }]));
    await until(() => replies.filter((r) => r.channel === '/meta/subscribe' && r.successful).length === sessions.length, 'the subscribes');
    await until(() => presenter.lastCount === countBefore + 1, `the count to become ${countBefore + 1} (it is ${presenter.lastCount})`);
    report('audience count: before, after one socket subscribed 300 times', `${countBefore} -> ${presenter.lastCount}`);
    ws.close();
    await until(() => presenter.lastCount === countBefore, 'the count to fall back once the sessions are gone', 30_000);
  });
});

describe('a session flood from many WebSockets of one address', () => {
  let live: LiveServer;
  before(async () => {
    live = await startLiveServer(3);
  });
  after(() => live.close());

  test('the address is held to its handshake rate and session limit; phones from other addresses join', { timeout: 60_000 }, async () => {
    const { server } = live;
    const started = performance.now();
    // 127.0.0.2 is loopback too: the attacker's own address, the phones keep 127.0.0.1.
    const attack = await startAttack('many-sockets', { url: `ws://127.0.0.1:${server.port}/bayeux`, sockets: 400, perSocket: 4, localAddress: '127.0.0.2' });
    const during = await timeFreshJoin(server);
    const summary = await within(attack.finished, 'the sockets to finish', 30_000);
    const elapsed = performance.now() - started;
    const fromAttacker = server.bayeux.sessionCount;
    const afterwards = await timeFreshJoin(server);
    report('handshakes from 400 sockets of one address: sent, accepted', `${summary.sent}, ${summary.accepted} in ${Math.round(elapsed)} ms`);
    report('refusals', JSON.stringify(summary.refused));
    report('fresh joins from another address during, after', `${Math.round(during)}, ${Math.round(afterwards)} ms`);
    const { handshakeBurstPerAddress: burst, handshakesPerSecondPerAddress: rate, maxSessionsPerAddress } = DEFAULT_OPTIONS;
    assert.equal(summary.sent, 1_600);
    assert.ok(summary.accepted <= Math.min(maxSessionsPerAddress, burst + Math.ceil((elapsed / 1000) * rate)), `${summary.accepted} accepted`);
    assert.ok((summary.refused[`429:${rate}:Too many handshakes`] ?? 0) > 0, 'refused for the handshake rate');
    assert.ok(fromAttacker <= maxSessionsPerAddress + 5, `${fromAttacker} sessions`);
    for (const ms of [during, afterwards]) assert.ok(ms < JOIN_BOUND_MS, `a fresh phone joined in ${Math.round(ms)} ms`);
  });
});

/** The audience count once it has stopped moving (the presenter hears it at most twice a second). */
async function settledCount(live: LiveServer): Promise<number> {
  await until(() => live.presenter.lastCount === live.server.slideshow.bayeux.audienceCount, 'the audience count to settle');
  return live.presenter.lastCount!;
}
