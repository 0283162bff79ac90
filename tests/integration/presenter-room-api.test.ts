/**
 * The presenter's room over HTTP (docs/api.md): editing one slide's speaker notes, the pacing
 * commands, and the one-time code that signs a phone in as a remote, on a real server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeckDetail, DeckSummary, LiveState } from '../../lib/slideshow/index';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer, type SlideshowTestServer, useSlideshowServer } from '../helpers/slideshow-server';
import { assertPatchesRefused, deckSlides, patchSlide, type Refusal, slideUrl, TEST_MS, bearer, getJson, sameOrigin, sendJson, signIn, uploadDeck } from '../helpers/slideshow-clients';

const png = () => makeImage({ width: 320, height: 180, format: 'png' });

describe('presenter room API', () => {
  const server = useSlideshowServer({}, { timeout: 2_000 });
  let deck: DeckSummary;
  const notesUrl = (n: number, id = deck.id) => slideUrl(server, id, n);

  before(async () => {
    deck = await uploadDeck(server, [{ name: 'a.png', data: await png() }, { name: 'b.png', data: await png() }], 'Room deck');
  });

  test('PATCH /api/decks/:id/slides/:n sets the notes; the deck detail carries them; "" removes them', { timeout: TEST_MS }, async () => {
    const set = await patchSlide(server, deck.id, 2, { notes: 'Breathe.\nThen the demo.' });
    assert.equal(set.status, 200);
    assert.equal(set.body.slide, 2);
    assert.equal(set.body.notes, 'Breathe.\nThen the demo.');
    assert.equal((await deckSlides(server, deck.id))[1]!.notes, 'Breathe.\nThen the demo.');
    const cleared = await patchSlide(server, deck.id, 2, { notes: '' });
    assert.equal(cleared.status, 200);
    assert.equal('notes' in cleared.body, false);
  });

  test('notes edits: bad input gets a clear error with a stable code and changes nothing', { timeout: TEST_MS }, async () => {
    await sendJson('PATCH', notesUrl(1), { notes: 'keep me' }, bearer(server));
    const cases: Refusal[] = [
      [notesUrl(1), { notes: 'x'.repeat(20_001) }, 413, 'notes_too_long'],
      [notesUrl(1), { notes: 7 }, 400, 'notes_invalid'],
      [notesUrl(1), { title: 'no notes' }, 400, 'notes_invalid'],
      [notesUrl(9), { notes: 'x' }, 404, 'no_such_slide'],
      [notesUrl(1, 'missing-deck'), { notes: 'x' }, 404, 'no_such_deck'],
    ];
    await assertPatchesRefused(cases, bearer(server));
    const huge = await sendJson('PATCH', notesUrl(1), { notes: 'x'.repeat(200_000) }, bearer(server));
    assert.equal(huge.status, 413);
    const anonymous = await sendJson('PATCH', notesUrl(1), { notes: 'x' });
    assert.equal(anonymous.status, 401, 'presenters only');
    assert.equal(anonymous.body.code, 'sign_in_required');
    const cookie = await signIn(server);
    const foreign = await sendJson('PATCH', notesUrl(1), { notes: 'x' }, { cookie, origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.code, 'cross_origin');
    const detail = await getJson<DeckDetail>(`${server.url}/api/decks/${deck.id}`, bearer(server));
    assert.equal(detail.body.slides[0]!.notes, 'keep me');
  });

  test('pacing commands over POST /api/live: target, pause, resume', { timeout: TEST_MS }, async () => {
    await sendJson('POST', `${server.url}/api/live`, { deck: deck.id }, bearer(server));
    const target = await sendJson<LiveState>('POST', `${server.url}/api/live`, { targetMinutes: 25 }, bearer(server));
    assert.equal(target.body.targetMs, 25 * 60_000);
    const paused = await sendJson<LiveState>('POST', `${server.url}/api/live`, { pause: true }, bearer(server));
    assert.equal(typeof paused.body.pausedAt, 'number');
    const resumed = await sendJson<LiveState>('POST', `${server.url}/api/live`, { pause: false }, bearer(server));
    assert.equal(resumed.body.pausedAt, undefined);
    assert.equal(typeof resumed.body.pausedMs, 'number');
    const bad = await sendJson('POST', `${server.url}/api/live`, { targetMinutes: 9999 }, bearer(server));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'command_invalid');
    // The message names the field, for the person who sent it.
    assert.match(bad.body.error, /targetMinutes/);
  });

  test('a remote code signs a phone in once; a reused or made-up code is refused', { timeout: TEST_MS }, async () => {
    const cookie = await signIn(server);
    assert.equal((await sendJson('POST', `${server.url}/api/presenter/remote-code`, {})).status, 401);
    const issued = await sendJson<{ url: string; expiresAt: number }>('POST', `${server.url}/api/presenter/remote-code`, {}, sameOrigin(server, cookie));
    assert.equal(issued.status, 201);
    assert.ok(!issued.body.url.includes(server.key), 'the presenter key never goes into the code');
    const link = new URL(issued.body.url);
    const first = await fetch(`${server.url}${link.pathname}${link.search}`, { redirect: 'manual' });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/presenter');
    const session = first.headers.getSetCookie()[0]!.split(';')[0]!;
    assert.equal((await getJson(`${server.url}/api/session`, { cookie: session })).body.presenter, true);
    const again = await fetch(`${server.url}${link.pathname}${link.search}`, { redirect: 'manual' });
    assert.equal(again.headers.get('location'), '/sign-in?error=remote-code');
    assert.equal(again.headers.getSetCookie().length, 0);
    const guessed = await fetch(`${server.url}/sign-in?remote=AAAAAAAAAAAAAAAAAAAAAAAA`, { redirect: 'manual' });
    assert.equal(guessed.headers.get('location'), '/sign-in?error=remote-code');
  });
});

describe('presenter room API with PUBLIC_URL', () => {
  let server: SlideshowTestServer;
  before(async () => {
    server = await startSlideshowServer({ publicUrl: 'https://slides.example.org' }, { timeout: 2_000 });
  });
  after(() => server?.close());

  test('the session names PUBLIC_URL for the join panel, and remote links use it', { timeout: TEST_MS }, async () => {
    const cookie = await signIn(server);
    const session = await getJson(`${server.url}/api/session`, { cookie });
    assert.equal(session.body.publicUrl, 'https://slides.example.org/');
    const issued = await sendJson<{ url: string }>('POST', `${server.url}/api/presenter/remote-code`, {}, sameOrigin(server, cookie));
    assert.match(issued.body.url, /^https:\/\/slides\.example\.org\/sign-in\?remote=[A-Za-z0-9_-]{24}$/);
    assert.equal((await getJson(`${server.url}/api/session`)).body.publicUrl, undefined, 'only presenters are told');
  });

  test('GET /api/join tells anyone the audience link (the room display needs no sign-in); other methods are refused', { timeout: TEST_MS }, async () => {
    const join = await getJson(`${server.url}/api/join`);
    assert.equal(join.status, 200);
    assert.deepEqual(join.body, { audienceUrl: `${server.url}/`, publicUrl: 'https://slides.example.org/' });
    const post = await sendJson('POST', `${server.url}/api/join`, {});
    assert.equal(post.status, 405);
  });
});

describe('presenter room API: remote codes expire', () => {
  const clock = { now: Date.now() };
  let server: SlideshowTestServer;
  before(async () => {
    server = await startSlideshowServer({ clock: () => clock.now }, { timeout: 2_000 });
  });
  after(() => server?.close());

  test('a remote code not used within its time is refused (injected clock)', { timeout: TEST_MS }, async () => {
    const cookie = await signIn(server);
    const issued = await sendJson<{ url: string; expiresAt: number }>('POST', `${server.url}/api/presenter/remote-code`, {}, sameOrigin(server, cookie));
    assert.equal(issued.body.expiresAt, clock.now + 3 * 60_000);
    clock.now = issued.body.expiresAt;
    const link = new URL(issued.body.url);
    const late = await fetch(`${server.url}${link.pathname}${link.search}`, { redirect: 'manual' });
    assert.equal(late.headers.get('location'), '/sign-in?error=remote-code');
    assert.equal(late.headers.getSetCookie().length, 0);
  });
});
