/**
 * The library's API polish on a real server: JSON answers compressed as the client accepts
 * (brotli, gzip, or none, with `Vary: Accept-Encoding`), and a deck of several images with no
 * title named after its files rather than "Untitled deck".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { DeckDetail, DeckSummary } from '../../lib/slideshow/index';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import { TEST_MS, uploadDeck } from '../helpers/slideshow-clients';

/** A raw GET (no client-side decoding), with the headers and the bytes as sent. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.end();
  });
}

const png = (width: number) => makeImage({ width, height: 180, format: 'png' });

describe('library API: compression and default titles', () => {
  let server: SlideshowTestServer;
  let deck: DeckSummary;
  const auth = () => ({ authorization: `Bearer ${server.key}` });

  before(async () => {
    server = await startSlideshowServer({}, { timeout: 2_000 });
    const files = await Promise.all([1, 2, 3, 10].map(async (n) => ({ name: `Quarterly review ${n}.png`, data: await png(300 + n) })));
    deck = await uploadDeck(server, files);
  });
  after(() => server?.close());

  test('several images without a title: the title is what their file names share', { timeout: TEST_MS }, async () => {
    assert.equal(deck.title, 'Quarterly review');
    const different = await uploadDeck(server, await Promise.all(['b-roll.png', 'agenda.png'].map(async (name) => ({ name, data: await png(300) }))));
    assert.equal(different.title, 'agenda', 'nothing shared: the first slide\'s file name');
    const titled = await uploadDeck(server, await Promise.all(['x1.png', 'x2.png'].map(async (name) => ({ name, data: await png(300) }))), 'Given title');
    assert.equal(titled.title, 'Given title', 'a given title wins');
  });

  test('GET /api/decks/:id is brotli or gzip as accepted, identical once decoded, and says Vary', { timeout: TEST_MS }, async () => {
    const url = `${server.url}/api/decks/${deck.id}`;
    const plain = await rawGet(url, auth());
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding: identity');
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    const json = JSON.parse(plain.body.toString('utf8')) as DeckDetail;
    assert.equal(json.id, deck.id);

    const br = await rawGet(url, { ...auth(), 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.equal(Number(br.headers['content-length']), br.body.length);
    assert.deepEqual(brotliDecompressSync(br.body), plain.body);
    assert.ok(br.body.length < plain.body.length / 2, `compressed ${br.body.length} of ${plain.body.length} bytes`);

    const gz = await rawGet(url, { ...auth(), 'accept-encoding': 'gzip;q=1, br;q=0' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.body), plain.body);

    const refused = await rawGet(url, { ...auth(), 'accept-encoding': 'br;q=0, gzip;q=0' });
    assert.equal(refused.headers['content-encoding'], undefined);
    assert.deepEqual(refused.body, plain.body);
  });

  test('other JSON answers are compressed too; tiny ones go as they are', { timeout: TEST_MS }, async () => {
    for (const title of ['Fourth deck', 'Fifth deck', 'Sixth deck', 'Seventh deck']) await uploadDeck(server, [{ name: 'a.png', data: await png(300) }], title);
    const plainList = await rawGet(`${server.url}/api/decks`, auth());
    assert.ok(plainList.body.length >= 1024, `the list is ${plainList.body.length} bytes: worth compressing`);
    const list = await rawGet(`${server.url}/api/decks`, { ...auth(), 'accept-encoding': 'gzip' });
    assert.equal(list.status, 200);
    assert.equal(list.headers['content-encoding'], 'gzip');
    assert.ok((JSON.parse(gunzipSync(list.body).toString('utf8')) as DeckSummary[]).some((d) => d.id === deck.id));
    const tiny = await rawGet(`${server.url}/api/live`, { 'accept-encoding': 'br' });
    assert.equal(tiny.status, 200);
    assert.equal(tiny.headers['content-encoding'], undefined, `${tiny.body.length} bytes: not worth it`);
    assert.equal(tiny.headers.vary, 'Accept-Encoding');
    const error = await rawGet(`${server.url}/api/decks/nosuchdeck`, { ...auth(), 'accept-encoding': 'br' });
    assert.equal(error.status, 404);
    assert.equal(JSON.parse(error.body.toString('utf8')).code, 'no_such_deck');
  });
});
