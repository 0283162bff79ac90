import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SlideshowState } from '../../../lib/slideshow/index';
import { LiveTalk, type DeckLookup, type LiveDeck } from '../../../server/slideshow/live-talk';

function deck(id: string, count: number): LiveDeck {
  return {
    id,
    title: `Deck ${id}`,
    slides: Array.from({ length: count }, (_, i) => ({
      token: `${id}-token-${i + 1}`,
      shown: { slide: i + 1, src: `/img/${id}/${i + 1}.jpg`, images: [], width: 1600, height: 900, placeholder: 'data:,', alt: `Slide ${i + 1} of ${count}` },
    })),
  };
}

const decks: Record<string, LiveDeck> = { talk: deck('talk', 40), other: deck('other', 3) };
const lookup: DeckLookup = { load: async (id) => decks[id] };

async function openTalk() {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'live-')), 'live.json');
  return { file, talk: await LiveTalk.open(file, lookup) };
}

describe('live talk', () => {
  test('starts idle; going live shows slide 1; moving reveals only the slides shown', async () => {
    const { talk } = await openTalk();
    assert.equal(talk.state().live, false);
    const live = await talk.apply({ deck: 'talk' });
    assert.ok(live.ok && live.state.live && live.state.slide === 1 && live.state.count === 40);
    await talk.apply({ slide: 3 });
    await talk.apply({ slide: 40 });
    for (const n of [1, 3, 40]) assert.equal(talk.isRevealed('talk', `talk-token-${n}`), true, `slide ${n}`);
    for (const n of [2, 4, 20, 39]) assert.equal(talk.isRevealed('talk', `talk-token-${n}`), false, `slide ${n}`);
    assert.equal(talk.isRevealed('other', 'talk-token-1'), false);
  });

  test('steps stay inside the deck; out-of-range slides and unknown decks are refused', async () => {
    const { talk } = await openTalk();
    assert.deepEqual(await talk.apply({ slide: 2 }), { ok: false, status: 409, code: 'not_live', error: 'no talk is live: send a deck first' });
    await talk.apply({ deck: 'other' });
    await talk.apply({ step: -1 });
    assert.equal((talk.state() as { slide: number }).slide, 1);
    await talk.apply({ step: 1 });
    await talk.apply({ step: 1 });
    await talk.apply({ step: 1 });
    assert.equal((talk.state() as { slide: number }).slide, 3);
    const past = await talk.apply({ slide: 4 });
    assert.equal(past.ok, false);
    assert.ok(!past.ok && past.code === 'slide_out_of_range');
    const unknown = await talk.apply({ deck: 'nope' });
    assert.ok(!unknown.ok && unknown.status === 404 && unknown.code === 'no_such_deck');
  });

  test('seq grows with every change; history lists the revealed slides in order', async () => {
    const { talk } = await openTalk();
    const seqs: number[] = [];
    for (const command of [{ deck: 'talk' }, { slide: 14 }, { slide: 5 }, { blackout: true }]) {
      const result = await talk.apply(command);
      assert.ok(result.ok);
      seqs.push(result.state.seq);
    }
    assert.deepEqual(seqs, [1, 2, 3, 4]);
    const state = talk.change.replay;
    assert.ok(state.live);
    assert.equal(state.blackout, true);
    assert.deepEqual(state.history?.map((s) => s.slide), [1, 5, 14]);
    assert.equal(talk.state().live && 'history' in talk.state(), false, 'broadcasts carry no history');
  });

  test('moving on lifts a blackout', async () => {
    const { talk } = await openTalk();
    await talk.apply({ deck: 'talk' });
    await talk.apply({ blackout: true });
    const moved = await talk.apply({ step: 1 });
    assert.ok(moved.ok && moved.state.live && moved.state.blackout === false);
  });

  test('the join QR goes up and down on command, survives a restart, and moving on takes it down', async () => {
    const { file, talk } = await openTalk();
    assert.deepEqual(await talk.apply({ qr: true }), { ok: false, status: 409, code: 'not_live', error: 'no talk is live: send a deck first' });
    await talk.apply({ deck: 'talk' });
    assert.ok(talk.state().live && !('qr' in talk.state()), 'a new talk starts without the QR');
    const up = await talk.apply({ qr: true });
    assert.ok(up.ok && up.state.live && up.state.qr === true && up.state.slide === 1);
    const restarted = await LiveTalk.open(file, lookup);
    assert.ok(restarted.state().live && (restarted.state() as { qr?: boolean }).qr === true);
    const down = await restarted.apply({ qr: false });
    assert.ok(down.ok && down.state.live && !('qr' in down.state));
    await restarted.apply({ qr: true });
    const moved = await restarted.apply({ step: 1 });
    assert.ok(moved.ok && moved.state.live && moved.state.slide === 2 && !('qr' in moved.state));
    const ended = await restarted.apply({ live: false });
    assert.ok(ended.ok && !('qr' in ended.state));
  });

  test('a restart resumes the same slide, reveals and seq; a new deck starts a new talk', async () => {
    const { file, talk } = await openTalk();
    await talk.apply({ deck: 'talk', slide: 7 });
    await talk.apply({ slide: 9 });
    let clock = 1_000_000;
    const restarted = await LiveTalk.open(file, lookup, () => clock, { keepPastMs: 60_000 });
    const state = restarted.state();
    assert.ok(state.live && state.slide === 9 && state.seq === 2);
    assert.equal(restarted.isRevealed('talk', 'talk-token-7'), true);
    assert.equal(JSON.parse(await readFile(file, 'utf8')).slide, 9);
    await restarted.apply({ deck: 'other' });
    // The replaced talk's shown slides stay for phones still reviewing them, for the kept time only.
    assert.equal(restarted.isRevealed('talk', 'talk-token-9'), true);
    assert.equal(restarted.isRevealed('talk', 'talk-token-8'), false, 'never a slide not shown');
    clock += 60_000;
    assert.equal(restarted.isRevealed('talk', 'talk-token-9'), false);
    assert.equal(restarted.isRevealed('other', 'other-token-1'), true);
    const ended = await restarted.apply({ live: false });
    assert.ok(ended.ok && ended.state.live === false && ended.state.seq === 4);
  });

  test('concurrent commands apply one after another', async () => {
    const { talk } = await openTalk();
    await talk.apply({ deck: 'talk' });
    const results = await Promise.all(Array.from({ length: 10 }, () => talk.apply({ step: 1 })));
    assert.deepEqual(results.map((r) => (r.ok && r.state.live ? r.state.slide : 0)), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});

describe('live talk and the library', () => {
  test('renaming the live deck gives everyone the new title; other decks change nothing', async () => {
    const titles: Record<string, string> = { talk: 'Old title' };
    const renaming: DeckLookup = { load: async (id) => (decks[id] ? { ...decks[id]!, title: titles[id] ?? decks[id]!.title } : undefined) };
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'live-')), 'live.json');
    const talk = await LiveTalk.open(file, renaming);
    await talk.apply({ deck: 'talk', slide: 2 });
    const changes: SlideshowState[] = [];
    talk.onChange((change) => changes.push(change.state));
    await talk.deckRenamed('other');
    assert.equal(changes.length, 0, 'renaming another deck changes nothing');
    titles.talk = 'New title';
    await talk.deckRenamed('talk');
    const state = changes[0];
    assert.equal(changes.length, 1);
    assert.ok(state?.live && state.title === 'New title' && state.slide === 2 && state.seq === 2);
    assert.deepEqual(talk.state(), state, 'the state broadcast is the talk\'s state');
  });
});

describe('the waiting screen', () => {
  test('an upcoming title is shown while idle, kept across a restart, and gone once the talk starts', async () => {
    const { file, talk } = await openTalk();
    const announced = await talk.apply({ live: false, title: 'Bayeux in practice' });
    assert.ok(announced.ok && !announced.state.live && announced.state.title === 'Bayeux in practice');
    const restarted = await LiveTalk.open(file, lookup);
    const idle = restarted.state();
    assert.ok(!idle.live && idle.title === 'Bayeux in practice');
    await restarted.apply({ deck: 'talk' });
    const ended = await restarted.apply({ live: false });
    assert.ok(ended.ok && !ended.state.live && ended.state.title === undefined);
  });

  test('a title only goes with live: false', async () => {
    const { parsePresenterCommand } = await import('../../../lib/slideshow/parse');
    assert.equal(parsePresenterCommand({ title: 'x' }).ok, false);
    assert.equal(parsePresenterCommand({ live: false, title: '   ' }).ok, false);
    assert.equal(parsePresenterCommand({ live: false, title: 'y'.repeat(201) }).ok, false);
    assert.deepEqual(parsePresenterCommand({ live: false, title: '  My   talk ' }), { ok: true, value: { live: false, title: 'My talk' } });
    assert.deepEqual(parsePresenterCommand({ qr: true }), { ok: true, value: { qr: true } });
    assert.deepEqual(parsePresenterCommand({ qr: 'yes' }), { ok: false, error: 'qr must be true or false' });
  });
});

describe('live talk: the handout', () => {
  test('offers exactly the revealed slides while live and the ended talk\'s after the end; survives a restart; a new deck starts without', async () => {
    const { file, talk } = await openTalk();
    assert.equal(talk.handout(), undefined);
    await talk.apply({ deck: 'talk', slide: 5 });
    await talk.apply({ slide: 2 });
    assert.equal(talk.handout(), undefined, 'off until switched on');
    const on = await talk.apply({ handout: true });
    assert.ok(on.ok && on.state.live && on.state.handout === true && on.state.slide === 2);
    assert.deepEqual(talk.handout()?.tokens.sort(), ['talk-token-2', 'talk-token-5']);
    await talk.apply({ live: false });
    const restarted = await LiveTalk.open(file, lookup);
    const idle = restarted.state();
    assert.ok(!idle.live && idle.ended === true && idle.handout === true);
    assert.deepEqual(restarted.handout(), { deck: 'talk', tokens: ['talk-token-5', 'talk-token-2'] });
    await restarted.apply({ handout: false });
    assert.equal(restarted.handout(), undefined);
    assert.equal((restarted.state() as { handout?: true }).handout, undefined);
    await restarted.apply({ handout: true });
    await restarted.apply({ deck: 'other' });
    assert.equal(restarted.handout(), undefined, 'a new deck: no handout until switched on');
    assert.equal((restarted.state() as { handout?: true }).handout, undefined);
  });

  test('nothing to hand out before any talk', async () => {
    const { talk } = await openTalk();
    const refused = await talk.apply({ handout: true });
    assert.ok(!refused.ok && refused.status === 409);
  });
});
