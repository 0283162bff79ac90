/**
 * The multi-node variables of server/config.ts: REDIS_URL (optional; without it nothing changes),
 * the PRESENTER_KEY it needs, NODE_ID and REDIS_PREFIX.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../server/config';
import { configProblems } from '../helpers/config';

const KEY = 'a-presenter-key-of-some-length';

const problems = configProblems;

describe('multi-node configuration', () => {
  test('without REDIS_URL there is no Redis: one node, in memory', () => {
    const config = loadConfig({});
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.nodeId, undefined);
  });

  test('REDIS_URL and NODE_ID are taken as given', () => {
    for (const url of ['redis://127.0.0.1:6379', 'rediss://user:secret@redis.example.org:6380/2', 'redis://redis']) {
      const config = loadConfig({ REDIS_URL: url, PRESENTER_KEY: KEY, NODE_ID: 'web-1.eu_west' });
      assert.equal(config.redisUrl, url);
      assert.equal(config.nodeId, 'web-1.eu_west');
    }
  });

  test('a REDIS_URL that is not a Redis URL is refused, without echoing it (it may hold a password)', () => {
    for (const url of ['http://127.0.0.1:6379', '127.0.0.1:6379', 'redis://', 'redis://host/not-a-db']) {
      const found = problems({ REDIS_URL: url, PRESENTER_KEY: KEY });
      assert.equal(found.length, 1, url);
      assert.match(found[0]!, /^REDIS_URL must be a Redis URL/);
    }
    assert.ok(!problems({ REDIS_URL: 'http://user:hunter2@x', PRESENTER_KEY: KEY }).join().includes('hunter2'));
  });

  test('REDIS_URL needs PRESENTER_KEY, since every node must accept the same sign-ins', () => {
    assert.match(problems({ REDIS_URL: 'redis://127.0.0.1:6379' }).join('\n'), /REDIS_URL needs PRESENTER_KEY/);
  });

  test('REDIS_PREFIX names this installation in Redis: cometdeck: unless set', () => {
    assert.equal(loadConfig({}).redisPrefix, 'cometdeck:');
    assert.equal(loadConfig({ REDIS_PREFIX: 'talks-2:' }).redisPrefix, 'talks-2:');
    assert.match(problems({ REDIS_PREFIX: 'has space' }).join(), /REDIS_PREFIX must be/);
  });

  test('NODE_ID is a short name', () => {
    for (const id of ['has space', 'pipe|d', 'x'.repeat(65)]) assert.match(problems({ NODE_ID: id }).join(), /NODE_ID must be/, id);
  });
});

describe('PAST_SLIDES_KEEP_MINUTES', () => {
  test('unset leaves the default to the live talk (15 minutes); minutes become milliseconds; 0 is allowed', () => {
    assert.equal(loadConfig({}).keepPastMs, undefined);
    assert.equal(loadConfig({ PAST_SLIDES_KEEP_MINUTES: '30' }).keepPastMs, 30 * 60_000);
    assert.equal(loadConfig({ PAST_SLIDES_KEEP_MINUTES: '0' }).keepPastMs, 0);
  });

  test('a value that is not a whole number of minutes up to a day is refused', () => {
    for (const raw of ['-1', '1441', '2.5', 'soon']) assert.match(problems({ PAST_SLIDES_KEEP_MINUTES: raw }).join(), /PAST_SLIDES_KEEP_MINUTES must be an integer from 0 to 1440/, raw);
  });
});

describe('BAYEUX_PUBLIC_CHANNELS', () => {
  test('is checked with every other variable: a bad entry is one problem of the ConfigError', () => {
    assert.throws(
      () => loadConfig({ BAYEUX_PUBLIC_CHANNELS: '/chat/**,/slideshow/change', PORT: 'x' }),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 2 && error.problems.some((p) => p.startsWith('BAYEUX_PUBLIC_CHANNELS: "/slideshow/change"')),
    );
  });

  test('a good list is kept for the slideshow', () => {
    assert.equal(loadConfig({ BAYEUX_PUBLIC_CHANNELS: '/chat/**' }).publicChannels, '/chat/**');
  });
});

describe('SEALED_BASE_URL', () => {
  test('unset: the sealed copies are this server\'s /sealed', () => {
    assert.equal(loadConfig({}).sealedBaseUrl, undefined);
  });

  test('an http(s) URL, with or without a path, is kept without its trailing slash', () => {
    assert.equal(loadConfig({ SEALED_BASE_URL: 'https://cdn.example.org/sealed/' }).sealedBaseUrl, 'https://cdn.example.org/sealed');
    assert.equal(loadConfig({ SEALED_BASE_URL: ' http://10.0.0.5:8080 ' }).sealedBaseUrl, 'http://10.0.0.5:8080');
  });

  test('anything else is refused with one clear problem', () => {
    for (const raw of ['cdn.example.org/sealed', 'ftp://cdn.example.org/sealed', 'https://cdn.example.org/sealed?v=1', 'https://cdn.example.org/#x']) {
      assert.deepEqual(problems({ SEALED_BASE_URL: raw }), [`SEALED_BASE_URL must be an http(s) URL such as https://cdn.example.org/sealed, got "${raw}"`], raw);
    }
  });
});
