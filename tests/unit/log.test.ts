/**
 * The server's one logger (server/log.ts) and LOG_LEVEL: levels below the configured one are
 * dropped, every entry is one line `<node> <level> [<component>] <message>`, control characters
 * cannot make a second line, and an error's stack follows its entry only when it is unexpected
 * (level error) or at debug.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logger, type LogLevel, type LogSettings } from '../../server/log';
import { ConfigError, loadConfig } from '../../server/config';

/** Settings that keep every written entry, with its level; `node` null for none. */
function capture(level: LogLevel, node: string | null = 'web-1'): LogSettings & { entries: Array<[LogLevel, string]> } {
  const entries: Array<[LogLevel, string]> = [];
  return { level, node: node ?? undefined, entries, write: (at, entry) => void entries.push([at, entry]) };
}

describe('logger', () => {
  test('writes its level and above, each to its own level', () => {
    const settings = capture('warn');
    const log = logger('slides', settings);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(settings.entries, [['warn', 'web-1 warn [slides] w'], ['error', 'web-1 error [slides] e']]);
    const everything = capture('debug');
    for (const level of ['debug', 'info', 'warn', 'error'] as const) logger('next', everything)[level]('x');
    assert.deepEqual(everything.entries.map(([level]) => level), ['debug', 'info', 'warn', 'error']);
  });

  test('prefixes the node name when there is one, and the component', () => {
    const named = capture('info', 'web-2.eu');
    logger('bayeux', named).info('websocket frame from 10.0.0.1 rejected: WS_ERR_INVALID_UTF8 Invalid UTF-8 sequence');
    assert.deepEqual(named.entries, [['info', 'web-2.eu info [bayeux] websocket frame from 10.0.0.1 rejected: WS_ERR_INVALID_UTF8 Invalid UTF-8 sequence']]);
    const unnamed = capture('info', null);
    logger('slideshow', unnamed).warn('live.json is damaged');
    assert.deepEqual(unnamed.entries, [['warn', 'warn [slideshow] live.json is damaged']]);
  });

  test('one line per entry: line breaks and control characters in a message or an error are escaped', () => {
    const settings = capture('info');
    const log = logger('slides', settings);
    log.warn('ignoring folder "a\nweb-1 error [slideshow] forged": not a deck id\r\u0000\u2028');
    log.warn('could not read', new Error('first\nsecond'));
    assert.deepEqual(settings.entries.map(([, entry]) => entry), [
      'web-1 warn [slides] ignoring folder "a\\nweb-1 error [slideshow] forged": not a deck id\\r\\u0000\\u2028',
      'web-1 warn [slides] could not read: Error: first\\nsecond',
    ]);
  });

  test('an expected error is its message on the entry line; an unexpected one (level error) has its stack', () => {
    const settings = capture('info');
    const log = logger('redis', settings);
    const error = new TypeError('boom');
    log.warn('lost Redis', error);
    log.info('still trying', 'a string, not an Error');
    log.error('unexpected error', error);
    const [warned, informed, failed] = settings.entries.map(([, entry]) => entry);
    assert.equal(warned, 'web-1 warn [redis] lost Redis: TypeError: boom');
    assert.equal(informed, 'web-1 info [redis] still trying: a string, not an Error');
    const [first, ...frames] = failed!.split('\n');
    assert.equal(first, 'web-1 error [redis] unexpected error: TypeError: boom');
    assert.ok(frames.length > 0, 'the stack follows');
    assert.ok(frames.every((frame) => /^ {4}at /.test(frame)), frames.join('\n'));
    assert.ok(frames[0]!.includes('log.test.ts'), `the stack is the error's: ${frames[0]}`);
  });

  test('at debug every error carries its stack', () => {
    const settings = capture('debug');
    logger('slideshow', settings).warn('could not resynchronise', new Error('timeout'));
    const [first, ...frames] = settings.entries[0]![1].split('\n');
    assert.equal(first, 'web-1 warn [slideshow] could not resynchronise: Error: timeout');
    assert.ok(frames.length > 0 && frames.every((frame) => /^ {4}at /.test(frame)));
  });

  test('follows settings changed after it was taken (the composition root configures once, modules log at import)', () => {
    const settings = capture('error', null);
    const log = logger('slides', settings);
    log.warn('dropped');
    Object.assign(settings, { level: 'warn', node: 'web-3' });
    log.warn('kept');
    assert.deepEqual(settings.entries, [['warn', 'web-3 warn [slides] kept']]);
  });
});

describe('LOG_LEVEL', () => {
  test('info unless set; debug, info, warn or error in any case', () => {
    assert.equal(loadConfig({}).logLevel, 'info');
    assert.equal(loadConfig({ LOG_LEVEL: '  ' }).logLevel, 'info');
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      assert.equal(loadConfig({ LOG_LEVEL: level }).logLevel, level);
      assert.equal(loadConfig({ LOG_LEVEL: ` ${level.toUpperCase()} ` }).logLevel, level);
    }
  });

  test('anything else is a problem of the ConfigError, reported with the others', () => {
    for (const raw of ['verbose', 'warning', '2', 'trace']) {
      assert.throws(() => loadConfig({ LOG_LEVEL: raw, PORT: 'x' }), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 2, error.problems.join('; '));
        assert.ok(error.problems.includes(`LOG_LEVEL must be one of debug, info, warn, error, got "${raw}"`), error.problems.join('; '));
        return true;
      });
    }
  });
});
