// The fan-out in time slices (server/bayeux/fanout.ts): a large fan-out lets other work run
// between its slices, yet every session gets every event exactly once and in publish order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryEngine } from '../../server/bayeux/engine/memory';
import { FanOut } from '../../server/bayeux/fanout';
import { Outgoing } from '../../server/bayeux/outgoing';
import { ServerSession, type PushSink } from '../../server/bayeux/session';
import { BARE_HOST } from '../helpers/session-host';

const host = BARE_HOST;

/** A session on an always-writable socket that records the channel of each event, in order. */
function recordingSession(): { session: ServerSession; got: string[] } {
  const got: string[] = [];
  const session = new ServerSession(host, 100, 'websocket');
  const sink: PushSink = {
    isOpen: () => true,
    canWrite: () => true,
    write: (frame) => void got.push(String(JSON.parse(frame.subarray(frame[1] === 126 ? 4 : 2).toString('utf8'))[0].data.n)),
    onWritable: () => undefined,
  };
  session.sink = sink;
  return { session, got };
}

const event = (n: number) => new Outgoing({ channel: '/slideshow/change', data: { n } });
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('fan-out in time slices', () => {
  test('a fan-out within one slice is delivered before publish returns', () => {
    const engine = new MemoryEngine();
    const phones = Array.from({ length: 50 }, () => recordingSession());
    for (const { session } of phones) engine.sessions.subscribe(session, '/slideshow/change');
    assert.equal(engine.broker.publish(event(1)), 50);
    assert.ok(phones.every((p) => p.got.join() === '1'));
  });

  test('a slice of 0 ms yields after every 64 deliveries; all arrive, once each, in publish order', async () => {
    const engine = new MemoryEngine({ fanOutSliceMs: 0 });
    const phones = Array.from({ length: 1_000 }, () => recordingSession());
    for (const { session } of phones) engine.sessions.subscribe(session, '/slideshow/change');
    assert.equal(engine.broker.publish(event(1)), 1_000);
    const afterFirst = phones.filter((p) => p.got.length > 0).length;
    assert.equal(afterFirst, 64, 'the first slice stops after 64 deliveries');
    // Published while the first is still going out: waits behind it for every phone.
    engine.broker.publish(event(2));
    assert.equal(phones.filter((p) => p.got.length > 0).length, 64, 'the second publish delivers nothing yet');
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = true));
    for (let i = 0; i < 200 && phones.some((p) => p.got.length < 2); i++) await turn();
    assert.ok(otherWorkRan, 'other work ran between slices');
    for (const [i, phone] of phones.entries()) assert.deepEqual(phone.got, ['1', '2'], `phone ${i}`);
  });

  test('recipients are fixed at publish time: a late subscriber is not sent it, a removed session is skipped', async () => {
    const engine = new MemoryEngine({ fanOutSliceMs: 0 });
    const phones = Array.from({ length: 300 }, () => recordingSession());
    for (const { session } of phones) engine.sessions.subscribe(session, '/slideshow/change');
    engine.broker.publish(event(1));
    const late = recordingSession();
    engine.sessions.subscribe(late.session, '/slideshow/change');
    const last = phones[phones.length - 1]!;
    last.session.state = 'removed';
    for (let i = 0; i < 50 && phones.slice(0, -1).some((p) => p.got.length < 1); i++) await turn();
    assert.deepEqual(late.got, []);
    assert.deepEqual(last.got, []);
    assert.ok(phones.slice(0, -1).every((p) => p.got.join() === '1'));
  });

  test('the backlog is bounded: beyond 1,000 waiting fan-outs the oldest is finished at once', () => {
    const fanOut = new FanOut(0);
    const phones = Array.from({ length: 200 }, () => recordingSession());
    const recipients = new Set(phones.map((p) => p.session));
    for (let n = 1; n <= 1_002; n++) fanOut.push(event(n), recipients);
    assert.equal(fanOut.backlog, 1_000);
    assert.deepEqual(phones[199]!.got.slice(0, 2), ['1', '2'], 'the two oldest were finished, in order');
  });
});
