/**
 * A real ending: the slides a talk showed stay served to the audience after End talk, through a
 * restart, and for the kept time (PAST_SLIDES_KEEP_MINUTES) after another deck goes live; a slide
 * never shown stays 404 throughout. The server's clock is the test's, so "after the kept time" is
 * one step of the clock, not minutes of waiting.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeckDetail } from '../../lib/slideshow/index';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import { TEST_MS, bearer, getJson, sendJson, uploadDeck } from '../helpers/slideshow-clients';

const KEEP_MS = 15 * 60_000;

async function deckOf(server: SlideshowTestServer, count: number, title: string): Promise<DeckDetail> {
  const files = await Promise.all(Array.from({ length: count }, async (_, i) => ({ name: `s${i + 1}.png`, data: await makeImage({ width: 200 + i, height: 135, format: 'png' }) })));
  const summary = await uploadDeck(server, files, title);
  return (await getJson<DeckDetail>(`${server.url}/api/decks/${summary.id}`, bearer(server))).body;
}

async function command(server: SlideshowTestServer, body: object): Promise<any> {
  const { status, body: state } = await sendJson('POST', `${server.url}/api/live`, body, bearer(server));
  assert.equal(status, 200, JSON.stringify(state));
  return state;
}

/** What an audience member (no credentials) gets for each slide of `deck`, 1-based. */
async function audienceStatuses(server: SlideshowTestServer, deck: DeckDetail): Promise<Record<number, number>> {
  const answers = await Promise.all(deck.slides.map(async (slide) => {
    const response = await fetch(`${server.url}${slide.src}`);
    await response.arrayBuffer();
    return [slide.slide, response.status] as const;
  }));
  return Object.fromEntries(answers);
}

const expect = (count: number, shown: number[]) => Object.fromEntries(Array.from({ length: count }, (_, i) => [i + 1, shown.includes(i + 1) ? 200 : 404]));

describe('the last talk stays browsable', () => {
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const now = () => clock;
  const servers: SlideshowTestServer[] = [];

  after(async () => {
    for (const server of servers) await server.close();
  });

  test('shown slides stay 200 after End talk, a restart and another deck going live, until the kept time; unshown stay 404', { timeout: TEST_MS }, async () => {
    const first = await startSlideshowServer({ clock: now, keepPastMs: KEEP_MS });
    servers.push(first);
    const talk = await deckOf(first, 8, 'The first talk');
    const next = await deckOf(first, 3, 'The next talk');
    await command(first, { deck: talk.id, slide: 1 });
    for (const slide of [2, 3, 4, 5]) await command(first, { slide });
    assert.deepEqual(await audienceStatuses(first, talk), expect(8, [1, 2, 3, 4, 5]), 'live: slides 1-5');

    const ended = await command(first, { live: false });
    assert.deepEqual({ live: ended.live, ended: ended.ended }, { live: false, ended: true });
    assert.deepEqual(await audienceStatuses(first, talk), expect(8, [1, 2, 3, 4, 5]), 'after End talk');
    clock += 3 * 60 * 60_000; // idle for hours: the slides stay until the next talk starts
    assert.deepEqual(await audienceStatuses(first, talk), expect(8, [1, 2, 3, 4, 5]), 'hours after End talk');

    // The record survives a restart (live.json, validated when read back).
    const { dataDir } = first;
    await first.close();
    servers.pop();
    const second = await startSlideshowServer({ dataDir, clock: now, keepPastMs: KEEP_MS });
    servers.push(second);
    assert.equal((await getJson(`${second.url}/api/live`)).body.ended, true, 'still ended after a restart');
    assert.deepEqual(await audienceStatuses(second, talk), expect(8, [1, 2, 3, 4, 5]), 'after a restart');

    await command(second, { deck: next.id, slide: 1 });
    assert.deepEqual(await audienceStatuses(second, next), expect(3, [1]), 'the next talk reveals afresh');
    clock += KEEP_MS - 1;
    assert.deepEqual(await audienceStatuses(second, talk), expect(8, [1, 2, 3, 4, 5]), 'within the kept time');
    clock += 1;
    assert.deepEqual(await audienceStatuses(second, talk), expect(8, []), 'after the kept time');
    assert.deepEqual(await audienceStatuses(second, next), expect(3, [1]), 'the live talk is untouched');
  });

  test('with a kept time of 0 a deck replaced mid-talk is hidden at once; an ended talk is still served while idle', { timeout: TEST_MS }, async () => {
    const server = await startSlideshowServer({ clock: now, keepPastMs: 0 });
    servers.push(server);
    const a = await deckOf(server, 3, 'A');
    const b = await deckOf(server, 3, 'B');
    await command(server, { deck: a.id, slide: 2 });
    await command(server, { deck: b.id, slide: 1 });
    assert.deepEqual(await audienceStatuses(server, a), expect(3, []), 'nothing kept with 0');
    await command(server, { live: false });
    assert.deepEqual(await audienceStatuses(server, b), expect(3, [1]), 'the ended talk is served while idle');
  });
});
