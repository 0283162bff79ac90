/**
 * Every wrong presenter key, on every route, goes through the one wrong-key limiter
 * (server/slideshow/wrong-keys.ts): no route is a fast oracle, and parallel guesses buy nothing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlideshowServer } from '../helpers/slideshow-server';
import { RawBayeux } from '../helpers/raw-bayeux';
import { makeImage } from '../helpers/slide-fixtures';
import { TEST_MS, uploadDeck, within } from '../helpers/slideshow-clients';
import { DEFAULT_WRONG_KEY_OPTIONS } from '../../server/slideshow/wrong-keys';

const WRONG = { authorization: 'Bearer not-the-key-not-the-key' };

describe('wrong keys on every route', () => {
  test('each route waits in the limiter before answering a wrong key', { timeout: TEST_MS }, async () => {
    const waits: Array<() => void> = [];
    const server = await startSlideshowServer({ wrongKeys: { sleep: () => new Promise<void>((release) => waits.push(release)) } });
    try {
      const deck = await uploadDeck(server, [{ name: 'a.png', data: await makeImage({ width: 320, height: 180, format: 'png' }) }], 'Guarded');
      const image = new URL(deck.thumbnail, server.url).pathname;
      const routes: Array<[string, () => Promise<number>, number]> = [
        ['GET /api/session (Bearer)', () => fetch(`${server.url}/api/session`, { headers: WRONG }).then((r) => r.status), 200],
        ['GET /presenter (Bearer)', () => fetch(`${server.url}/presenter`, { headers: WRONG, redirect: 'manual' }).then((r) => r.status), 303],
        ['GET /decks (Bearer)', () => fetch(`${server.url}/decks`, { headers: WRONG, redirect: 'manual' }).then((r) => r.status), 303],
        ['GET an unshown image (Bearer)', () => fetch(`${server.url}${image}`, { headers: WRONG }).then((r) => r.status), 404],
        ['GET an unknown image (Bearer)', () => fetch(`${server.url}/img/nope/nope.webp`, { headers: WRONG }).then((r) => r.status), 404],
        ['GET /api/decks (Bearer)', () => fetch(`${server.url}/api/decks`, { headers: WRONG }).then((r) => r.status), 401],
        ['GET /api/presenter/token (Bearer)', () => fetch(`${server.url}/api/presenter/token`, { headers: WRONG }).then((r) => r.status), 401],
        ['POST /api/live (lower-case bearer)', () => fetch(`${server.url}/api/live`, { method: 'POST', headers: { authorization: 'bearer x', 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status), 401],
        ['POST /api/session', () => fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"x"}' }).then((r) => r.status), 401],
        ['GET /sign-in?key=', () => fetch(`${server.url}/sign-in?key=x`, { redirect: 'manual' }).then((r) => r.status), 303],
        ['GET /sign-in?remote=', () => fetch(`${server.url}/sign-in?remote=x`, { redirect: 'manual' }).then((r) => r.status), 303],
        ['Bayeux handshake token', async () => ((await new RawBayeux(server.endpoint).handshake({ auth: { token: 'x' } })).successful ? 200 : 403), 403],
      ];
      for (const [name, send, expected] of routes) {
        const answer = send();
        await within((async () => {
          while (waits.length === 0) await new Promise((resolve) => setImmediate(resolve));
        })(), `${name} to wait in the limiter`);
        waits.splice(0).forEach((release) => release());
        assert.equal(await answer, expected, name);
      }
    } finally {
      waits.splice(0).forEach((release) => release());
      await server.close();
    }
  });

  test('a proxy\'s HTTP Basic authentication is no key guess: phones behind it are never slowed', { timeout: TEST_MS }, async () => {
    let waits = 0;
    const server = await startSlideshowServer({ wrongKeys: { sleep: async () => void (waits += 1) } });
    try {
      const basic = { authorization: 'Basic dXNlcjpwYXNz' };
      assert.equal((await fetch(`${server.url}/api/session`, { headers: basic })).status, 200);
      assert.equal((await fetch(`${server.url}/img/nope/nope.webp`, { headers: basic })).status, 404);
      assert.equal(waits, 0);
    } finally {
      await server.close();
    }
  });

  test('300 wrong Bearer guesses at once (the real limiter): all but a few refused, the rest answered after the delay', { timeout: TEST_MS }, async (t) => {
    const server = await startSlideshowServer();
    try {
      const paths = ['/api/session', '/api/decks', '/presenter', '/img/nope/nope.webp'];
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 300 }, async (_, n) => {
        const sent = performance.now();
        const response = await fetch(`${server.url}${paths[n % paths.length]}`, { headers: { authorization: `Bearer guess-${n}-guess-guess` }, redirect: 'manual' });
        await response.arrayBuffer();
        return { status: response.status, ms: performance.now() - sent, retryAfter: response.headers.get('retry-after') };
      }));
      const elapsedS = (performance.now() - started) / 1000;
      const refused = answers.filter((answer) => answer.status === 429);
      const tried = answers.filter((answer) => answer.status !== 429);
      for (const answer of refused) assert.ok(Number(answer.retryAfter) >= 1, 'Retry-After on every refusal');
      for (const answer of tried) assert.ok(answer.ms >= DEFAULT_WRONG_KEY_OPTIONS.delayMs * 0.9, `a guess answered after ${Math.round(answer.ms)} ms`);
      // At most `perAddress` guesses are in the air per delay: 300 would need at least 30 s.
      const guessesPerSecond = tried.length / elapsedS;
      assert.ok(guessesPerSecond * 30 < 300, `${tried.length} guesses tried in ${elapsedS.toFixed(1)} s (${guessesPerSecond.toFixed(1)}/s), ${refused.length} refused`);
      assert.ok(tried.length <= DEFAULT_WRONG_KEY_OPTIONS.perAddress * Math.ceil(elapsedS / (DEFAULT_WRONG_KEY_OPTIONS.delayMs / 1000)), `${tried.length} tried`);
      t.diagnostic(`300 wrong Bearer guesses: ${tried.length} tried, ${refused.length} refused (429) in ${elapsedS.toFixed(2)} s`);
    } finally {
      await server.close();
    }
  });
});
