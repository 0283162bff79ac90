/**
 * A deterministic generator of malformed Bayeux input for the bad-input integration test: a seeded
 * PRNG (mulberry32, never Math.random) builds messages with wrong types in every field, invalid
 * channels, huge strings, deep nesting, unknown meta channels, handshakes with company, and raw
 * texts that are not Bayeux at all. Every product carries what a correct server must answer, so
 * the test can check each answer, not just survive it.
 */

export interface Rng {
  next(): number;
  int(bound: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (bound) => Math.floor(next() * bound),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (probability) => next() < probability,
  };
}

/** Server limits the generator aims at (the test passes the server's options). */
export interface Limits {
  readonly maxBodyBytes: number;
  readonly maxMessageBytes: number;
  readonly maxJsonDepth: number;
  readonly maxMessagesPerRequest: number;
}

/** One message and whether a correct server may accept it (only some liberal handshakes). */
export interface JunkMessage {
  readonly message: unknown;
  readonly mayPass: boolean;
}

/** A JSON batch (array, or a lone object) whose every message gets exactly one reply, in order. */
export interface JunkBatch {
  readonly kind: 'batch';
  readonly value: unknown;
  readonly messages: readonly JunkMessage[];
}

/** A text that is not a Bayeux batch: the request is refused as a whole with `status` (HTTP). */
export interface JunkText {
  readonly kind: 'text';
  readonly text: string;
  readonly status: 400 | 413;
  readonly label: string;
}

// ---------------------------------------------------------------------------------------------
// Values

const CHARS = 'abcXYZ019-_!~()$@./*: ?#%&=+,;\'"\\<>{}[]|^`\t\n\u0000\u0001\u007f\u00e9\u20ac\ud83d\ude00\u2028\u0000';

export function junkString(rng: Rng, maxLength = 40): string {
  const length = rng.int(maxLength + 1);
  let out = '';
  for (let i = 0; i < length; i++) out += CHARS[rng.int(CHARS.length)];
  if (rng.chance(0.05)) out += '\ud800'; // lone surrogate: JSON.stringify escapes it
  return out;
}

/** Objects that are hostile to careless code: prototype-ish keys, a non-callable toString. */
const HOSTILE_OBJECTS: readonly unknown[] = [
  { toString: 1 }, { valueOf: {}, toString: {} }, { constructor: { prototype: { polluted: true } } },
  JSON.parse('{"__proto__": {"polluted": true}}'), { length: 5 }, { 0: 'a', length: 1 }, { then: 1 },
  { channel: '/meta/handshake' }, { hasOwnProperty: 1 },
];

export function junkValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 9 : 12)) {
    case 0: return rng.pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 1, 42]);
    case 1: return rng.chance(0.5);
    case 2: return null;
    case 3: return junkString(rng);
    case 4: return '';
    case 5: return rng.pick(HOSTILE_OBJECTS);
    case 6: return rng.pick(['/a', '/meta/connect', '/**', '/a/*', 'long-polling', '1.0', 'websocket']);
    case 7: return 'x'.repeat(rng.pick([129, 257, 1_000, 5_000]));
    case 8: return [];
    case 9: return Array.from({ length: rng.int(4) }, () => junkValue(rng, depth + 1));
    case 10: return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [junkString(rng, 8), junkValue(rng, depth + 1)]));
    default: return {};
  }
}

/** A value of exactly `levels` nested containers. */
export function nested(levels: number, rng: Rng): unknown {
  let value: unknown = rng.pick([1, 'leaf', null]);
  for (let i = 0; i < levels; i++) value = rng.chance(0.5) ? [value] : { k: value };
  return value;
}

/** Container nesting levels of a JSON value (a scalar is 0). Independent of the server's check. */
export function levels(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    max = Math.max(max, depth + 1);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}

function invalidChannel(rng: Rng): unknown {
  return rng.pick<unknown>([
    '', '/', 'chat', 'meta/connect', '//', '/a//b', '/a/', '/a b', '/a\u0000', '/é', '/a:b', '/a/*/b', '/a/***', '/**/a',
    '/' + 'c'.repeat(300), '/x/' + junkString(rng, 20) + ' ', 5, null, true, ['/a'], { channel: '/a' }, rng.pick(HOSTILE_OBJECTS),
  ]);
}

/** Like invalidChannel, but never an array (an array of names is a valid subscription form). */
function invalidSubscription(rng: Rng): unknown {
  for (;;) {
    const name = invalidChannel(rng);
    if (!Array.isArray(name)) return name;
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

const FIELDS = [
  'channel', 'id', 'clientId', 'data', 'ext', 'advice', 'subscription', 'supportedConnectionTypes',
  'connectionType', 'version', 'minimumVersion', 'successful', 'error', 'timestamp',
] as const;

function randomClientId(rng: Rng): string | undefined {
  return rng.pick([undefined, 'nosuchclient', junkString(rng, 20), 'a'.repeat(40), '0'.repeat(40)]);
}

function withMutations(rng: Rng, base: Record<string, unknown>, count: number): Record<string, unknown> {
  const message = { ...base };
  for (let i = 0; i < count; i++) {
    const field = rng.pick(FIELDS);
    if (rng.chance(0.15)) delete message[field];
    else message[field] = field === 'channel' && rng.chance(0.5) ? invalidChannel(rng) : junkValue(rng);
  }
  if (message.channel === '/meta/handshake') message.channel = '/meta/handshake/x';
  return message;
}

/** A handshake that must be refused, or (mayPass) one whose only oddity is a field servers may ignore. */
function junkHandshake(rng: Rng): JunkMessage {
  const base: Record<string, unknown> = { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling', 'websocket', 'callback-polling'] };
  const refuse: Array<() => void> = [
    () => (base.version = rng.pick([1, 1.0, true, null, ['1.0'], { v: 1 }])),
    () => (base.supportedConnectionTypes = rng.pick<unknown>(['long-polling', 5, null, {}, [1], ['long-polling', null], [['long-polling']], Array(40).fill('long-polling')])),
    () => (base.supportedConnectionTypes = rng.pick([[], ['iframe'], ['flash', 'long-polling-x'], [junkString(rng)]])),
    () => (base.id = rng.pick([5, null, true, ['1'], {}, 'i'.repeat(129)])),
    () => (base.ext = rng.pick([5, 'token', null, true, ['a'], 0])),
    () => (base.clientId = rng.pick([5, null, {}, ['x'], 'c'.repeat(200)])),
    () => (base.error = junkValue(rng)),
    () => (base.minimumVersion = rng.pick(['2.0', '10', '99.1', '3'])),
    () => (base.channel = rng.pick(['/meta/handshake/x', '/meta/handshakes', '/meta/Handshake', '/meta/handshake ', '/meta/handshake/'])),
  ];
  const liberal: Array<() => void> = [
    () => (base.minimumVersion = rng.pick<unknown>([1, null, 'abc', {}, ['1.0']])),
    () => (base.advice = junkValue(rng)),
    () => (base.data = junkValue(rng)),
    () => (base.connectionType = junkValue(rng)),
    () => (base.successful = junkValue(rng)),
    () => (base.timestamp = junkValue(rng)),
    () => (base[junkString(rng, 12) || 'k'] = junkValue(rng)),
    () => delete base.supportedConnectionTypes,
    () => delete base.version,
  ];
  // Liberal oddities first, so a refusal is never undone by one (e.g. a deleted field).
  const refused = rng.chance(0.75);
  if (!refused || rng.chance(0.3)) rng.pick(liberal)();
  if (refused) rng.pick(refuse)();
  return { message: base, mayPass: !refused };
}

/** A message from a live session that a correct server must still refuse. */
function junkFromSession(rng: Rng, clientId: string, limits: Limits): JunkMessage {
  const pick = rng.int(17);
  const m = (fields: Record<string, unknown>): JunkMessage => ({ message: { clientId, ...fields }, mayPass: false });
  switch (pick) {
    case 0: return m({ channel: rng.pick(['/x/*', '/x/**', '/*', '/**']), data: junkValue(rng) });
    case 1: return m({ channel: '/victim/publish', id: junkString(rng, 10) || 'n' });
    case 2: return m({ channel: invalidChannel(rng), data: junkValue(rng) });
    case 3: return m({ channel: '/victim/large', data: 'L'.repeat(limits.maxMessageBytes + rng.int(limits.maxMessageBytes)) });
    case 4: return m({ channel: '/victim/publish', data: 1, ext: rng.pick([5, 'x', null, [1], true]) });
    case 5: return m({ channel: '/victim/publish', data: 1, id: rng.pick([1, null, {}, ['a'], 'i'.repeat(129)]) });
    case 6: return m({ channel: '/victim/publish', data: 1, error: junkValue(rng) });
    case 7: return m({ channel: '/meta/subscribe', subscription: rng.pick(['/meta/**', '/meta/*', '/meta/connect', '/meta', ['/ok', '/meta/**']]) });
    case 8: return m({ channel: '/meta/subscribe', subscription: rng.chance(0.5) ? invalidSubscription(rng) : ['/ok', invalidChannel(rng)] });
    case 9: return m({ channel: rng.pick(['/meta/subscribe', '/meta/unsubscribe']), subscription: rng.pick([undefined, []]) });
    case 10: return m({ channel: '/meta/subscribe', subscription: Array.from({ length: 101 + rng.int(50) }, (_, i) => `/many/${i}`) });
    case 11: return m({ channel: '/meta/unsubscribe', subscription: invalidSubscription(rng) });
    case 12: return m({ channel: '/meta/connect', connectionType: rng.pick<unknown>([undefined, 'iframe', 5, null, {}, ['long-polling'], { toString: 1 }, junkString(rng)]) });
    case 13: return m({ channel: rng.pick(['/meta/foo', '/meta/subscribe/x', '/meta', '/meta/connect/', '/meta/publish', '/meta/disconnect/x']), subscription: '/victim/x', data: 1 });
    case 14: return m({ channel: '/service/victim', id: 'svc' });
    case 15: return m({ channel: '/victim/publish', data: nested(limits.maxJsonDepth - 3, rng), ext: 'not-an-object' });
    default: return m({ channel: '/victim/publish', data: 1, clientId: rng.pick([5, null, {}, 'z'.repeat(129)]) });
  }
}

/** Any non-handshake message from no session: always refused. */
function junkOther(rng: Rng): JunkMessage {
  const clientId = randomClientId(rng);
  const base: Record<string, unknown> = rng.pick<Record<string, unknown>>([
    { channel: '/meta/connect', connectionType: rng.pick(['long-polling', 'websocket', 'callback-polling', 'iframe']) },
    { channel: '/meta/subscribe', subscription: rng.pick(['/a', '/**', ['/a', '/b'], '/meta/**']) },
    { channel: '/meta/unsubscribe', subscription: '/a' },
    { channel: '/meta/disconnect' },
    { channel: '/chat/' + rng.int(5), data: junkValue(rng) },
    { channel: '/service/echo', data: junkValue(rng) },
    { channel: rng.pick(['/meta/foo', '/meta/subscribe/x', '/meta']), subscription: '/a' },
  ]);
  if (clientId !== undefined) base.clientId = clientId;
  if (rng.chance(0.6)) base.id = rng.chance(0.8) ? String(rng.int(1e6)) : junkValue(rng);
  if (rng.chance(0.2)) base.data = 'h'.repeat(rng.pick([1_000, 10_000, 30_000]));
  return { message: withMutations(rng, base, rng.int(4)), mayPass: false };
}

/** `handshakes: false` leaves handshakes out (one in a batch makes every other message a 400). */
export function junkMessage(rng: Rng, victims: readonly string[], limits: Limits, handshakes = true): JunkMessage {
  const r = rng.int(100);
  if (r < 6) return { message: rng.pick<unknown>([5, 'x', null, true, [], [{ channel: '/a' }], -0]), mayPass: false };
  if (r < 26 && handshakes) return junkHandshake(rng);
  if (r < 50 && victims.length > 0) return junkFromSession(rng, rng.pick(victims), limits);
  return junkOther(rng);
}

/** A batch of 0..5 messages (sometimes a lone object), now and then with a valid handshake in company. */
export function junkBatch(rng: Rng, victims: readonly string[], limits: Limits): JunkBatch {
  const r = rng.int(100);
  if (r < 4) return { kind: 'batch', value: [], messages: [] };
  if (r < 14) {
    const only = junkMessage(rng, victims, limits);
    if (typeof only.message === 'object' && only.message !== null && !Array.isArray(only.message)) {
      return { kind: 'batch', value: only.message, messages: [only] };
    }
  }
  const handshakes = rng.chance(0.1);
  const messages = Array.from({ length: 1 + rng.int(5) }, () => junkMessage(rng, victims, limits, handshakes));
  if (r > 88) {
    // A valid handshake in company: the handshake may succeed, the others must be refused.
    const at = rng.int(messages.length + 1);
    messages.splice(at, 0, { message: { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }, mayPass: true });
    if (rng.chance(0.5)) messages.push({ message: { channel: '/chat/sneaky', clientId: rng.pick(victims.length > 0 ? victims : ['x']), data: 'sneaky' }, mayPass: false });
  }
  return { kind: 'batch', value: messages.map((m) => m.message), messages };
}

/** Texts that are not a Bayeux batch. */
export function junkText(rng: Rng, limits: Limits): JunkText {
  const small = JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
  switch (rng.int(9)) {
    case 0: {
      const cut = 1 + rng.int(small.length - 1);
      return { kind: 'text', text: small.slice(0, cut), status: 400, label: 'truncated JSON' };
    }
    case 1:
      return {
        kind: 'text', status: 400, label: 'not JSON',
        text: rng.pick([
          '', ' ', '[{"channel":"/a",}]', '[1,]', "[{'channel':'/a'}]", 'NaN', '[Infinity]', '[undefined]', '[0x10]',
          '["\u0001"]', '[01]', '[1e]', '["\\u12"]', '[] []', '{"a":1}{"b":2}', '<xml/>', 'message=[]', '\u0000',
          '[{"channel":"/a"', ']', '}', '{"channel":"/a",,"id":"1"}', '["\\x41"]', '[.5]', '[+1]', '[--1]',
        ]),
      };
    case 2:
      return { kind: 'text', status: 400, label: 'JSON but not a batch', text: rng.pick(['5', '"[]"', 'null', 'true', 'false', '-0', '1e999', '"x"', '0']) };
    case 3: {
      const depth = limits.maxJsonDepth + 1 + rng.int(rng.chance(0.1) ? 100_000 : 200);
      const text = rng.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      return { kind: 'text', status: 400, label: `nested ${depth} deep`, text };
    }
    case 4: {
      const inner = nested(limits.maxJsonDepth, rng); // array + message + this > the limit
      return { kind: 'text', status: 400, label: 'deep data', text: JSON.stringify([{ channel: '/a', data: inner }]) };
    }
    case 5: {
      const count = limits.maxMessagesPerRequest + 1 + rng.int(200);
      const one = rng.pick(['{"channel":"/a","data":1}', '5', '{}', 'null']);
      return { kind: 'text', status: 413, label: `${count} messages`, text: `[${Array(count).fill(one).join(',')}]` };
    }
    case 6:
      return { kind: 'text', status: 400, label: 'garbage', text: junkString(rng, 200).replace(/^[[{]/, '<') + '\u0000' };
    case 7:
      return { kind: 'text', status: 400, label: 'BOM in the middle', text: `[\ufeff${small.slice(1)}`.replace('[', '[,') };
    default:
      return { kind: 'text', status: 400, label: 'unterminated string', text: `[{"channel":"/a","data":"${'s'.repeat(rng.int(5_000))}` };
  }
}

/** Bytes of `text` with invalid UTF-8 sequences spliced in. */
export function withInvalidUtf8(rng: Rng, text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const bad = rng.pick([[0xff], [0xfe], [0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3, 0x28], [0xe2, 0x82]]);
  const at = rng.int(bytes.length + 1);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]);
}
