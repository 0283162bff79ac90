/** Decode one unmasked WebSocket text frame (what a PushSink is given) back to its text, checking the header. */
import assert from 'node:assert/strict';

export function decodeTextFrame(frame: Buffer): string {
  assert.equal(frame[0], 0x81, 'a final text frame');
  const short = frame[1]! & 0x7f;
  assert.equal(frame[1]! & 0x80, 0, 'server frames are unmasked');
  const [length, offset] = short < 126 ? [short, 2] : short === 126 ? [frame.readUInt16BE(2), 4] : [Number(frame.readBigUInt64BE(2)), 10];
  assert.equal(frame.length, offset + length, 'the header states the payload length');
  return frame.subarray(offset).toString('utf8');
}
