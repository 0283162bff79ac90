/**
 * The presenter's clock as the server keeps it: target, pause and resume in the talk record, on a
 * real live.json, so a restart (a reload, another presenter window) sees the same elapsed time.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePresenterCommand, type LiveState } from '../../../lib/slideshow/index';
import { LiveTalk, type DeckLookup, type LiveDeck } from '../../../server/slideshow/live-talk';
import { FileTalkStore } from '../../../server/slideshow/talk-store';

const deck: LiveDeck = {
  id: 'talk',
  title: 'Talk',
  slides: [1, 2].map((n) => ({ token: `t${n}`, shown: { slide: n, src: `/img/talk/${n}.jpg`, images: [], width: 16, height: 9, placeholder: 'data:,', alt: `Slide ${n}` } })),
};
const lookup: DeckLookup = { load: async (id) => (id === 'talk' ? deck : undefined) };

async function openTalk(clock: { now: number }, file?: string) {
  const at = file ?? path.join(await mkdtemp(path.join(tmpdir(), 'pacing-')), 'live.json');
  return { file: at, talk: await LiveTalk.open(at, lookup, () => clock.now) };
}

const live = (talk: LiveTalk) => talk.state() as LiveState;

describe('pacing', () => {
  test('targetMinutes sets and removes the target; pause and resume add up the paused time', async () => {
    const clock = { now: 1_000_000 };
    const { talk } = await openTalk(clock);
    await talk.apply({ deck: 'talk' });
    assert.equal((await talk.apply({ targetMinutes: 20 })).ok, true);
    assert.equal(live(talk).targetMs, 20 * 60_000);
    clock.now += 60_000;
    await talk.apply({ pause: true });
    assert.equal(live(talk).pausedAt, clock.now);
    clock.now += 30_000;
    await talk.apply({ pause: true }); // pausing again keeps the first pause
    assert.equal(live(talk).pausedAt, clock.now - 30_000);
    clock.now += 15_000;
    await talk.apply({ pause: false });
    assert.equal(live(talk).pausedAt, undefined);
    assert.equal(live(talk).pausedMs, 45_000);
    await talk.apply({ targetMinutes: 0 });
    assert.equal(live(talk).targetMs, undefined);
  });

  test('moving slides keeps the clock; a pause survives a restart of the server', async () => {
    const clock = { now: 5_000_000 };
    const { talk, file } = await openTalk(clock);
    await talk.apply({ deck: 'talk' });
    await talk.apply({ targetMinutes: 30 });
    await talk.apply({ pause: true });
    await talk.apply({ step: 1 });
    assert.equal(live(talk).pausedAt, 5_000_000);
    assert.equal(live(talk).blackout, false);
    await talk.close();
    const again = await openTalk(clock, file);
    assert.equal(live(again.talk).pausedAt, 5_000_000);
    assert.equal(live(again.talk).targetMs, 30 * 60_000);
    assert.equal(live(again.talk).slide, 2);
    await again.talk.close();
  });

  test('pacing needs a live talk; bad values are refused with a clear error', async () => {
    const { talk } = await openTalk({ now: 1 });
    assert.deepEqual(await talk.apply({ pause: true }), { ok: false, status: 409, code: 'not_live', error: 'no talk is live: send a deck first' });
    for (const bad of [{ targetMinutes: -1 }, { targetMinutes: 601 }, { targetMinutes: 2.5 }, { targetMinutes: '20' }, { pause: 'yes' }]) {
      assert.equal(parsePresenterCommand(bad).ok, false, JSON.stringify(bad));
    }
    assert.deepEqual(parsePresenterCommand({ targetMinutes: 600 }), { ok: true, value: { targetMinutes: 600 } });
  });

  test('a stored record with malformed pacing fields keeps the talk and drops only those fields', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'pacing-')), 'live.json');
    await writeFile(file, JSON.stringify({ seq: 4, deck: 'talk', slide: 1, revealed: [1], targetMs: 'soon', pausedAt: -5, pausedMs: 1.5 }));
    const store = await FileTalkStore.open(file);
    assert.deepEqual(store.current, { seq: 4, deck: 'talk', slide: 1, revealed: [1] });
    await store.close();
  });
});
