/**
 * Every error answer of every HTTP route carries a stable code from the one documented list
 * (docs/api.md, "Error codes"): the routes come from the route table itself, so a new route is
 * swept without being named here, and a new code must be documented (and provoked here, or
 * excused below with the test that covers it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { API_ERROR_CODES } from '../../lib/slideshow/index';
import { SLIDESHOW_ROUTES } from '../../server/slideshow/http/routes';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import { makeImage } from '../helpers/slide-fixtures';
import { makeZip } from '../../support/zip-writer';
import { TEST_MS, bearer, signIn, upload, uploadDeck, uploadForm, within, type Headers } from '../helpers/slideshow-clients';

/** Codes no bad request can provoke on a healthy server; each names the test that covers it. */
const NOT_SWEPT = new Set([
  'internal', // a fault on the server
  'talk_contended', // several nodes at once: tests/integration/multi-node-slideshow.test.ts
  'disk_full', // a full disk: tests/integration/deck-edits.test.ts
  'write_failed', // a failing disk
  'handout_too_large', // 64 MB of slides
  'upload_cancelled', // tests/integration/upload-cancel.test.ts
  'office_unavailable', // tests/integration/office-upload.test.ts (no LibreOffice)
  'office_busy', // tests/integration/office-upload.test.ts (a full queue)
  'upload_failed', // a failing disk
  'page_too_large', // tests/unit/slides/render-limits.test.ts
  'render_memory_exceeded', // tests/unit/slides/render-limits.test.ts
  'render_timeout', // a page drawing for 30 s
  'render_failed', // a renderer fault
  'render_busy', // RENDER_PROCESSES renders running and 8 waiting
  'render_unavailable', // a render process that cannot start
  'pdf_encrypted', // tests/unit/slides/upload-pdf.test.ts
  'pdf_invalid', // tests/unit/slides/upload-pdf.test.ts (a damaged PDF)
]);

interface Documented {
  statuses: number[];
}

/** The "Error codes" table of docs/api.md: code -> the statuses it is answered with. */
async function documentedCodes(): Promise<Map<string, Documented>> {
  const text = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const section = text.slice(text.indexOf('\n## Error codes'));
  const codes = new Map<string, Documented>();
  for (const match of section.matchAll(/^\| `([a-z_]+)` \| ([0-9, ]+) \|/gm)) {
    codes.set(match[1]!, { statuses: match[2]!.split(',').map((s) => Number(s.trim())) });
  }
  return codes;
}

type Probe = { method: string; path: string; headers?: Headers; body?: string | FormData; what: string; page?: boolean };

describe('error codes', () => {
  let server: SlideshowTestServer;
  let deckId: string;
  let image: string;
  /** While true, wrong keys wait in the limiter until released (to fill it up). */
  let holding = false;
  const held: Array<() => void> = [];
  const seen = new Map<string, string>();
  const problems: string[] = [];
  let docs: Map<string, Documented>;

  before(async () => {
    docs = await documentedCodes();
    server = await startSlideshowServer({
      wrongKeys: { sleep: () => (holding ? new Promise<void>((release) => held.push(release)) : Promise.resolve()) },
      uploadLimits: { maxFileBytes: 256 * 1024 },
    });
    const slide = await makeImage({ width: 320, height: 180, format: 'png' });
    const deck = await uploadDeck(server, [{ name: 's1.png', data: slide }, { name: 's2.png', data: slide }], 'Codes');
    deckId = deck.id;
    image = new URL(deck.thumbnail, server.url).pathname;
  });
  after(async () => {
    holding = false;
    for (const release of held) release();
    await server?.close();
  });

  /** Sends a probe; an error answer must be an ApiError with a documented code and status. */
  async function send(probe: Probe): Promise<{ status: number; code?: string }> {
    const response = await within(fetch(`${server.url}${probe.path}`, { method: probe.method, headers: probe.headers, body: probe.body, redirect: 'manual' }), probe.what);
    const text = await response.text();
    if (response.status < 400) return { status: response.status };
    // A page left to Next: the test server stands in for it with a plain 404.
    if (probe.page && !(response.headers.get('content-type') ?? '').startsWith('application/json')) return { status: response.status };
    const where = `${probe.what} (${response.status})`;
    let body: { error?: unknown; code?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      problems.push(`${where}: not JSON: ${text.slice(0, 80)}`);
      return { status: response.status };
    }
    const code = typeof body.code === 'string' ? body.code : undefined;
    if (typeof body.error !== 'string' || body.error === '') problems.push(`${where}: no error message`);
    if (code === undefined) problems.push(`${where}: no code in ${text.slice(0, 120)}`);
    else if (!docs.has(code)) problems.push(`${where}: code ${code} is not in docs/api.md`);
    else if (!docs.get(code)!.statuses.includes(response.status)) problems.push(`${where}: ${code} documented with ${docs.get(code)!.statuses.join(', ')}`);
    if (code) seen.set(code, where);
    return { status: response.status, code };
  }

  test('docs/api.md lists exactly the codes of ApiErrorCode', async () => {
    assert.deepEqual([...docs.keys()].sort(), [...API_ERROR_CODES].sort());
  });

  test('the presenter pages and the long uploads come from the table', () => {
    assert.deepEqual(SLIDESHOW_ROUTES.presenterPages, ['/presenter', '/decks']);
    assert.equal(SLIDESHOW_ROUTES.isLongWork('POST', '/api/decks'), true);
    assert.equal(SLIDESHOW_ROUTES.isLongWork('GET', '/api/decks'), false);
    assert.equal(SLIDESHOW_ROUTES.isOurs('/_next/static/x.js'), false);
    assert.equal(SLIDESHOW_ROUTES.isOurs('/api/anything'), true);
  });

  test('bad requests to every route of the table', { timeout: TEST_MS }, async () => {
    const big = JSON.stringify({ notes: 'x'.repeat(200_000) });
    for (const route of SLIDESHOW_ROUTES.routes) {
      for (const { path, real } of concretePaths(route.path)) {
        const cookie = await signIn(server);
        if (!route.page) await send({ method: 'PUT', path, what: `PUT ${path}` });
        for (const method of route.methods.filter((m) => m !== 'HEAD')) {
          const at = `${method} ${path}`;
          const json = { 'content-type': 'application/json' };
          const probes: Probe[] = [
            { method, path, what: `${at} anonymous` },
            { method, path, headers: { authorization: 'Bearer not-the-key-0000000000' }, what: `${at} wrong key` },
            { method, path, headers: { cookie, origin: 'http://evil.example' }, what: `${at} cookie from another origin` },
          ];
          // With the key, only where nothing real can change (a real deck would be deleted).
          if (method !== 'GET' && !real) {
            probes.push(
              { method, path, headers: { ...bearer(server), 'content-type': 'text/plain' }, body: 'x', what: `${at} text body` },
              { method, path, headers: { ...bearer(server), ...json }, body: '{', what: `${at} broken JSON` },
              { method, path, headers: { ...bearer(server), ...json }, body: big, what: `${at} huge body` },
              { method, path, headers: { ...bearer(server), ...json }, body: '{}', what: `${at} empty object` },
              { method, path, headers: { ...bearer(server), ...json }, body: '[1]', what: `${at} an array` },
            );
          }
          for (const probe of probes) await send({ ...probe, page: route.page });
        }
      }
    }
  });

  test('requests each route refuses for its own reasons', { timeout: TEST_MS }, async () => {
    const key = bearer(server);
    const json = (method: string, path: string, body: unknown, what: string): Probe => ({ method, path, headers: { ...key, 'content-type': 'application/json' }, body: JSON.stringify(body), what });
    const probes: Probe[] = [
      { method: 'GET', path: '/api/nope', what: 'an unknown API path' },
      { method: 'GET', path: '/img/only-one-part', what: 'an image path without a file' },
      { method: 'GET', path: image, what: 'an image not shown yet' },
      { method: 'GET', path: '/api/live/history', what: 'history without a query' },
      { method: 'GET', path: `/api/live/history?deck=${deckId}&before=2`, what: 'history of a deck not live' },
      { method: 'GET', path: '/api/handout.pdf', what: 'a handout not offered' },
      json('POST', '/api/live', { slide: 2 }, 'a slide with no talk live'),
      json('POST', '/api/live', { handout: true }, 'a handout before any talk'),
      json('POST', '/api/live', { deck: 'nosuchdeck' }, 'an unknown deck'),
      json('POST', '/api/live', { targetMinutes: 9999 }, 'a bad command'),
      json('POST', '/api/session', { key: 'wrong' }, 'a wrong key'),
      json('PATCH', `/api/decks/${deckId}`, { title: '' }, 'an empty title'),
      json('PATCH', `/api/decks/${deckId}/slides/9`, { notes: 'x' }, 'notes of a slide past the end'),
      json('PATCH', `/api/decks/${deckId}/slides/1`, { notes: 7 }, 'notes not a string'),
      json('PATCH', `/api/decks/${deckId}/slides/1`, { notes: 'x'.repeat(20_001) }, 'notes too long'),
      json('PATCH', `/api/decks/${deckId}/slides/1`, { alt: 7 }, 'alt not a string'),
      json('PATCH', `/api/decks/${deckId}/slides/1`, { alt: 'x'.repeat(501) }, 'alt too long'),
      { method: 'POST', path: '/api/decks', headers: key, body: new FormData(), what: 'an upload without files' },
      { method: 'POST', path: '/api/decks', headers: key, body: uploadForm([{ name: 'a.txt', data: Buffer.from('text') }]), what: 'a text file' },
    ];
    for (const probe of probes) await send(probe);
    const unsafe = makeZip([{ name: 'ok.png', data: await makeImage({ width: 64, height: 64, format: 'png' }) }, { name: '../evil.png', data: Buffer.from('x') }]);
    await send({ method: 'POST', path: '/api/decks', headers: key, body: uploadForm([{ name: 'evil.zip', data: unsafe }]), what: 'an unsafe ZIP' });
    const huge = await makeImage({ width: 600, height: 600, noise: true, format: 'png' });
    await send({ method: 'POST', path: '/api/decks', headers: key, body: uploadForm([{ name: 'huge.png', data: huge }]), what: 'a file over the limit' });

    assert.equal((await upload(server, [{ name: 'b.png', data: await makeImage({ width: 64, height: 64, format: 'png' }) }])).status, 201);
    await send(json('POST', '/api/live', { deck: deckId }, 'going live'));
    await send(json('POST', '/api/live', { slide: 99 }, 'a slide past the end'));
    await send({ method: 'DELETE', path: `/api/decks/${deckId}`, headers: key, what: 'deleting the live deck' });
    await tooManyWrongKeys();
  });

  /** Two wrong keys wait in the limiter; the third is refused at once. */
  async function tooManyWrongKeys(): Promise<void> {
    holding = true;
    const wrong = { authorization: 'Bearer not-the-key-0000000000' };
    const waiting = [1, 2].map(() => fetch(`${server.url}/api/decks`, { headers: wrong }).then((r) => r.text()));
    await within((async () => {
      while (held.length < 2) await new Promise((resolve) => setImmediate(resolve));
    })(), 'two wrong keys waiting');
    const refused = await send({ method: 'GET', path: '/api/decks', headers: wrong, what: 'a third wrong key at once' });
    assert.equal(refused.code, 'too_many_wrong_keys');
    holding = false;
    for (const release of held.splice(0)) release();
    await Promise.all(waiting);
  }

  test('every answer so far had a documented code, and every code was seen', () => {
    assert.deepEqual(problems, []);
    assert.equal(seen.has('internal'), false, `a request failed on the server: ${seen.get('internal')}`);
    const expected = [...API_ERROR_CODES].filter((code) => !NOT_SWEPT.has(code)).sort();
    assert.deepEqual([...seen.keys()].filter((code) => !NOT_SWEPT.has(code)).sort(), expected);
  });

  /** The route's path with its `:name` segments filled in: a real deck, and things that do not exist. */
  function concretePaths(pattern: string): Array<{ path: string; real: boolean }> {
    if (!pattern.includes(':')) return [{ path: pattern, real: false }];
    const fill = (values: Record<string, string>): string => pattern.replace(/:([a-z]+)/g, (_, name: string) => values[name]!);
    return [
      { path: fill({ id: deckId, n: '1', deck: deckId, file: image.split('/').pop()! }), real: true },
      { path: fill({ id: 'nosuchdeck', n: '999', deck: 'nosuchdeck', file: 'nope.webp' }), real: false },
      { path: fill({ id: '%E0', n: 'x', deck: '%E0', file: '%E0' }), real: false },
    ];
  }
});
