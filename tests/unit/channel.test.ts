import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_CHANNEL_LENGTH, isBroadcast, isMeta, isService, isValidChannel, isValidSubscription, isWildcard,
  matchingSubscriptions, subscriptionMatches,
} from '../../lib/bayeux/channel';

describe('channel grammar', () => {
  test('valid channel names: "/" segment *("/" segment), segments of alphanumerics and marks', () => {
    for (const name of ['/a', '/a/b', '/chat/room-1', '/slideshow/change', '/a_b/C9', '/x/-_!~()$@', '/meta/connect', '/service/echo', '/a.b']) {
      assert.equal(isValidChannel(name), true, name);
    }
  });

  test('invalid channel names', () => {
    const invalid: unknown[] = [
      '', '/', 'a', 'a/b', '/a/', '//', '//a', '/a//b', '/a b', '/a\tb', '/a/*', '/a/**', '/*', '/**',
      '/a:b', '/a?b', '/a#b', '/é', '/a\u0000', '/a%20', '/a+b', '/a,b', '/a;b', '/a\\b', '/a"b', "/a'b",
      '/' + 'x'.repeat(MAX_CHANNEL_LENGTH), 5, null, undefined, ['/a'], { channel: '/a' },
    ];
    for (const name of invalid) assert.equal(isValidChannel(name), false, JSON.stringify(name));
  });

  test('the length limit is inclusive', () => {
    assert.equal(isValidChannel('/' + 'x'.repeat(MAX_CHANNEL_LENGTH - 1)), true);
    assert.equal(isValidChannel('/' + 'x'.repeat(MAX_CHANNEL_LENGTH)), false);
  });

  test('subscriptions: a channel, or one trailing * or ** segment', () => {
    for (const name of ['/a', '/a/*', '/a/**', '/*', '/**', '/a/b/*', '/a/b/**']) {
      assert.equal(isValidSubscription(name), true, name);
    }
    for (const name of ['/a/*/b', '/a/**/b', '/*/a', '/**/a', '/a*', '/a/b*', '/a/***', '/a/*/*', '/***', '*', '**', '/', '', '/a/', 7, null]) {
      assert.equal(isValidSubscription(name), false, JSON.stringify(name));
    }
  });

  test('isWildcard, isMeta, isService, isBroadcast', () => {
    assert.equal(isWildcard('/a/*'), true);
    assert.equal(isWildcard('/a/**'), true);
    assert.equal(isWildcard('/a'), false);
    assert.equal(isMeta('/meta'), true);
    assert.equal(isMeta('/meta/connect'), true);
    assert.equal(isMeta('/meta/foo/bar'), true);
    assert.equal(isMeta('/metadata'), false);
    assert.equal(isMeta('/a/meta'), false);
    assert.equal(isService('/service'), true);
    assert.equal(isService('/service/echo'), true);
    assert.equal(isService('/services'), false);
    assert.equal(isBroadcast('/chat'), true);
    assert.equal(isBroadcast('/meta/x'), false);
    assert.equal(isBroadcast('/service/x'), false);
  });
});

describe('matchingSubscriptions', () => {
  test('/a/b/c is reached through /a/b/c, /a/b/*, /a/b/**, /a/** and /**', () => {
    const got = matchingSubscriptions('/a/b/c');
    assert.deepEqual([...got].sort(), ['/**', '/a/**', '/a/b/*', '/a/b/**', '/a/b/c'].sort());
    assert.equal(new Set(got).size, got.length, 'no duplicates');
  });

  test('a one-segment channel is reached through itself, /* and /**', () => {
    assert.deepEqual([...matchingSubscriptions('/a')].sort(), ['/*', '/**', '/a'].sort());
  });

  test('two segments', () => {
    assert.deepEqual([...matchingSubscriptions('/a/b')].sort(), ['/**', '/a/*', '/a/**', '/a/b'].sort());
  });

  test('every listed pattern is a valid subscription', () => {
    for (const channel of ['/a', '/a/b', '/x/y/z/w']) {
      for (const pattern of matchingSubscriptions(channel)) assert.equal(isValidSubscription(pattern), true, pattern);
    }
  });
});

describe('subscriptionMatches (BAYEUX.md §2)', () => {
  const table: Array<[pattern: string, channel: string, matches: boolean]> = [
    ['/foo/*', '/foo/bar', true],
    ['/foo/*', '/foo', false],
    ['/foo/*', '/foo/bar/boo', false],
    ['/foo/**', '/foo/bar', true],
    ['/foo/**', '/foo/bar/boo', true],
    ['/foo/**', '/foo', false],
    ['/foo/**', '/foobar/x', false],
    ['/foo/*', '/foobar', false],
    ['/foo', '/foo', true],
    ['/foo', '/foo/bar', false],
    ['/foo', '/foobar', false],
    ['/foo/bar', '/foo', false],
    ['/*', '/foo', true],
    ['/*', '/foo/bar', false],
    ['/**', '/foo', true],
    ['/**', '/foo/bar/baz', true],
    ['/a/b/*', '/a/b/c', true],
    ['/a/b/**', '/a/b/c/d/e', true],
    ['/a/b/**', '/a/c/d', false],
    ['/a/*', '/b/a', false],
  ];
  for (const [pattern, channel, matches] of table) {
    test(`${pattern} ${matches ? 'matches' : 'does not match'} ${channel}`, () => {
      assert.equal(subscriptionMatches(pattern, channel), matches);
    });
  }
});
