/**
 * The shared encodings of an event: long-poll bodies built from the events' shared bytes must be
 * byte for byte the JSON the string encoding gives, for every mix of events and replies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../lib/bayeux/index';
import { Outgoing, encodeResponse, encodeResponseBytes, textFrame } from '../../server/bayeux/outgoing';

const slide = new Outgoing({ channel: '/slideshow/change', data: { slide: 3, title: 'Café — 第三 🎉' } });
const count = new Outgoing({ channel: '/slideshow/audience', data: { count: 12 } });
const connect: Message = { channel: '/meta/connect', successful: true, id: 'c7' };
const subscribe: Message = { channel: '/meta/subscribe', successful: true, subscription: '/x', id: '8' };

describe('encodeResponseBytes', () => {
  test('is the UTF-8 of encodeResponse for every mix of events and replies', () => {
    const cases: Array<[Outgoing[], Message[]]> = [
      [[], []],
      [[slide], []],
      [[], [connect]],
      [[], [subscribe, connect]],
      [[slide], [connect]],
      [[slide, count], [connect]],
      [[slide, count, slide], [subscribe, connect]],
    ];
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
});
