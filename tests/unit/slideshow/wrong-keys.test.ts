/** The one wrong-key limiter (server/slideshow/wrong-keys.ts), with its sleep and clock injected. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_WRONG_KEY_OPTIONS, WrongKeyLimiter } from '../../../server/slideshow/wrong-keys';

/** A sleep that only ends when the test says so, recording what each wait asked for. */
function heldSleep() {
  const waits: Array<{ ms: number; release: () => void }> = [];
  return {
    waits,
    sleep: (ms: number) => new Promise<void>((release) => waits.push({ ms, release })),
    releaseAll: () => waits.splice(0).forEach((wait) => wait.release()),
  };
}

describe('wrong-key limiter', () => {
  test('300 wrong keys in a row from one address cost at least 30 s of waiting (the real delays)', async () => {
    const asked: number[] = [];
    let now = 0;
    const limiter = new WrongKeyLimiter({ sleep: async (ms) => void asked.push(ms), now: () => now });
    for (let guess = 0; guess < 300; guess += 1) {
      const verdict = await limiter.wrongKey('203.0.113.7');
      assert.equal(verdict.refused, false);
      now += asked.at(-1)!;
    }
    const total = asked.reduce((sum, ms) => sum + ms, 0);
    assert.ok(total >= 30_000, `waited ${total} ms`);
    assert.equal(asked[0], DEFAULT_WRONG_KEY_OPTIONS.delayMs);
    assert.equal(Math.max(...asked), DEFAULT_WRONG_KEY_OPTIONS.delayMs * 2 ** DEFAULT_WRONG_KEY_OPTIONS.maxDoublings);
  });

  test('guesses waiting at once are capped per address and in total; the rest are refused at once', async () => {
    const held = heldSleep();
    const limiter = new WrongKeyLimiter({ sleep: held.sleep, perAddress: 2, total: 3 });
    const first = [limiter.wrongKey('a'), limiter.wrongKey('a')];
    assert.deepEqual(await limiter.wrongKey('a'), { refused: true, retryAfterS: 1 });
    const other = limiter.wrongKey('b');
    assert.equal((await limiter.wrongKey('c')).refused, true, 'the total cap holds for a new address');
    held.releaseAll();
    for (const verdict of await Promise.all([...first, other])) assert.equal(verdict.refused, false);
    assert.equal((await Promise.race([limiter.wrongKey('a'), Promise.resolve('waiting')])), 'waiting', 'a freed slot takes a new guess');
    held.releaseAll();
  });

  test('failures are forgotten after the window, and the remembered addresses are bounded', async () => {
    let now = 0;
    const limiter = new WrongKeyLimiter({ sleep: async () => undefined, now: () => now, windowMs: 1_000, maxAddresses: 5 });
    for (let guess = 0; guess < 10; guess += 1) await limiter.wrongKey('a');
    assert.equal(limiter.delayFor('a'), 1_500);
    now += 1_001;
    assert.equal(limiter.delayFor('a'), 750);
    for (let guess = 0; guess < 10; guess += 1) await limiter.wrongKey('a');
    for (const address of ['b', 'c', 'd', 'e', 'f']) await limiter.wrongKey(address);
    assert.equal(limiter.delayFor('a'), 750, 'the oldest address was forgotten');
  });
});
