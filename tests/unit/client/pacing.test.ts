import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { elapsedMs, formatRemaining, pacingTone } from '../../../components/presenter/pacing';

const MIN = 60_000;

describe('presenter clock', () => {
  test('elapsed = (pausedAt ?? now) - startedAt - pausedMs', () => {
    assert.equal(elapsedMs({ startedAt: 1_000 }, 61_000), MIN);
    assert.equal(elapsedMs({ startedAt: 1_000, pausedMs: 30_000 }, 61_000), 30_000);
    assert.equal(elapsedMs({ startedAt: 1_000, pausedAt: 31_000, pausedMs: 0 }, 999_999), 30_000);
    assert.equal(elapsedMs({}, 5), undefined);
  });

  test('amber within the shorter of 5 minutes and 10 % of the target; red once over', () => {
    assert.equal(pacingTone(2 * MIN + 1, 20 * MIN), 'normal'); // 10 % = 2 min < 5 min
    assert.equal(pacingTone(2 * MIN, 20 * MIN), 'warning');
    assert.equal(pacingTone(5 * MIN + 1, 90 * MIN), 'normal'); // 10 % = 9 min > 5 min
    assert.equal(pacingTone(5 * MIN, 90 * MIN), 'warning');
    assert.equal(pacingTone(0, 20 * MIN), 'warning');
    assert.equal(pacingTone(-1, 20 * MIN), 'over');
  });

  test('time left reads -m:ss once over, and never "-0:00"', () => {
    assert.equal(formatRemaining(61_000), '1:01');
    assert.equal(formatRemaining(-61_000), '-1:01');
    assert.equal(formatRemaining(-1), '-0:01');
    assert.equal(formatRemaining(0), '0:00');
  });
});
