/**
 * The shared encodings of an event: long-poll bodies, JSON-P bodies and WebSocket reply frames
 * built from the events' shared bytes must be byte for byte the JSON the string encoding gives,
 * for every mix of events and replies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../lib/bayeux/index';
import { Outgoing, encodeResponse, encodeResponseBytes, encodeResponseFrame, textFrame } from '../../server/bayeux/outgoing';
import { decodeTextFrame } from '../helpers/ws-frame';

const slide = new Outgoing({ channel: '/slideshow/change', data: { slide: 3, title: 'Café — 第三 🎉' } });
const count = new Outgoing({ channel: '/slideshow/audience', data: { count: 12 } });
const connect: Message = { channel: '/meta/connect', successful: true, id: 'c7' };
const subscribe: Message = { channel: '/meta/subscribe', successful: true, subscription: '/x', id: '8' };

const cases: Array<[Outgoing[], Message[]]> = [
  [[], []],
  [[slide], []],
  [[], [connect]],
  [[], [subscribe, connect]],
  [[slide], [connect]],
  [[slide, count], [connect]],
  [[slide, count, slide], [subscribe, connect]],
];

describe('encodeResponseBytes', () => {
  test('is the UTF-8 of encodeResponse for every mix of events and replies', () => {
    for (const [events, replies] of cases) {
      const bytes = encodeResponseBytes(events, replies);
      assert.equal(bytes.toString('utf8'), encodeResponse(events, replies), `${events.length} events, ${replies.length} replies`);
      assert.deepEqual(JSON.parse(bytes.toString('utf8')), [...events.map((e) => e.message), ...replies]);
    }
  });

  test("an event's bytes are encoded once and shared by every body and frame", () => {
    const event = new Outgoing({ channel: '/a', data: 'ü' });
    assert.equal(event.bytes, event.bytes);
    assert.equal(event.frame, event.frame);
    assert.deepEqual(event.frame, textFrame(Buffer.from(`[${event.json}]`)));
  });

  test('puts a prefix and a suffix around it (JSON-P)', () => {
    for (const [events, replies] of cases) {
      const bytes = encodeResponseBytes(events, replies, '/**/cb(', ');');
      assert.equal(bytes.toString('utf8'), `/**/cb(${encodeResponse(events, replies)});`);
    }
  });
});

describe('encodeResponseFrame', () => {
  test('is one text frame of encodeResponse for every mix of events and replies', () => {
    for (const [events, replies] of cases) {
      const frame = encodeResponseFrame(events, replies);
      assert.equal(decodeTextFrame(frame), encodeResponse(events, replies), `${events.length} events, ${replies.length} replies`);
      assert.deepEqual(frame, textFrame(encodeResponseBytes(events, replies)));
    }
  });

  test('has the right header for every payload size', () => {
    for (const size of [0, 100, 125, 126, 1_000, 65_535, 65_536, 70_000]) {
      const big = new Outgoing({ channel: '/a', data: 'x'.repeat(size) });
      for (const replies of [[], [connect]]) {
        const frame = encodeResponseFrame([big], replies);
        assert.equal(decodeTextFrame(frame), encodeResponse([big], replies), `data of ${size} bytes`);
      }
    }
  });

  test("copies the events' shared bytes: an event is serialised once however many frames carry it", () => {
    const event = new Outgoing({ channel: '/a', data: 'once' });
    const bytes = event.bytes;
    const stringify = JSON.stringify;
    let events = 0;
    JSON.stringify = ((value: unknown, ...rest: unknown[]) => {
      if ((value as Message | undefined)?.channel === '/a') events++;
      return (stringify as (...args: unknown[]) => string)(value, ...rest);
    }) as typeof JSON.stringify;
    try {
      for (let phone = 0; phone < 100; phone++) encodeResponseFrame([event], [{ ...connect, ext: { ack: phone } }]);
    } finally {
      JSON.stringify = stringify;
    }
    assert.equal(events, 0, 'no event serialised per frame');
    assert.equal(event.bytes, bytes, 'the same shared bytes');
  });
});
