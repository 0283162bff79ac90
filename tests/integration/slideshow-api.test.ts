/**
 * The slideshow's HTTP API end to end (docs/api.md): presenter access (sign-in, cookie, Bearer,
 * same-origin checks, Bayeux tokens), the deck library (images, ZIP, PDF, list, detail, rename,
 * delete, the live deck) and upload errors, on a real server over a fresh data folder.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeckDetail, DeckSummary, UploadProgress } from '../../lib/slideshow/index';
import { makeImage } from '../helpers/slide-fixtures';
import { makePdf } from '../helpers/pdf-fixtures';
import { makeZip } from '../../support/zip-writer';
import { RawBayeux } from '../helpers/raw-bayeux';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import {
  TEST_MS, bearer, connected, disconnect, disconnectAll, follower, getJson, newClient, presenterToken, publish,
  sameOrigin, sendJson, signIn, snapshot, tryHandshake, until, upload, uploadDeck, uploadForm, within,
} from '../helpers/slideshow-clients';

const png = (width: number, height = 180) => makeImage({ width, height, format: 'png' });

describe('slideshow API: presenter access', () => {
  let server: SlideshowTestServer;
  let deck: DeckSummary;

  before(async () => {
    server = await startSlideshowServer({}, { timeout: 2_000 });
    deck = await uploadDeck(server, [{ name: 'only.png', data: await png(320) }], 'Access deck');
  });

  after(async () => {
    await disconnectAll();
    await server?.close();
  });

  test('POST /api/session with the key: 204 and an HttpOnly, SameSite=Strict session cookie', { timeout: TEST_MS }, async () => {
    const response = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: server.key }),
    });
    assert.equal(response.status, 204);
    assert.equal(await response.text(), '');
    const cookies = response.headers.getSetCookie();
    assert.equal(cookies.length, 1);
    const attributes = cookies[0]!.split(';').map((part) => part.trim());
    assert.match(attributes[0]!, /^cometdeck_session=\S+$/);
    assert.ok(attributes.includes('HttpOnly'), cookies[0]);
    assert.ok(attributes.includes('SameSite=Strict'), cookies[0]);
    assert.ok(attributes.includes('Path=/'), cookies[0]);
    assert.ok(!cookies[0]!.includes(server.key), 'the cookie is not the key');
  });

  test('a wrong key: 401 after a delay, no cookie', { timeout: TEST_MS }, async () => {
    const started = performance.now();
    const { status, body, response } = await sendJson('POST', `${server.url}/api/session`, { key: `${server.key}x` });
    const elapsed = performance.now() - started;
    assert.equal(status, 401);
    assert.equal(typeof body.error, 'string');
    assert.equal(body.code, 'wrong_key');
    assert.deepEqual(response.headers.getSetCookie(), []);
    assert.ok(elapsed >= 500, `answered after ${Math.round(elapsed)} ms`);
  });

  test('a sign-in from another origin is refused (403), without a cookie', { timeout: TEST_MS }, async () => {
    const { status, body, response } = await sendJson('POST', `${server.url}/api/session`, { key: server.key }, { origin: 'http://evil.example' });
    assert.equal(status, 403);
    assert.equal(body.code, 'cross_origin');
    assert.deepEqual(response.headers.getSetCookie(), []);
    const sameSite = await sendJson('POST', `${server.url}/api/session`, { key: server.key }, { origin: server.url });
    assert.equal(sameSite.status, 204);
    assert.equal(sameSite.response.headers.getSetCookie().length, 1);
  });

  test('GET /api/session: false for the audience, true (with the audience URL) for presenters', { timeout: TEST_MS }, async () => {
    const anonymous = await getJson(`${server.url}/api/session`);
    assert.equal(anonymous.status, 200);
    assert.deepEqual(anonymous.body, { presenter: false });
    const forged = await getJson(`${server.url}/api/session`, { cookie: 'cometdeck_session=v1.99999999999999.nonce.mac' });
    assert.deepEqual(forged.body, { presenter: false });

    const cookie = await signIn(server);
    const signedIn = await getJson(`${server.url}/api/session`, { cookie });
    assert.deepEqual(signedIn.body, { presenter: true, audienceUrl: `${server.url}/` });
    const viaBearer = await getJson(`${server.url}/api/session`, bearer(server));
    assert.deepEqual(viaBearer.body, { presenter: true, audienceUrl: `${server.url}/` });

    const out = await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: { cookie } });
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie()[0] ?? '', /^cometdeck_session=;.*Max-Age=0/);
  });

  test('unauthenticated API calls are refused with 401', { timeout: TEST_MS }, async () => {
    const calls: Array<[string, string, RequestInit['body']?, Record<string, string>?]> = [
      ['GET', '/api/decks'],
      ['GET', `/api/decks/${deck.id}`],
      ['POST', '/api/decks', uploadForm([{ name: 'x.png', data: await png(100) }])],
      ['PATCH', `/api/decks/${deck.id}`, JSON.stringify({ title: 'hijacked' }), { 'content-type': 'application/json' }],
      ['DELETE', `/api/decks/${deck.id}`],
      ['POST', '/api/live', JSON.stringify({ deck: deck.id }), { 'content-type': 'application/json' }],
      ['GET', '/api/presenter/token'],
    ];
    for (const [method, path, body, headers] of calls) {
      for (const extra of [{}, { authorization: 'Bearer not-the-key-at-all-0000' }, { cookie: 'cometdeck_session=garbage' }] as Array<Record<string, string>>) {
        const response = await within(fetch(`${server.url}${path}`, { method, body, headers: { ...headers, ...extra, origin: server.url } }), `${method} ${path}`);
        assert.equal(response.status, 401, `${method} ${path} with ${JSON.stringify(extra)}`);
        const refusal = (await response.json()) as { error: unknown; code: unknown };
        assert.equal(typeof refusal.error, 'string');
        assert.equal(refusal.code, extra.authorization ? 'wrong_key' : 'sign_in_required', `${method} ${path} with ${JSON.stringify(extra)}`);
      }
    }
    // Nothing changed.
    const detail = await getJson<DeckDetail>(`${server.url}/api/decks/${deck.id}`, bearer(server));
    assert.equal(detail.body.title, 'Access deck');
    assert.equal((await getJson(`${server.url}/api/live`)).body.live, false);
  });

  test('cookie-authenticated changes need a same-origin Origin; Bearer needs none', { timeout: TEST_MS }, async () => {
    const cookie = await signIn(server);
    const image = await png(200);
    // Reading needs no Origin.
    assert.equal((await getJson(`${server.url}/api/decks`, { cookie })).status, 200);

    for (const origin of [undefined, 'http://evil.example', 'null']) {
      const headers: Record<string, string> = origin ? { cookie, origin } : { cookie };
      const what = `Origin ${origin ?? '(none)'}`;
      const posted = await upload(server, [{ name: 'x.png', data: image }], { headers });
      assert.equal(posted.status, 403, `POST /api/decks, ${what}`);
      const patched = await sendJson('PATCH', `${server.url}/api/decks/${deck.id}`, { title: 'changed' }, headers);
      assert.equal(patched.status, 403, `PATCH, ${what}`);
      const deleted = await fetch(`${server.url}/api/decks/${deck.id}`, { method: 'DELETE', headers });
      assert.equal(deleted.status, 403, `DELETE, ${what}`);
      const live = await sendJson('POST', `${server.url}/api/live`, { deck: deck.id }, headers);
      assert.equal(live.status, 403, `POST /api/live, ${what}`);
    }
    assert.equal((await getJson(`${server.url}/api/decks`, bearer(server))).body.length, 1, 'no deck was added');
    assert.equal((await getJson(`${server.url}/api/live`)).body.live, false, 'nothing went live');

    // The same requests from our own origin go through.
    const headers = sameOrigin(server, cookie);
    const posted = await upload(server, [{ name: 'x.png', data: image }], { headers });
    assert.equal(posted.status, 201);
    const added = (await posted.json()) as DeckSummary;
    const patched = await sendJson('PATCH', `${server.url}/api/decks/${added.id}`, { title: 'Renamed by cookie' }, headers);
    assert.equal(patched.status, 200);
    assert.equal(patched.body.title, 'Renamed by cookie');
    const live = await sendJson('POST', `${server.url}/api/live`, { deck: added.id }, headers);
    assert.equal(live.status, 200);
    assert.equal(live.body.deck, added.id);
    const ended = await sendJson('POST', `${server.url}/api/live`, { live: false }, headers);
    assert.equal(ended.status, 200);
    assert.equal(ended.body.live, false);
    const deleted = await fetch(`${server.url}/api/decks/${added.id}`, { method: 'DELETE', headers });
    assert.equal(deleted.status, 204);

    // Bearer without any Origin.
    const viaBearer = await upload(server, [{ name: 'y.png', data: image }]);
    assert.equal(viaBearer.status, 201);
    const other = (await viaBearer.json()) as DeckSummary;
    assert.equal((await sendJson('PATCH', `${server.url}/api/decks/${other.id}`, { title: 'Bearer title' }, bearer(server))).status, 200);
    assert.equal((await sendJson('POST', `${server.url}/api/live`, { deck: other.id }, bearer(server))).status, 200);
    assert.equal((await sendJson('POST', `${server.url}/api/live`, { live: false }, bearer(server))).status, 200);
    assert.equal((await fetch(`${server.url}/api/decks/${other.id}`, { method: 'DELETE', headers: bearer(server) })).status, 204);
  });

  test('GET /sign-in?key=: 303 to /presenter with the cookie; a wrong key: 303 to the sign-in page with an error', { timeout: TEST_MS }, async () => {
    const good = await fetch(`${server.url}/sign-in?key=${encodeURIComponent(server.key)}`, { redirect: 'manual' });
    assert.equal(good.status, 303);
    assert.equal(good.headers.get('location'), '/presenter');
    const [cookie] = good.headers.getSetCookie();
    assert.ok(cookie, 'a Set-Cookie header');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const session = await getJson(`${server.url}/api/session`, { cookie: cookie.split(';')[0]! });
    assert.equal(session.body.presenter, true);

    const started = performance.now();
    const bad = await fetch(`${server.url}/sign-in?key=wrong-key-wrong-key`, { redirect: 'manual' });
    const elapsed = performance.now() - started;
    assert.equal(bad.status, 303);
    assert.match(bad.headers.get('location') ?? '', /^\/sign-in\?error=./);
    assert.deepEqual(bad.headers.getSetCookie(), []);
    assert.ok(elapsed >= 500, `answered after ${Math.round(elapsed)} ms`);
  });

  test('GET /api/presenter/token: a token that makes a Bayeux presenter; a tampered one is refused for good', { timeout: TEST_MS }, async () => {
    const cookie = await signIn(server);
    const { status, body } = await getJson<{ token: string; expiresAt: number }>(`${server.url}/api/presenter/token`, { cookie });
    assert.equal(status, 200);
    assert.ok(body.expiresAt > Date.now(), 'expires in the future');
    assert.ok(!body.token.includes(server.key));
    // With Bearer too.
    assert.equal((await getJson(`${server.url}/api/presenter/token`, bearer(server))).status, 200);

    // The official client, handshaking with the token: a presenter, who may publish commands.
    const presenter = newClient(server.endpoint, 'long-polling');
    await connected(presenter, { ext: { auth: { token: body.token } } });
    const watcher = await follower(server, 'websocket');
    await until(() => watcher.states.length >= 1, 'the idle state after subscribing');
    const reply = await publish(presenter, '/slideshow/change', { deck: deck.id, slide: 1 });
    assert.equal(reply.successful, true, JSON.stringify(reply));
    await until(() => watcher.states.length >= 2, 'the broadcast');
    assert.equal(watcher.states[1].live, true);
    assert.equal((await publish(presenter, '/slideshow/change', { live: false })).successful, true);

    // Tampered: a later expiry, or one character of the MAC changed.
    const [version, expires, nonce, mac] = body.token.split('.') as [string, string, string, string];
    const flipped = (c: string) => (c === 'A' ? 'B' : 'A');
    const tampered = `${version}.${Number(expires) + 3_600_000}.${nonce}.${mac}`;
    const tamperedMac = `${version}.${expires}.${nonce}.${mac.slice(0, 10)}${flipped(mac[10]!)}${mac.slice(11)}`;
    for (const token of [tampered, tamperedMac]) {
      const raw = new RawBayeux(server.endpoint);
      const refused = await raw.handshake({ auth: { token } });
      assert.equal(refused.successful, false);
      assert.equal(refused.error, '403::handshake_denied');
      assert.equal(refused.advice?.reconnect, 'none');
      assert.equal(refused.clientId, undefined);
    }

    // The official client is told the same and stops.
    const denied = newClient(server.endpoint, 'websocket');
    const handshakes: unknown[] = [];
    denied.addListener('/meta/handshake', (message) => handshakes.push(message));
    const deniedReply = await tryHandshake(denied, { ext: { auth: { token: tampered } } });
    assert.equal(deniedReply.successful, false);
    assert.equal(deniedReply.error, '403::handshake_denied');
    await until(() => denied.isDisconnected(), 'the refused client to stop');
    // A time window is inherent here: a retry would come from the client's own backoff timer, and
    // nothing on the wire says it will not. Bounded: 1 s, longer than the client's first backoff.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(handshakes.length, 1, 'no second handshake');

    await disconnect(watcher.cometd);
    await disconnect(presenter);
  });

  test('the key never reaches the audience: /api/live, /api/session, images, errors', { timeout: TEST_MS }, async () => {
    const detail = (await getJson<DeckDetail>(`${server.url}/api/decks/${deck.id}`, bearer(server))).body;
    assert.equal((await sendJson('POST', `${server.url}/api/live`, { deck: deck.id }, bearer(server))).status, 200);
    const token = await presenterToken(server, await signIn(server));
    const urls = [
      '/api/live', '/api/session', detail.slides[0]!.src, detail.slides[0]!.images[0]!.webp, '/api/decks', '/api/presenter/token',
      '/img/nope/nope', '/api/nothing', `/sign-in`,
    ];
    for (const path of urls) {
      const answer = await snapshot(`${server.url}${path}`);
      const all = JSON.stringify(answer);
      assert.ok(!all.includes(server.key), `the key in the answer to ${path}`);
      assert.ok(!all.includes(token.split('.')[3]!), `a token in the answer to ${path}`);
    }
    assert.equal((await sendJson('POST', `${server.url}/api/live`, { live: false }, bearer(server))).status, 200);
  });
});

describe('slideshow API: decks', () => {
  let server: SlideshowTestServer;

  before(async () => {
    server = await startSlideshowServer({ uploadLimits: { maxFileBytes: 256 * 1024 } }, { timeout: 2_000 });
  });

  after(async () => {
    await disconnectAll();
    await server?.close();
  });

  const detailOf = async (id: string) => {
    const { status, body } = await getJson<DeckDetail>(`${server.url}/api/decks/${id}`, bearer(server));
    assert.equal(status, 200);
    return body;
  };

  test('images become slides in natural name order (Slide2 before Slide10)', { timeout: TEST_MS }, async () => {
    // Each file has its own width, so the order of the slides shows which file became which.
    const files = [
      { name: 'Slide10.png', data: await png(340), type: 'image/png' },
      { name: 'Slide2.png', data: await png(320), type: 'image/png' },
      { name: 'Slide1.png', data: await png(300), type: 'image/png' },
    ];
    const summary = await uploadDeck(server, files, 'Naturally ordered');
    assert.equal(summary.title, 'Naturally ordered');
    assert.equal(summary.count, 3);
    assert.equal(summary.source, 'images');
    assert.match(summary.id, /^[a-z2-7]{16}$/);
    assert.ok(!Number.isNaN(Date.parse(summary.createdAt)));
    const detail = await detailOf(summary.id);
    assert.deepEqual(detail.slides.map((slide) => slide.name), ['Slide1.png', 'Slide2.png', 'Slide10.png']);
    assert.deepEqual(detail.slides.map((slide) => slide.width), [300, 320, 340]);
    assert.deepEqual(detail.slides.map((slide) => slide.slide), [1, 2, 3]);
    assert.equal(detail.slides[1]!.alt, 'Slide 2 of 3', 'never the file name (Slide2.png)');
    assert.equal(summary.thumbnail, detail.slides[0]!.thumbnail);
    for (const slide of detail.slides) {
      assert.ok(slide.placeholder.startsWith('data:image/'), 'a placeholder data URL');
      assert.ok(slide.images.length >= 1);
      const jpeg = await fetch(`${server.url}${slide.src}`, { headers: bearer(server) });
      assert.equal(jpeg.status, 200);
      assert.equal(jpeg.headers.get('content-type'), 'image/jpeg');
      const thumb = await fetch(`${server.url}${slide.thumbnail}`, { headers: bearer(server) });
      assert.equal(thumb.status, 200);
      assert.equal(thumb.headers.get('content-type'), 'image/webp');
    }
  });

  test('a ZIP of images and a PDF become decks', { timeout: TEST_MS }, async () => {
    const zip = makeZip([
      { name: 'talk/' },
      { name: 'talk/b10.png', data: await png(260), deflate: true },
      { name: 'talk/b9.png', data: await png(240) },
      { name: 'talk/b1.png', data: await png(220), deflate: true },
    ]);
    const zipped = await uploadDeck(server, [{ name: 'My talk.zip', data: zip, type: 'application/zip' }]);
    assert.equal(zipped.source, 'zip');
    assert.equal(zipped.title, 'My talk');
    assert.equal(zipped.count, 3);
    const zipDetail = await detailOf(zipped.id);
    assert.deepEqual(zipDetail.slides.map((slide) => slide.width), [220, 240, 260]);

    const pdf = makePdf(['Welcome to the talk', 'Second page'], { width: 480, height: 270 });
    const printed = await uploadDeck(server, [{ name: 'slides.pdf', data: pdf, type: 'application/pdf' }]);
    assert.equal(printed.source, 'pdf');
    assert.equal(printed.title, 'slides');
    assert.equal(printed.count, 2);
    const pdfDetail = await detailOf(printed.id);
    assert.equal(pdfDetail.slides[0]!.text, 'Welcome to the talk');
    assert.equal(pdfDetail.slides[0]!.alt, 'Slide 1 of 2: Welcome to the talk');
    assert.equal(pdfDetail.slides[1]!.text, 'Second page');
    const page = await fetch(`${server.url}${pdfDetail.slides[1]!.src}`, { headers: bearer(server) });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'image/jpeg');
  });

  test('list (newest first), detail, rename, delete', { timeout: TEST_MS }, async () => {
    const first = await uploadDeck(server, [{ name: 'a.png', data: await png(200) }], 'First');
    const second = await uploadDeck(server, [{ name: 'b.png', data: await png(210) }], 'Second');
    const list = (await getJson<DeckSummary[]>(`${server.url}/api/decks`, bearer(server))).body;
    const ids = list.map((d) => d.id);
    assert.ok(ids.indexOf(second.id) < ids.indexOf(first.id), 'the newer deck is listed first');
    assert.deepEqual(list.find((d) => d.id === first.id), first);
    for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]!.createdAt >= list[i]!.createdAt, 'newest first');

    const renamed = await sendJson('PATCH', `${server.url}/api/decks/${first.id}`, { title: '  Renamed \n  deck ' }, bearer(server));
    assert.equal(renamed.status, 200);
    assert.deepEqual(renamed.body, { ...first, title: 'Renamed deck' });
    assert.equal((await detailOf(first.id)).title, 'Renamed deck');
    assert.equal((await sendJson('PATCH', `${server.url}/api/decks/${first.id}`, { title: '' }, bearer(server))).status, 400);
    assert.equal((await sendJson('PATCH', `${server.url}/api/decks/aaaaaaaaaaaaaaaa`, { title: 'x' }, bearer(server))).status, 404);

    const detail = await detailOf(first.id);
    const deleted = await fetch(`${server.url}/api/decks/${first.id}`, { method: 'DELETE', headers: bearer(server) });
    assert.equal(deleted.status, 204);
    assert.equal((await getJson(`${server.url}/api/decks/${first.id}`, bearer(server))).status, 404);
    assert.ok(!(await getJson<DeckSummary[]>(`${server.url}/api/decks`, bearer(server))).body.some((d) => d.id === first.id));
    assert.equal((await fetch(`${server.url}${detail.slides[0]!.src}`, { headers: bearer(server) })).status, 404, 'its images are gone');
    assert.equal((await fetch(`${server.url}/api/decks/${first.id}`, { method: 'DELETE', headers: bearer(server) })).status, 404);
  });

  test('deleting the live deck: 409 without force; with ?force=1, 204 and the audience sees the talk end', { timeout: TEST_MS }, async () => {
    const deck = await uploadDeck(server, [{ name: 'a.png', data: await png(200) }, { name: 'b.png', data: await png(200) }], 'Live one');
    const started = await sendJson('POST', `${server.url}/api/live`, { deck: deck.id, slide: 2 }, bearer(server));
    assert.equal(started.status, 200);
    const watcher = await follower(server, 'long-polling');
    await until(() => watcher.states.length >= 1, 'the current state after subscribing');
    assert.equal(watcher.states[0].deck, deck.id);

    const refused = await fetch(`${server.url}/api/decks/${deck.id}`, { method: 'DELETE', headers: bearer(server) });
    assert.equal(refused.status, 409);
    const refusal = (await refused.json()) as { error: unknown; code: unknown };
    assert.equal(typeof refusal.error, 'string');
    assert.equal(refusal.code, 'deck_live');
    assert.equal((await detailOf(deck.id)).id, deck.id, 'still there');
    assert.equal((await getJson(`${server.url}/api/live`)).body.live, true);

    const forced = await fetch(`${server.url}/api/decks/${deck.id}?force=1`, { method: 'DELETE', headers: bearer(server) });
    assert.equal(forced.status, 204);
    await until(() => watcher.states.length >= 2, 'the idle state after the deck was deleted');
    const idle = watcher.states[1];
    assert.equal(idle.live, false);
    assert.ok(idle.seq > watcher.states[0].seq, 'a newer seq');
    assert.equal(idle.deck, undefined);
    const now = await getJson(`${server.url}/api/live`);
    assert.equal(now.body.live, false);
    assert.equal(now.body.seq, idle.seq);
    assert.equal((await getJson(`${server.url}/api/decks/${deck.id}`, bearer(server))).status, 404);
    await disconnect(watcher.cometd);
  });

  test('upload errors name the file: 415 unsupported, 422 unsafe ZIP entry, 413 too large', { timeout: TEST_MS }, async () => {
    const before = (await getJson<DeckSummary[]>(`${server.url}/api/decks`, bearer(server))).body.length;

    const text = await upload(server, [{ name: 'slide.png', data: await png(200) }, { name: 'notes.txt', data: Buffer.from('just some notes\n') }]);
    assert.equal(text.status, 415);
    const textBody = (await text.json()) as { error: string; code: string; file?: string };
    assert.equal(textBody.file, 'notes.txt');
    assert.equal(textBody.code, 'unsupported_file');
    assert.equal(typeof textBody.error, 'string');

    const unsafe = await upload(server, [{ name: 'evil.zip', data: makeZip([{ name: 'ok.png', data: await png(200) }, { name: '../evil.png', data: await png(200) }]) }]);
    assert.equal(unsafe.status, 422);
    const unsafeBody = (await unsafe.json()) as { error: string; code: string; file?: string };
    assert.match(unsafeBody.file ?? '', /^evil\.zip\//);
    assert.equal(unsafeBody.code, 'unreadable_file');

    const big = await makeImage({ width: 600, height: 600, noise: true, format: 'png' });
    assert.ok(big.length > 256 * 1024, 'the fixture is over the limit');
    const tooLarge = await upload(server, [{ name: 'huge.png', data: big }]);
    assert.equal(tooLarge.status, 413);
    const tooLargeBody = (await tooLarge.json()) as { code?: string; file?: string };
    assert.equal(tooLargeBody.file, 'huge.png');
    assert.equal(tooLargeBody.code, 'upload_too_large');

    assert.equal((await getJson<DeckSummary[]>(`${server.url}/api/decks`, bearer(server))).body.length, before, 'no deck was made');
  });

  test('Accept: application/x-ndjson streams progress lines and ends with done, or with error', { timeout: TEST_MS }, async () => {
    const files = await Promise.all([1, 2, 3, 4].map(async (n) => ({ name: `p${n}.png`, data: await png(200 + n) })));
    const response = await within(fetch(`${server.url}/api/decks`, {
      method: 'POST',
      headers: { ...bearer(server), accept: 'application/x-ndjson' },
      body: uploadForm(files, 'Streamed'),
    }), 'the streamed upload');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    const lines = (await response.text()).split('\n');
    assert.equal(lines.pop(), '', 'every line ends with a newline');
    const events = lines.map((line) => JSON.parse(line) as UploadProgress);
    const last = events.pop()!;
    assert.ok(events.length >= 1, 'at least one progress line');
    for (const event of events) {
      assert.equal(event.type, 'progress');
      if (event.type === 'progress') assert.ok(['receiving', 'extracting', 'rendering'].includes(event.stage));
    }
    assert.ok(events.some((event) => event.type === 'progress' && event.stage === 'rendering'), 'rendering progress');
    assert.equal(last.type, 'done');
    if (last.type !== 'done') return;
    assert.equal(last.deck.title, 'Streamed');
    assert.equal(last.deck.count, 4);
    assert.deepEqual((await detailOf(last.deck.id)).slides.map((s) => s.name), ['p1.png', 'p2.png', 'p3.png', 'p4.png']);

    const bad = await within(fetch(`${server.url}/api/decks`, {
      method: 'POST',
      headers: { ...bearer(server), accept: 'application/x-ndjson' },
      body: uploadForm([{ name: 'readme.txt', data: Buffer.from('not a slide') }]),
    }), 'the streamed bad upload');
    assert.equal(bad.status, 200);
    const badLines = (await bad.text()).trim().split('\n').map((line) => JSON.parse(line) as UploadProgress);
    const end = badLines.at(-1)!;
    assert.deepEqual({ ...end, error: undefined }, { type: 'error', status: 415, code: 'unsupported_file', error: undefined, file: 'readme.txt' });
    for (const event of badLines.slice(0, -1)) assert.equal(event.type, 'progress');
  });
});

describe('guessing the key by script', () => {
  test('a wrong Bearer key is answered late, like a wrong sign-in', { timeout: 20_000 }, async () => {
    const server = await startSlideshowServer();
    try {
      const started = Date.now();
      const response = await fetch(`${server.url}/api/decks`, { headers: { authorization: 'Bearer not-the-key-at-all' } });
      assert.equal(response.status, 401);
      assert.ok(Date.now() - started >= 500, `answered after ${Date.now() - started} ms`);
    } finally {
      await server.close();
    }
  });
});
