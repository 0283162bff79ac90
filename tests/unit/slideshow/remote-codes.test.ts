import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_REMOTE_CODES, REMOTE_CODE_TTL_MS, RemoteCodes } from '../../../server/slideshow/remote-codes';

describe('remote codes', () => {
  test('a code works once', () => {
    const codes = new RemoteCodes();
    const { code } = codes.issue();
    assert.equal(codes.redeem(code), true);
    assert.equal(codes.redeem(code), false);
  });

  test('a code expires after its time-to-live', () => {
    const clock = { now: 1_000 };
    const codes = new RemoteCodes(() => clock.now);
    const { code, expiresAt } = codes.issue();
    assert.equal(expiresAt, 1_000 + REMOTE_CODE_TTL_MS);
    clock.now = expiresAt;
    assert.equal(codes.redeem(code), false);
  });

  test('only a few are outstanding: issuing more drops the oldest', () => {
    const codes = new RemoteCodes();
    const issued = Array.from({ length: MAX_REMOTE_CODES + 1 }, () => codes.issue().code);
    assert.equal(codes.outstanding, MAX_REMOTE_CODES);
    assert.equal(codes.redeem(issued[0]), false);
    assert.equal(codes.redeem(issued.at(-1)), true);
  });

  test('anything but a live code is refused', () => {
    const codes = new RemoteCodes();
    codes.issue();
    for (const bad of [undefined, 42, '', 'x'.repeat(10_000), 'not-a-code']) assert.equal(codes.redeem(bad), false);
  });
});
