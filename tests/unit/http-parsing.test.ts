import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { resolveOptions } from '../../server/bayeux/options';
import {
  browserIdOf, decodeUtf8, exceedsDepth, parseJsonMessages, parseMessageParams, parsePostBody, readBody, type BodyResult, type Parsed,
} from '../../server/bayeux/transports/http';

const options = resolveOptions({ maxMessagesPerRequest: 3, maxJsonDepth: 5 });
const hs = { channel: '/meta/handshake', version: '1.0' };
const pub = { channel: '/a', data: 1 };

function ok(parsed: Parsed): unknown[] {
  assert.equal(parsed.ok, true, parsed.ok ? '' : `refused: ${parsed.status} ${parsed.reason}`);
  return (parsed as { messages: unknown[] }).messages;
}

function refused(parsed: Parsed, status: number): void {
  assert.equal(parsed.ok, false, 'expected a refusal');
  assert.equal((parsed as { status: number }).status, status);
  assert.equal(typeof (parsed as { reason: string }).reason, 'string');
}

const nestedArrays = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const form = (...values: unknown[]) => values.map((v) => `message=${encodeURIComponent(JSON.stringify(v))}`).join('&');

describe('parsePostBody', () => {
  test('JSON arrays under every JSON-ish content type, and without one', () => {
    const body = JSON.stringify([hs]);
    for (const type of ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/json', 'text/plain', 'text/plain;charset=UTF-8', undefined]) {
      assert.deepEqual(ok(parsePostBody(body, type, options)), [hs], String(type));
    }
  });

  test('a single object is accepted as a one-message batch', () => {
    assert.deepEqual(ok(parsePostBody(JSON.stringify(pub), 'application/json', options)), [pub]);
    assert.deepEqual(ok(parsePostBody(JSON.stringify(pub), 'text/json', options)), [pub]);
  });

  test('form-encoded message= carries JSON, possibly repeated, objects and arrays mixed, in order', () => {
    const type = 'application/x-www-form-urlencoded';
    assert.deepEqual(ok(parsePostBody(form([hs]), type, options)), [hs]);
    assert.deepEqual(ok(parsePostBody(form(hs), type, options)), [hs]);
    assert.deepEqual(ok(parsePostBody(`${form(hs, [pub, { channel: '/b', data: 2 }])}&other=1`, `${type}; charset=UTF-8`, options)),
      [hs, pub, { channel: '/b', data: 2 }]);
  });

  test('a form body that is really JSON is parsed as JSON', () => {
    assert.deepEqual(ok(parsePostBody(`  ${JSON.stringify([pub])}`, 'application/x-www-form-urlencoded', options)), [pub]);
  });

  test('a form body without message= is a 400; a bad message= value is a 400', () => {
    refused(parsePostBody('foo=bar', 'application/x-www-form-urlencoded', options), 400);
    refused(parsePostBody('', 'application/x-www-form-urlencoded', options), 400);
    refused(parsePostBody(`${form(hs)}&message=%7Bnot-json`, 'application/x-www-form-urlencoded', options), 400);
    refused(parsePostBody('message=5', 'application/x-www-form-urlencoded', options), 400);
  });

  test('multipart bodies are 415', () => {
    refused(parsePostBody('--x\r\n\r\n--x--', 'multipart/form-data; boundary=x', options), 415);
  });

  test('bad JSON and JSON that is not a message array or object are 400', () => {
    for (const body of ['', ' ', '[', '{"channel":', "[{'channel':'/a'}]", '[1,]', 'null', '5', '"[]"', 'true', '[] []', '\u0000[]']) {
      refused(parsePostBody(body, 'application/json', options), 400);
    }
  });

  test('an array of non-objects parses (each element is answered by the protocol)', () => {
    assert.deepEqual(ok(parsePostBody('[1, "x", null]', 'application/json', options)), [1, 'x', null]);
    assert.deepEqual(ok(parsePostBody('[]', 'application/json', options)), []);
  });
});

describe('limits', () => {
  test('message count: up to maxMessagesPerRequest, one more is 413, also across repeated message= values', () => {
    assert.equal(ok(parseJsonMessages(JSON.stringify([pub, pub, pub]), options)).length, 3);
    refused(parseJsonMessages(JSON.stringify([pub, pub, pub, pub]), options), 413);
    refused(parseMessageParams([JSON.stringify([pub, pub]), JSON.stringify([pub, pub])], options), 413);
    refused(parseMessageParams([JSON.stringify(pub), JSON.stringify(pub), JSON.stringify(pub), JSON.stringify(pub)], options), 413);
    assert.equal(ok(parseMessageParams([JSON.stringify([pub, pub]), JSON.stringify(pub)], options)).length, 3);
    refused(parsePostBody(form([pub, pub], [pub, pub]), 'application/x-www-form-urlencoded', options), 413);
  });

  test('depth: maxJsonDepth levels of nesting pass, one more is 400', () => {
    ok(parseJsonMessages(nestedArrays(5), options));
    refused(parseJsonMessages(nestedArrays(6), options), 400);
    const deepData = (levels: number) => JSON.stringify([{ channel: '/a', data: JSON.parse(nestedArrays(levels)) }]);
    ok(parseJsonMessages(deepData(3), options)); // array > message > 3 levels = 5
    refused(parseJsonMessages(deepData(4), options), 400);
    refused(parseMessageParams([deepData(4)], options), 400);
    refused(parsePostBody(form(JSON.parse(deepData(4))), 'application/x-www-form-urlencoded', options), 400);
  });

  test('hostile nesting is refused without overflowing the stack', () => {
    for (const levels of [10_000, 200_000]) refused(parseJsonMessages(nestedArrays(levels), options), 400);
    const objects = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    refused(parseJsonMessages(objects, options), 400);
  });

  test('exceedsDepth counts containers only, and wide values are not deep', () => {
    assert.equal(exceedsDepth(5, 1), false);
    assert.equal(exceedsDepth('x', 1), false);
    assert.equal(exceedsDepth(null, 1), false);
    assert.equal(exceedsDepth({}, 1), false);
    assert.equal(exceedsDepth({ a: {} }, 1), true);
    assert.equal(exceedsDepth({ a: 1, b: 'x', c: null }, 1), false);
    assert.equal(exceedsDepth(Array.from({ length: 100_000 }, () => ({ a: 1 })), 2), false);
    assert.equal(exceedsDepth([1, [2, [3, [4]]]], 4), false);
    assert.equal(exceedsDepth([1, [2, [3, [4, []]]]], 4), true);
  });
});

describe('decodeUtf8', () => {
  test('valid UTF-8 decodes', () => {
    assert.equal(decodeUtf8(Buffer.from('[{"data":"héllo €𝄞"}]', 'utf8')), '[{"data":"héllo €𝄞"}]');
    assert.equal(decodeUtf8(new Uint8Array()), '');
  });

  test('invalid sequences are refused, not replaced', () => {
    const bad = [
      [0xff], [0xfe, 0xff], [0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80], [0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d],
    ];
    for (const bytes of bad) assert.equal(decodeUtf8(Uint8Array.from(bytes)), undefined, JSON.stringify(bytes));
  });
});

describe('readBody', () => {
  /** readBody calls back once; as a promise here, so each test reads as the steps it checks. */
  function bodyOf(req: IncomingMessage, limit: number): Promise<BodyResult> {
    return new Promise((resolve) => readBody(req, limit, resolve));
  }

  function request(chunks: Buffer[], headers: Record<string, string> = {}): IncomingMessage {
    return Object.assign(Readable.from(chunks), { headers }) as unknown as IncomingMessage;
  }

  test('reads a body up to the limit', async () => {
    const body = await bodyOf(request([Buffer.from('[1,'), Buffer.from('2]')]), 5);
    assert.ok(Buffer.isBuffer(body));
    assert.equal(body.toString(), '[1,2]');
  });

  test('one byte over the limit is too large', async () => {
    assert.equal(await bodyOf(request([Buffer.from('[1,'), Buffer.from('2,]')]), 5), 'too-large');
  });

  test('a declared Content-Length over the limit is refused before reading', async () => {
    const req = request([Buffer.from('x')], { 'content-length': '1000' });
    assert.equal(await bodyOf(req, 10), 'too-large');
    assert.equal(req.listenerCount('data'), 0, 'no body was buffered');
  });

  test('a failing stream is reported as aborted', async () => {
    const req = Object.assign(new Readable({ read() { this.destroy(new Error('reset')); } }), { headers: {} }) as unknown as IncomingMessage;
    assert.equal(await bodyOf(req, 100), 'aborted');
  });

  test('once settled, no listener is left on the request (a held long poll would keep the body through it)', async () => {
    const listeners = (req: IncomingMessage) => ['data', 'end', 'error', 'aborted'].map((event) => req.listenerCount(event));
    const read = request([Buffer.from('[1]')]);
    assert.ok(Buffer.isBuffer(await bodyOf(read, 5)));
    assert.deepEqual(listeners(read), [0, 0, 0, 0], 'after a body is read');
    const large = request([Buffer.from('[1,2,3]')]);
    assert.equal(await bodyOf(large, 5), 'too-large');
    assert.deepEqual(listeners(large), [0, 0, 0, 0], 'after a body too large');
    const failed = Object.assign(new Readable({ read() { this.destroy(new Error('reset')); } }), { headers: {} }) as unknown as IncomingMessage;
    assert.equal(await bodyOf(failed, 100), 'aborted');
    assert.deepEqual(listeners(failed), [0, 0, 0, 0], 'after a failure');
  });
});

describe('browserIdOf', () => {
  const req = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;

  test('reads a well-formed browser cookie among others', () => {
    assert.deepEqual(browserIdOf(req('a=1; BAYEUX_BROWSER=abcdef0123456789abcd; b=2'), 'BAYEUX_BROWSER'), { id: 'abcdef0123456789abcd', isNew: false });
  });

  test('a missing or malformed cookie yields a fresh id', () => {
    for (const cookie of [undefined, '', 'BAYEUX_BROWSER=short', 'BAYEUX_BROWSER=has spaces and more chars', 'BAYEUX_BROWSER=<script>alert(1)</script>xx', 'X_BAYEUX_BROWSER=abcdef0123456789abcd']) {
      const got = browserIdOf(req(cookie), 'BAYEUX_BROWSER');
      assert.equal(got.isNew, true, String(cookie));
      assert.match(got.id, /^[0-9a-f]{32}$/);
    }
  });
});
