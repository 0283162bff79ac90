/**
 * Presenter sign-in against a real server (docs/security.md, "Presenter sign-in and stored data"):
 * where a sign-in may send the browser, the throttle that slows wrong keys but never refuses the
 * right one, and sign-out that revokes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import { TEST_MS, getJson, signIn, within } from '../helpers/slideshow-clients';
import { RedisLink } from '../../server/bayeux/index';
import { startRedis } from '../../support/redis-server';

/** The reported open-redirect payloads, as they travel in the address. */
const REDIRECT_PAYLOADS = ['/%09/evil.example/x', '/%0A/evil.example/x', '/%0D/evil.example/x', '//evil.example/x', '/%5Cevil.example/x', 'https://evil.example/', '%09//evil.example'];

describe('sign-in: where it may send the browser', () => {
  let server: SlideshowTestServer;
  before(async () => {
    server = await startSlideshowServer();
  });
  after(() => server?.close());

  test('the sign-in link follows `next` only to our own pages', { timeout: TEST_MS }, async () => {
    const link = (next: string) => `${server.url}/sign-in?key=${encodeURIComponent(server.key)}&next=${next}`;
    for (const payload of REDIRECT_PAYLOADS) {
      const response = await within(fetch(link(payload), { redirect: 'manual' }), payload);
      assert.equal(response.status, 303, payload);
      const location = response.headers.get('location')!;
      assert.equal(location, '/presenter', payload);
      assert.equal(new URL(location, server.url).origin, server.url, payload);
    }
    const decks = await fetch(link(encodeURIComponent('/decks')), { redirect: 'manual' });
    assert.equal(decks.headers.get('location'), '/decks');
  });
});

/** An injected wrong-key sleep that holds every wait until released, recording what it was asked. */
function heldSleep() {
  const waits: Array<{ ms: number; release: () => void }> = [];
  return {
    waits,
    asked: [] as number[],
    sleep(ms: number) {
      this.asked.push(ms);
      return new Promise<void>((release) => waits.push({ ms, release }));
    },
    releaseAll: () => waits.splice(0).forEach((wait) => wait.release()),
  };
}

/** Until `count` wrong keys are waiting in the limiter (event-driven: polled on the microtask/IO queue, bounded). */
async function waiting(held: ReturnType<typeof heldSleep>, count: number): Promise<void> {
  await within((async () => {
    while (held.waits.length < count) await new Promise((resolve) => setImmediate(resolve));
  })(), `${count} wrong keys waiting`);
}

/** Requests, and how many of them have been answered so far. */
function tracked(requests: Array<Promise<Response>>) {
  const state = { answered: 0, all: Promise.all(requests) };
  for (const request of requests) void request.then(() => (state.answered += 1), () => undefined);
  return state;
}

async function answered(state: { answered: number }, count: number): Promise<void> {
  await within((async () => {
    while (state.answered < count) await new Promise((resolve) => setImmediate(resolve));
  })(), `${count} answers`);
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});
const ATTACKER = '203.0.113.7';
const PRESENTER = '198.51.100.2';

describe('sign-in throttle behind the reverse proxy', () => {
  let server: SlideshowTestServer;
  let held: ReturnType<typeof heldSleep>;
  before(async () => {
    held = heldSleep();
    server = await startSlideshowServer({ trustedProxies: ['127.0.0.1'], wrongKeys: { sleep: (ms) => held.sleep(ms) } });
  });
  after(() => {
    held.releaseAll();
    return server?.close();
  });

  test('10 wrong sign-ins from behind the proxy leave the presenter able to sign in at once, from any address', { timeout: TEST_MS }, async () => {
    for (let guess = 0; guess < 10; guess += 1) {
      const answer = fetch(`${server.url}/api/session`, json({ key: `wrong-${guess}` }, { 'x-forwarded-for': ATTACKER }));
      await waiting(held, 1);
      held.releaseAll();
      assert.equal((await answer).status, 401);
    }
    const asked = held.asked.length;
    for (const address of [PRESENTER, ATTACKER]) {
      const right = await fetch(`${server.url}/api/session`, json({ key: server.key }, { 'x-forwarded-for': address }));
      assert.equal(right.status, 204, address);
      assert.equal(right.headers.getSetCookie().length, 1);
    }
    assert.equal(held.asked.length, asked, 'the right key never waited');
    // The attacker's failures slowed the attacker, not the presenter's own typo.
    const typo = fetch(`${server.url}/api/session`, json({ key: 'typo' }, { 'x-forwarded-for': PRESENTER }));
    await waiting(held, 1);
    assert.equal(held.waits[0]!.ms, 750);
    held.releaseAll();
    assert.equal((await typo).status, 401);
  });

  test('the right key goes through while the attacker\'s guesses wait, and beyond the cap they are refused (429, Retry-After)', { timeout: TEST_MS }, async () => {
    const guesses = tracked(Array.from({ length: 10 }, (_, n) => fetch(`${server.url}/api/session`, json({ key: `wrong-${n}` }, { 'x-forwarded-for': ATTACKER }))));
    await waiting(held, 2);
    await answered(guesses, 8);
    const right = await fetch(`${server.url}/api/session`, json({ key: server.key }, { 'x-forwarded-for': ATTACKER }));
    assert.equal(right.status, 204);
    assert.equal(held.waits.length, 2, 'two guesses still waiting');
    held.releaseAll();
    const responses = await guesses.all;
    const statuses = responses.map((response) => response.status);
    assert.deepEqual(statuses.filter((s) => s === 401).length, 2, statuses.join());
    assert.deepEqual(statuses.filter((s) => s === 429).length, 8, statuses.join());
    for (const refused of responses.filter((r) => r.status === 429)) {
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.equal((await refused.json()).code, 'too_many_wrong_keys');
    }
  });

  test('an X-Forwarded-For the proxy did not write is not believed', { timeout: TEST_MS }, async () => {
    const direct = await startSlideshowServer({ wrongKeys: { sleep: (ms) => held.sleep(ms) } });
    try {
      // Three "addresses" forged by one client that is not a proxy: one address, capped at two.
      const answers = tracked(['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((forged) => fetch(`${direct.url}/api/session`, json({ key: 'x' }, { 'x-forwarded-for': forged }))));
      await waiting(held, 2);
      await answered(answers, 1);
      held.releaseAll();
      assert.deepEqual((await answers.all).map((r) => r.status).sort(), [401, 401, 429]);
    } finally {
      held.releaseAll();
      await direct.close();
    }
  });

  test('a foreign page\'s <img src="/sign-in?key=…"> neither counts nor signs in', { timeout: TEST_MS }, async () => {
    const foreign = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image', 'x-forwarded-for': PRESENTER };
    const asked = held.asked.length;
    for (let img = 0; img < 12; img += 1) {
      const response = await fetch(`${server.url}/sign-in?key=x${img}`, { headers: foreign, redirect: 'manual' });
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), '/sign-in?error=cross-site');
    }
    const withKey = await fetch(`${server.url}/sign-in?key=${encodeURIComponent(server.key)}`, { headers: foreign, redirect: 'manual' });
    assert.deepEqual(withKey.headers.getSetCookie(), [], 'a cross-site attempt never signs in');
    const oldBrowser = await fetch(`${server.url}/sign-in?key=x`, { headers: { referer: 'https://evil.example/page', 'x-forwarded-for': PRESENTER }, redirect: 'manual' });
    assert.equal(oldBrowser.headers.get('location'), '/sign-in?error=cross-site');
    const post = await fetch(`${server.url}/api/session`, json({ key: server.key }, { origin: 'https://evil.example', 'x-forwarded-for': PRESENTER }));
    assert.equal(post.status, 403);
    assert.deepEqual(post.headers.getSetCookie(), []);
    assert.equal(held.asked.length, asked, 'no foreign attempt reached the limiter');
    const own = await fetch(`${server.url}/sign-in?key=${encodeURIComponent(server.key)}`, { headers: { 'sec-fetch-site': 'none', 'x-forwarded-for': PRESENTER }, redirect: 'manual' });
    assert.equal(own.headers.get('location'), '/presenter', 'the printed link, opened from the address bar');
    assert.equal(own.headers.getSetCookie().length, 1);
  });
});

describe('sign-out revokes on the server', () => {
  const presenterOn = async (server: SlideshowTestServer, cookie: string) => (await getJson(`${server.url}/api/session`, { cookie })).body.presenter as boolean;

  test('after DELETE /api/session the old cookie is refused, also after a restart', { timeout: TEST_MS }, async () => {
    const server = await startSlideshowServer();
    const cookie = await signIn(server);
    const other = await signIn(server);
    assert.equal(await presenterOn(server, cookie), true);
    const out = await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: { cookie, origin: server.url } });
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie()[0]!, /Max-Age=0/);
    assert.equal(await presenterOn(server, cookie), false);
    assert.equal((await fetch(`${server.url}/api/decks`, { headers: { cookie } })).status, 401);
    assert.equal((await fetch(`${server.url}/presenter`, { headers: { cookie }, redirect: 'manual' })).status, 303);
    assert.equal(await presenterOn(server, other), true, 'another device stays signed in');
    await server.close();
    const restarted = await startSlideshowServer({ dataDir: server.dataDir });
    try {
      assert.equal(await presenterOn(restarted, cookie), false);
      assert.equal(await presenterOn(restarted, other), true);
    } finally {
      await restarted.close();
    }
  });

  test('DELETE /api/sessions signs every device out; it needs a presenter', { timeout: TEST_MS }, async () => {
    const server = await startSlideshowServer();
    try {
      const [laptop, phone] = [await signIn(server), await signIn(server)];
      assert.equal((await fetch(`${server.url}/api/sessions`, { method: 'DELETE' })).status, 401);
      assert.equal((await fetch(`${server.url}/api/sessions`, { method: 'DELETE', headers: { cookie: phone, origin: 'https://evil.example' } })).status, 403);
      assert.equal((await fetch(`${server.url}/api/sessions`, { method: 'DELETE', headers: { cookie: phone, origin: server.url } })).status, 204);
      assert.equal(await presenterOn(server, laptop), false);
      assert.equal(await presenterOn(server, phone), false);
      assert.equal(await presenterOn(server, await signIn(server)), true, 'signing in again works');
    } finally {
      await server.close();
    }
  });

  test('with Redis, a sign-out on one node is refused on the other', { timeout: TEST_MS }, async () => {
    const redis = await startRedis();
    const links = ['a', 'b'].map((name) => new RedisLink(redis.url, { name, log: () => undefined }));
    const nodes = await Promise.all(links.map((link, n) => startSlideshowServer({ shared: { link, instance: `node-${n}` } })));
    try {
      const [a, b] = nodes as [SlideshowTestServer, SlideshowTestServer];
      const cookie = await signIn(a);
      const everywhere = await signIn(a);
      assert.equal(await presenterOn(b, cookie), true);
      await fetch(`${a.url}/api/session`, { method: 'DELETE', headers: { cookie, origin: a.url } });
      assert.equal(await presenterOn(b, cookie), false);
      assert.equal(await presenterOn(b, everywhere), true);
      assert.equal((await fetch(`${b.url}/api/sessions`, { method: 'DELETE', headers: { cookie: everywhere, origin: b.url } })).status, 204);
      assert.equal(await presenterOn(a, everywhere), false);
    } finally {
      for (const node of nodes) await node.close();
      for (const link of links) await link.close();
      await redis.stop();
    }
  });
});
