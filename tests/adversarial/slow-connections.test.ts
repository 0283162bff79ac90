/**
 * Issue 14 item 2: connections that never read, and a slowloris, must not keep file descriptors.
 * From a process of their own, 500 connections send part of a request and never read; 200 more
 * send nothing at all; 100 trickle their headers a byte at a time. The server (short timeouts
 * here, the defaults' shape: docs/security.md) answers each timeout and destroys the socket
 * rather than half-closing it, so its descriptors come back to where they were while the
 * attackers still hold their ends open, and fresh phones join throughout.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JOIN_BOUND_MS, openFds, report, startLiveServer, timeFreshJoin, type LiveServer } from './harness';
import { startAttack, type Attack } from './attacker';
import { until } from '../helpers/slideshow-clients';

const TIMEOUTS = { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 1_000, idleTimeoutMs: 3_000, checkIntervalMs: 100 };
/** Descriptors the server may hold beyond its baseline once the timeouts have passed (phones, presenter, sharp). */
const FD_SLACK = 20;

describe('connections that never read, and a slowloris', () => {
  let live: LiveServer;
  const attacks: Attack[] = [];
  before(async () => {
    live = await startLiveServer(3, { http: TIMEOUTS, bayeux: { timeout: 2_000 } });
  });
  after(async () => {
    for (const attack of attacks) await attack.stop().catch(() => undefined);
    await live.close();
  });

  test('their descriptors are released within the timeouts and fresh phones join throughout', { timeout: 60_000 }, async () => {
    const { server } = live;
    const baseline = openFds();
    const connections = () => new Promise<number>((resolve, reject) => server.http.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    const baselineConnections = await connections();
    const started = performance.now();
    attacks.push(await startAttack('never-read', { port: server.port, count: 500, partial: true }));
    attacks.push(await startAttack('never-read', { port: server.port, count: 200, partial: false }));
    attacks.push(await startAttack('slowloris', { port: server.port, count: 100, byteEveryMs: 100 }));
    const held = openFds();
    const during = await timeFreshJoin(server);
    await until(() => openFds() <= baseline + FD_SLACK, `the server's descriptors to come back (baseline ${baseline}, now ${openFds()})`, 30_000);
    const releasedMs = performance.now() - started;
    const remaining = await connections();
    const afterwards = [await timeFreshJoin(server), await timeFreshJoin(server, 'long-polling')];
    // The attackers never close anything: the server did.
    await Promise.all(attacks.splice(0).map((attack) => attack.stop()));

    report('server descriptors: baseline, with 800 hostile connections, after the timeouts', `${baseline}, ${held}, ${openFds()}`);
    report('time until the descriptors were released', releasedMs, 'ms');
    report('fresh join during the attack', during, 'ms');
    report('fresh joins after (max)', Math.max(...afterwards), 'ms');

    assert.ok(held >= baseline + 700, `the attack held descriptors at first (${held} vs ${baseline})`);
    assert.ok(remaining <= baselineConnections + 5, `the server tracks ${remaining} connections (baseline ${baselineConnections})`);
    for (const ms of [during, ...afterwards]) assert.ok(ms < JOIN_BOUND_MS, `a fresh phone joined in ${Math.round(ms)} ms`);
  });
});
