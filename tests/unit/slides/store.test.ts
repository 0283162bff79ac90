import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeckStore, type StoredDeck, deckDetail, deckSummary, shownSlide, urlsFor } from '../../../server/slides/index';
import { newDeckId, newToken } from '../../../server/slides/ids';
import { headingOf } from '../../../server/slides/deck-file';
import { useTempDeckStore } from '../../helpers/temp-deck-store';

const PLACEHOLDER = 'data:image/webp;base64,UklGRg==';

/** A deck committed the way buildDeck does it, with empty stand-ins for the image files. */
async function addDeck(store: DeckStore, fields: Partial<StoredDeck> = {}, widths = [640, 1280, 1920]): Promise<StoredDeck> {
  const build = await store.makeTempDir('build');
  const slides = [0, 1].map((i) => ({ token: newToken(), name: `Slide${i + 1}.png`, width: widths.at(-1)!, height: 1080, widths, placeholder: PLACEHOLDER }));
  for (const slide of slides) {
    for (const w of widths) for (const ext of ['webp', 'jpg']) await writeFile(path.join(build, `${slide.token}-${w}.${ext}`), '');
    await writeFile(path.join(build, `${slide.token}-thumb.webp`), '');
  }
  const deck: StoredDeck = { id: newDeckId(), title: 'Deck', createdAt: new Date().toISOString(), source: 'images', slides, ...fields };
  await store.commit(build, deck);
  return deck;
}

describe('DeckStore', () => {
  let dir: string;
  let store: DeckStore;
  const logged: string[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'deck-store-'));
    await mkdir(path.join(dir, '.tmp-build-leftover'));
    await writeFile(path.join(dir, '.tmp-build-leftover', 'x.webp'), 'half a deck');
    store = await DeckStore.open(dir, { log: (m) => void logged.push(m) });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('removes leftover temp folders on open', async () => {
    assert.deepEqual(await readdir(dir), []);
  });

  it('leaves temp folders alone when opened by a reader', async () => {
    const upload = await store.makeTempDir('upload');
    const reader = await DeckStore.open(dir, { removeLeftovers: false });
    assert.deepEqual(await reader.list(), []);
    assert.deepEqual(await readdir(dir), [path.basename(upload)]);
    await rm(upload, { recursive: true });
  });

  it('shows a deck only once it is committed, in one piece', async () => {
    const build = await store.makeTempDir('build');
    assert.match(path.basename(build), /^\.tmp-build-/);
    assert.deepEqual(await store.list(), [], 'a build folder is not a deck');
    await rm(build, { recursive: true });
    const deck = await addDeck(store);
    assert.deepEqual(await store.get(deck.id), deck);
    assert.deepEqual((await readdir(dir)).sort(), [deck.id]);
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, deck.id, 'deck.json'), 'utf8')), deck);
  });

  it('lists newest first, skipping temp, broken and foreign folders', async () => {
    const older = await addDeck(store, { createdAt: '2020-01-01T00:00:00.000Z', title: 'Old' });
    const newer = await addDeck(store, { createdAt: '2099-01-01T00:00:00.000Z', title: 'New' });
    await mkdir(path.join(dir, '.tmp-upload-inprogress'));
    await mkdir(path.join(dir, 'not-a-deck'));
    const broken = newDeckId();
    await mkdir(path.join(dir, broken));
    await writeFile(path.join(dir, broken, 'deck.json'), '{"id": "truncated');
    const list = await store.list();
    assert.equal(list[0]!.id, newer.id);
    assert.equal(list.at(-1)!.id, older.id);
    assert.ok(!list.some((deck) => deck.id === broken));
    assert.ok(logged.some((m) => m.includes(broken)), 'the broken deck is logged');
    assert.ok(logged.some((m) => m.includes('not-a-deck')));
    await rm(path.join(dir, broken), { recursive: true });
    await rm(path.join(dir, 'not-a-deck'), { recursive: true });
    await rm(path.join(dir, '.tmp-upload-inprogress'), { recursive: true });
  });

  it('renames with a trimmed title and an atomic rewrite', async () => {
    const deck = await addDeck(store);
    const result = await store.rename(deck.id, '  Roadmap\n2026 \t ');
    assert.deepEqual(result, { ok: true, deck: { ...deck, title: 'Roadmap 2026' } });
    assert.equal((await store.get(deck.id))!.title, 'Roadmap 2026');
    assert.ok(!(await readdir(path.join(dir, deck.id))).some((name) => name.startsWith('.tmp-')), 'no temp file left');
    assert.equal(JSON.parse(await readFile(path.join(dir, deck.id, 'deck.json'), 'utf8')).title, 'Roadmap 2026');
  });

  it('refuses empty or over-long titles and unknown decks', async () => {
    const deck = await addDeck(store);
    assert.equal((await store.rename(deck.id, '   ')).ok, false);
    assert.deepEqual(await store.rename(deck.id, 'x'.repeat(201)), { ok: false, status: 400, code: 'title_invalid', error: 'The title must be 1 to 200 characters, at least one of them visible.' });
    assert.equal((await store.rename(deck.id, 'é'.repeat(200))).ok, true, '200 characters are fine');
    assert.equal((await store.rename(newDeckId(), 'Title') as { status: number }).status, 404);
    assert.equal((await store.rename('../../etc', 'Title') as { status: number }).status, 404);
  });

  it('keeps every concurrent rename whole', async () => {
    const deck = await addDeck(store);
    const titles = Array.from({ length: 20 }, (_, i) => `Title ${i}`);
    await Promise.all(titles.map((title) => store.rename(deck.id, title)));
    assert.ok(titles.includes((await store.get(deck.id))!.title));
  });

  it('sees a deck.json rewritten by another process', async () => {
    const deck = await addDeck(store);
    await store.get(deck.id);
    const file = path.join(dir, deck.id, 'deck.json');
    await writeFile(`${file}.new`, JSON.stringify({ ...deck, title: 'Changed elsewhere' }));
    await import('node:fs/promises').then((fs) => fs.rename(`${file}.new`, file));
    assert.equal((await store.get(deck.id))!.title, 'Changed elsewhere');
  });

  it('deletes a deck and nothing else', async () => {
    const keep = await addDeck(store);
    const doomed = await addDeck(store);
    assert.equal(await store.delete(doomed.id), true);
    assert.equal(await store.get(doomed.id), undefined);
    assert.ok(!(await readdir(dir)).includes(doomed.id));
    assert.ok(!(await readdir(dir)).some((name) => name.startsWith('.tmp-')));
    assert.deepEqual(await store.get(keep.id), keep);
    assert.equal(await store.delete(doomed.id), false, 'already gone');
  });

  it('refuses path tricks as deck ids', async () => {
    for (const id of ['..', '../x', '.tmp-build-x', '/etc', 'ABCDEFGHIJKLMNOP', 'abcdefghijklmno', '']) {
      assert.equal(await store.delete(id), false, id);
      assert.equal(await store.get(id), undefined, id);
    }
  });

  it('maps image file names to paths only for files the deck made', async () => {
    const deck = await addDeck(store, {}, [640, 1000]);
    const token = deck.slides[1]!.token;
    for (const name of [`${token}-640.webp`, `${token}-1000.jpg`, `${token}-thumb.webp`]) {
      assert.equal(await store.imageFile(deck.id, name), path.join(dir, deck.id, name), name);
    }
    const other = newToken();
    const refused = [
      'deck.json',
      '../deck.json',
      `../${deck.id}/${token}-640.webp`,
      `${token}-1280.webp`, // not made: the source was 1000 px wide
      `${token}-640.png`,
      `${token}-thumb.jpg`,
      `${token}-0640.webp`,
      `${token.toUpperCase()}-640.webp`,
      `${other}-640.webp`, // well-formed, but no such slide
      `${token}-640.webp/`,
      `${token}-640.webp\0`,
      `%2e%2e%2f${token}-640.webp`,
    ];
    for (const name of refused) assert.equal(await store.imageFile(deck.id, name), undefined, name);
    assert.equal(await store.imageFile('../' + deck.id, `${token}-640.webp`), undefined);
    assert.equal(await store.imageFile(newDeckId(), `${token}-640.webp`), undefined, 'token of another deck');
  });

  it('finds a slide by its token', async () => {
    const deck = await addDeck(store);
    const found = await store.findSlide(deck.id, deck.slides[1]!.token);
    assert.equal(found?.index, 1);
    assert.equal(found?.slide.name, 'Slide2.png');
    assert.equal(await store.findSlide(deck.id, newToken()), undefined);
    assert.equal(await store.findSlide(deck.id, 'not-a-token'), undefined);
  });
});

describe('deck URLs and views', () => {
  const deck: StoredDeck = {
    id: 'abcdefghijklmnop',
    title: 'Talk',
    createdAt: '2025-01-01T00:00:00.000Z',
    source: 'pdf',
    slides: [
      { token: 'a'.repeat(32), name: 'page 1', width: 1920, height: 1080, widths: [640, 1280, 1920], placeholder: PLACEHOLDER, text: 'Roadmap for next year' },
      { token: 'b'.repeat(32), name: 'deck/Intro slide.png', width: 1000, height: 500, widths: [640, 1000], placeholder: PLACEHOLDER },
    ],
  };

  it('lists every size ascending, src the JPEG closest to 1280 px', () => {
    const urls = urlsFor(deck, deck.slides[0]!);
    assert.deepEqual(urls.images.map((image) => [image.width, image.height]), [[640, 360], [1280, 720], [1920, 1080]]);
    assert.equal(urls.images[0]!.webp, `/img/${deck.id}/${'a'.repeat(32)}-640.webp`);
    assert.equal(urls.src, `/img/${deck.id}/${'a'.repeat(32)}-1280.jpg`);
    assert.equal(urls.thumbnail, `/img/${deck.id}/${'a'.repeat(32)}-thumb.webp`);
    assert.equal(urlsFor(deck, deck.slides[1]!, '/images').src, `/images/${deck.id}/${'b'.repeat(32)}-1000.jpg`);
  });

  it('builds the summary, the detail and the shown slide', () => {
    assert.deepEqual(deckSummary(deck), {
      id: deck.id,
      title: 'Talk',
      count: 2,
      createdAt: deck.createdAt,
      thumbnail: `/img/${deck.id}/${'a'.repeat(32)}-thumb.webp`,
      thumbnailSrcSet: `/img/${deck.id}/${'a'.repeat(32)}-thumb.webp 320w, /img/${deck.id}/${'a'.repeat(32)}-640.webp 640w, /img/${deck.id}/${'a'.repeat(32)}-1280.webp 1280w`,
      source: 'pdf',
    });
    const detail = deckDetail(deck);
    assert.equal(detail.slides.length, 2);
    assert.equal(detail.slides[1]!.name, 'deck/Intro slide.png');
    assert.equal(detail.slides[1]!.alt, 'Slide 2 of 2', 'an image without text: its number, never its file name');
    assert.equal(detail.slides[0]!.alt, 'Slide 1 of 2: Roadmap for next year');
    assert.equal(detail.slides[0]!.text, 'Roadmap for next year');
    assert.equal('text' in detail.slides[1]!, false);
    assert.equal(shownSlide(deck, 2)?.slide, 2);
    assert.equal(shownSlide(deck, 0), undefined);
    assert.equal(shownSlide(deck, 3), undefined);
  });
});

describe('DeckStore: speaker notes', () => {
  const temp = useTempDeckStore('deck-notes-');

  it('sets one slide\'s notes (normalised, line breaks kept), removes them with "", and keeps them in deck.json', async () => {
    const deck = await addDeck(temp.store);
    const set = await temp.store.setNotes(deck.id, 2, 'Say hello\r\n\r\n  then the demo  \n');
    assert.ok(set.ok);
    assert.equal(set.deck.slides[1]!.notes, 'Say hello\n\n  then the demo');
    assert.equal(set.deck.slides[0]!.notes, undefined);
    const onDisk = JSON.parse(await readFile(path.join(temp.dir, deck.id, 'deck.json'), 'utf8')) as StoredDeck;
    assert.equal(onDisk.slides[1]!.notes, 'Say hello\n\n  then the demo');
    assert.equal(deckDetail(onDisk).slides[1]!.notes, 'Say hello\n\n  then the demo');
    assert.equal(shownSlide(onDisk, 2)!.hasOwnProperty('notes'), false, 'the audience\'s slide never carries notes');
    const removed = await temp.store.setNotes(deck.id, 2, '  ');
    assert.ok(removed.ok && !('notes' in removed.deck.slides[1]!));
  });

  it('refuses bad input with a stable code and writes nothing', async () => {
    const deck = await addDeck(temp.store);
    await temp.store.setNotes(deck.id, 1, 'kept');
    const cases: Array<[string, number, unknown, string]> = [
      [deck.id, 1, 'x'.repeat(20_001), 'notes_too_long'],
      [deck.id, 1, 42, 'notes_invalid'],
      [deck.id, 3, 'x', 'no_such_slide'],
      [deck.id, 0, 'x', 'no_such_slide'],
      ['nodeckhere', 1, 'x', 'no_such_deck'],
    ];
    for (const [id, n, notes, code] of cases) {
      const result = await temp.store.setNotes(id, n, notes);
      assert.ok(!result.ok && result.code === code, `${code}: ${JSON.stringify(result)}`);
    }
    assert.equal((await temp.store.get(deck.id))!.slides[0]!.notes, 'kept');
  });
});

describe('alt text', () => {
  const temp = useTempDeckStore('deck-alt-');

  it('defaults to the page\'s first line of text, else to the slide number, never the file name', () => {
    assert.equal(headingOf('\n  •  \n  Quarterly   results \nRevenue grew 12 %\n'), 'Quarterly results');
    assert.equal(headingOf(' \n - \n'), undefined);
    const deck: StoredDeck = {
      id: 'abcdefghijklmnop', title: 'Talk', createdAt: '2025-01-01T00:00:00.000Z', source: 'pdf',
      slides: [
        { token: 'a'.repeat(32), name: 'page 1', width: 16, height: 9, widths: [16], placeholder: PLACEHOLDER, text: 'Roadmap Next year we ship', heading: 'Roadmap' },
        { token: 'b'.repeat(32), name: 'slide-03.png', width: 16, height: 9, widths: [16], placeholder: PLACEHOLDER },
        { token: 'c'.repeat(32), name: 'page 3', width: 16, height: 9, widths: [16], placeholder: PLACEHOLDER, text: 'word '.repeat(60).trim() },
      ],
    };
    assert.equal(shownSlide(deck, 1)!.alt, 'Slide 1 of 3: Roadmap');
    assert.equal(shownSlide(deck, 2)!.alt, 'Slide 2 of 3');
    const long = shownSlide(deck, 3)!.alt;
    assert.ok(long.startsWith('Slide 3 of 3: word word') && long.endsWith('…') && long.length < 160, long);
  });

  it('sets one slide\'s alt text (one line, normalised), goes back to the default with "", and keeps the notes', async () => {
    const deck = await addDeck(temp.store);
    await temp.store.setNotes(deck.id, 2, 'kept notes');
    const set = await temp.store.editSlide(deck.id, 2, { alt: '  A rising\nline   chart \u0007' });
    assert.ok(set.ok);
    assert.equal(set.deck.slides[1]!.alt, 'A rising line chart');
    assert.equal(set.deck.slides[1]!.notes, 'kept notes');
    const onDisk = (await temp.store.get(deck.id))!;
    assert.equal(shownSlide(onDisk, 2)!.alt, 'Slide 2 of 2: A rising line chart');
    assert.equal(deckDetail(onDisk).slides[1]!.altText, 'A rising line chart');
    assert.equal('altText' in shownSlide(onDisk, 2)!, false, 'the audience gets the alt, not the editing field');
    const reset = await temp.store.editSlide(deck.id, 2, { alt: ' ' });
    assert.ok(reset.ok && !('alt' in reset.deck.slides[1]!));
    assert.equal(shownSlide((await temp.store.get(deck.id))!, 2)!.alt, 'Slide 2 of 2');
  });

  it('refuses bad alt text with a stable code and writes nothing', async () => {
    const deck = await addDeck(temp.store);
    await temp.store.editSlide(deck.id, 1, { alt: 'kept' });
    const cases: Array<[unknown, string]> = [['x'.repeat(501), 'alt_too_long'], [42, 'alt_invalid'], [null, 'alt_invalid'], [['a'], 'alt_invalid']];
    for (const [alt, code] of cases) {
      const result = await temp.store.editSlide(deck.id, 1, { alt });
      assert.ok(!result.ok && result.code === code, `${code}: ${JSON.stringify(result)}`);
    }
    const both = await temp.store.editSlide(deck.id, 1, { alt: 'new', notes: 7 });
    assert.ok(!both.ok && both.code === 'notes_invalid', 'one bad field refuses the whole edit');
    assert.ok((await temp.store.editSlide(deck.id, 1, { alt: 'x'.repeat(500) })).ok, '500 characters are fine');
    await temp.store.editSlide(deck.id, 1, { alt: 'kept' });
    assert.equal((await temp.store.get(deck.id))!.slides[0]!.alt, 'kept');
  });
});
