/**
 * The Office conversion variables of server/config.ts (docs/configuration.md, "Office
 * presentations"): SOFFICE_PATH, OFFICE_TIMEOUT_S, OFFICE_CONCURRENCY, OFFICE_QUEUE.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../server/config';

describe('Office conversion configuration', () => {
  test('unset: nothing overridden (soffice on PATH, 120 s, one at a time, four waiting)', () => {
    assert.deepEqual(loadConfig({}).office, {});
  });

  test('set: taken as given, seconds made milliseconds', () => {
    const env = { SOFFICE_PATH: ' /opt/libreoffice/program/soffice ', OFFICE_TIMEOUT_S: '30', OFFICE_CONCURRENCY: '2', OFFICE_QUEUE: '0' };
    assert.deepEqual(loadConfig(env).office, { binary: '/opt/libreoffice/program/soffice', timeoutMs: 30_000, concurrency: 2, maxWaiting: 0 });
  });

  test('out of range: refused, naming the variable', () => {
    try {
      loadConfig({ OFFICE_TIMEOUT_S: '1', OFFICE_CONCURRENCY: '0', OFFICE_QUEUE: 'many' });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((problem) => problem.split(' ')[0]), ['OFFICE_TIMEOUT_S', 'OFFICE_CONCURRENCY', 'OFFICE_QUEUE']);
    }
  });
});
