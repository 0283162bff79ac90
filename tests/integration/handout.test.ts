/**
 * The handout (`GET /api/handout.pdf`) on a real server: off unless the presenter switches it on
 * (`{ handout: true }`), then a PDF of exactly the slides shown, parsed back with pdf-lib: one
 * page per shown slide, each shown slide's JPEG bytes embedded, no byte of an unshown slide's
 * image anywhere in the file. Kept after End talk; gone when switched off or a new deck goes live.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PDFDocument } from 'pdf-lib';
import type { DeckDetail } from '../../lib/slideshow/index';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import { TEST_MS, bearer, disconnectAll, follower, getJson, sendJson, until, uploadDeck } from '../helpers/slideshow-clients';

async function deckOf(server: SlideshowTestServer, count: number, title: string): Promise<DeckDetail> {
  const files = await Promise.all(Array.from({ length: count }, async (_, i) => ({ name: `s${i + 1}.png`, data: await makeImage({ width: 400 + 10 * i, height: 225, format: 'png', noise: true }) })));
  const summary = await uploadDeck(server, files, title);
  return (await getJson<DeckDetail>(`${server.url}/api/decks/${summary.id}`, bearer(server))).body;
}

/** Every JPEG the deck has for a slide, as the presenter may load them. */
async function jpegsOf(server: SlideshowTestServer, slide: DeckDetail['slides'][number]): Promise<Buffer[]> {
  return Promise.all(slide.images.map(async (image) => Buffer.from(await (await fetch(`${server.url}${image.jpeg}`, { headers: bearer(server) })).arrayBuffer())));
}

async function handout(server: SlideshowTestServer): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const response = await fetch(`${server.url}/api/handout.pdf`);
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

describe('the handout', () => {
  let server: SlideshowTestServer;
  let deck: DeckDetail;
  const command = (body: object) => sendJson('POST', `${server.url}/api/live`, body, bearer(server));

  before(async () => {
    server = await startSlideshowServer({}, { timeout: 2_000 });
    deck = await deckOf(server, 4, 'Handout talk');
  });
  after(async () => {
    await disconnectAll();
    await server?.close();
  });

  test('nothing to hand out before a talk; presenters only', { timeout: TEST_MS }, async () => {
    const none = await handout(server);
    assert.equal(none.status, 404);
    assert.equal(JSON.parse(none.body.toString()).code, 'no_handout');
    const early = await command({ handout: true });
    assert.equal(early.status, 409, JSON.stringify(early.body));
    assert.equal((await sendJson('POST', `${server.url}/api/live`, { handout: true })).status, 401);
    assert.equal((await command({ handout: 'yes' })).status, 400);
  });

  test('while live and switched on: exactly the slides revealed, in deck order; the phone is told', { timeout: TEST_MS }, async () => {
    await command({ deck: deck.id, slide: 3 });
    await command({ slide: 1 });
    assert.equal((await handout(server)).status, 404, 'off until the presenter switches it on');
    const phone = await follower(server, 'websocket');
    const on = await command({ handout: true });
    assert.equal(on.status, 200);
    assert.equal(on.body.handout, true);
    assert.equal(on.body.slide, 1, 'switching it on moves nothing');
    await until(() => phone.states.some((state) => state.handout === true), 'the phone hears of the handout');

    const [first, second] = await Promise.all([handout(server), handout(server)]);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'application/pdf');
    assert.match(first.headers.get('content-disposition') ?? '', /^attachment; filename="Handout talk\.pdf"/);
    assert.deepEqual(first.body, second.body, 'one build shared');
    const pdf = await PDFDocument.load(first.body);
    assert.equal(pdf.getPageCount(), 2, 'slides 1 and 3');
    assert.equal(pdf.getTitle(), 'Handout talk');
    const widths = pdf.getPages().map((page) => Math.round(page.getWidth() / 0.75));
    assert.deepEqual(widths, [deck.slides[0]!.width, deck.slides[2]!.width], 'deck order, each page its slide');
    for (const n of [1, 3]) assert.ok((await jpegsOf(server, deck.slides[n - 1]!)).some((jpeg) => first.body.includes(jpeg)), `slide ${n}'s JPEG is embedded`);
    for (const n of [2, 4]) {
      // Any 2 KB of the image's entropy-coded data (past the headers every sharp JPEG shares).
      for (const jpeg of await jpegsOf(server, deck.slides[n - 1]!)) {
        const middle = Math.floor(jpeg.length / 2);
        assert.ok(jpeg.length > 8_192 && !first.body.includes(jpeg.subarray(middle, middle + 2_048)), `no byte run of unshown slide ${n}`);
      }
    }
    const etag = first.headers.get('etag')!;
    assert.equal((await fetch(`${server.url}/api/handout.pdf`, { headers: { 'if-none-match': etag } })).status, 304);

    await command({ slide: 2 });
    const grown = await PDFDocument.load((await handout(server)).body);
    assert.equal(grown.getPageCount(), 3, 'slide 2 now shown: a new build');
  });

  test('after End talk the ended talk\'s handout stays; off, or a new deck live, and it is gone', { timeout: TEST_MS }, async () => {
    const ended = await command({ live: false });
    assert.equal(ended.body.ended, true);
    assert.equal(ended.body.handout, true);
    const after = await handout(server);
    assert.equal(after.status, 200);
    assert.equal((await PDFDocument.load(after.body)).getPageCount(), 3);
    const off = await command({ handout: false });
    assert.equal(off.body.handout, undefined);
    assert.equal((await handout(server)).status, 404);
    assert.equal((await command({ handout: true })).body.handout, true, 'switched on again after the end');
    assert.equal((await handout(server)).status, 200);

    const other = await deckOf(server, 2, 'Next talk');
    const live = await command({ deck: other.id, slide: 1 });
    assert.equal(live.body.handout, undefined, 'a new talk starts without a handout');
    assert.equal((await handout(server)).status, 404);
    const endedAtOnce = await command({ live: false, handout: true });
    assert.equal(endedAtOnce.body.handout, true, 'end and offer in one command');
    assert.equal((await PDFDocument.load((await handout(server)).body)).getPageCount(), 1);
  });
});
