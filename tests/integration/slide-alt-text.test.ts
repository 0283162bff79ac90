/**
 * Alt text per slide over HTTP (docs/api.md, `PATCH /api/decks/:id/slides/:n` `{ alt }`) on a real
 * server, with a real CometD phone: the presenter's words reach the phone only with their slide,
 * once that slide is shown, and never a file name.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeckDetail, DeckSummary, LiveState } from '../../lib/slideshow/index';
import { makeImage } from '../helpers/slide-fixtures';
import { useSlideshowServer } from '../helpers/slideshow-server';
import { assertPatchesRefused, deckSlides, patchSlide, type Refusal, slideUrl, TEST_MS, bearer, disconnectAll, follower, getJson, sendJson, until, uploadDeck } from '../helpers/slideshow-clients';

const png = (width: number) => makeImage({ width, height: 180, format: 'png' });
const SECRET_ALT = 'Chart of the unreleased prices, rising';

describe('alt text per slide', () => {
  // Registered first, so it runs first: the clients leave before the server closes.
  after(() => disconnectAll());
  const server = useSlideshowServer({}, { timeout: 2_000 });
  let deck: DeckSummary;
  const altUrl = (n: number, id = deck.id) => slideUrl(server, id, n);

  before(async () => {
    const files = await Promise.all([320, 330, 340].map(async (width, i) => ({ name: `slide-0${i + 1}.png`, data: await png(width) })));
    deck = await uploadDeck(server, files, 'Alt deck');
  });

  test('slides from image files default to their number, never the file name; PATCH sets and resets the alt', { timeout: TEST_MS }, async () => {
    assert.deepEqual((await deckSlides(server, deck.id)).map((slide) => slide.alt), ['Slide 1 of 3', 'Slide 2 of 3', 'Slide 3 of 3']);
    const set = await patchSlide(server, deck.id, 3, { alt: '  Team   photo\non the roof ' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.altText, 'Team photo on the roof');
    assert.equal(set.body.alt, 'Slide 3 of 3: Team photo on the roof');
    assert.equal((await deckSlides(server, deck.id))[2]!.alt, 'Slide 3 of 3: Team photo on the roof');
    const reset = await patchSlide(server, deck.id, 3, { alt: '' });
    assert.equal(reset.status, 200);
    assert.equal('altText' in reset.body, false);
    assert.equal(reset.body.alt, 'Slide 3 of 3');
  });

  test('bad alt text gets a clear error with a stable code and changes nothing', { timeout: TEST_MS }, async () => {
    await sendJson('PATCH', altUrl(1), { alt: 'keep me' }, bearer(server));
    const cases: Refusal[] = [
      [altUrl(1), { alt: 'x'.repeat(501) }, 413, 'alt_too_long'],
      [altUrl(1), { alt: 7 }, 400, 'alt_invalid'],
      [altUrl(1), { alt: null }, 400, 'alt_invalid'],
      [altUrl(1), { alt: 'fine', notes: false }, 400, 'notes_invalid'],
      [altUrl(9), { alt: 'x' }, 404, 'no_such_slide'],
      [altUrl(1, 'missing-deck'), { alt: 'x' }, 404, 'no_such_deck'],
    ];
    await assertPatchesRefused(cases, bearer(server));
    assert.equal((await sendJson('PATCH', altUrl(1), { alt: 'x' })).status, 401, 'presenters only');
    const detail = await getJson<DeckDetail>(`${server.url}/api/decks/${deck.id}`, bearer(server));
    assert.equal(detail.body.slides[0]!.altText, 'keep me');
    assert.equal(detail.body.slides[0]!.alt, 'Slide 1 of 3: keep me');
  });

  test('a phone gets a slide\'s alt text only with that slide, once shown; an edit on the live deck reaches it', { timeout: TEST_MS }, async () => {
    assert.equal((await sendJson('PATCH', altUrl(2), { alt: SECRET_ALT }, bearer(server))).status, 200);
    await sendJson('POST', `${server.url}/api/live`, { deck: deck.id, slide: 1 }, bearer(server));
    const phone = await follower(server, 'websocket');
    await until(() => phone.states.length > 0, 'the phone\'s first state');
    assert.equal(phone.states[0].alt, 'Slide 1 of 3: keep me');
    const live = await getJson<LiveState>(`${server.url}/api/live`);
    assert.ok(!JSON.stringify(live.body).includes(SECRET_ALT), 'GET /api/live: not before slide 2 is shown');
    assert.ok(!phone.wire.join('\n').includes(SECRET_ALT), 'the phone\'s wire: not before slide 2 is shown');

    await sendJson('POST', `${server.url}/api/live`, { slide: 2 }, bearer(server));
    await until(() => phone.states.some((state) => state.slide === 2), 'slide 2 on the phone');
    assert.equal(phone.states.find((state) => state.slide === 2).alt, `Slide 2 of 3: ${SECRET_ALT}`);

    // Editing the slide on screen: the phones get it with a new state of the same slide.
    const seen = phone.states.length;
    await sendJson('PATCH', altUrl(2), { alt: 'Prices, now public' }, bearer(server));
    await until(() => phone.states.length > seen, 'the edited state');
    assert.equal(phone.states.at(-1).slide, 2);
    assert.equal(phone.states.at(-1).alt, 'Slide 2 of 3: Prices, now public');
    // Slide 3 was never shown: nothing of it, alt included, went to the phone.
    assert.ok(!phone.wire.some((message) => message.includes('Slide 3 of 3')), 'nothing of slide 3');
  });
});
