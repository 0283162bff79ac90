/**
 * The PDF rendering variables of server/config.ts (docs/configuration.md, "Uploads"):
 * RENDER_MEMORY_MB and RENDER_PROCESSES.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../server/config';

describe('PDF rendering configuration', () => {
  test('unset: the defaults of server/slides/limits.ts (1,024 MB, one render child at a time)', () => {
    const limits = loadConfig({}).uploadLimits;
    assert.equal(limits.renderMemoryMb, undefined);
    assert.equal(limits.renderProcesses, undefined);
  });

  test('set: taken as given', () => {
    const limits = loadConfig({ RENDER_MEMORY_MB: ' 768 ', RENDER_PROCESSES: '2' }).uploadLimits;
    assert.deepEqual([limits.renderMemoryMb, limits.renderProcesses], [768, 2]);
  });

  test('too small, too large or not a number: refused, naming the variable', () => {
    for (const env of [{ RENDER_MEMORY_MB: '255', RENDER_PROCESSES: '0' }, { RENDER_MEMORY_MB: '1.5e9', RENDER_PROCESSES: 'two' }]) {
      assert.throws(() => loadConfig(env), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems.map((problem) => problem.split(' ')[0]), ['RENDER_MEMORY_MB', 'RENDER_PROCESSES']);
        return true;
      });
    }
  });
});
