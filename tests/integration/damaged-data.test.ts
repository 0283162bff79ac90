/**
 * Damaged files in the data folder, on a real server restarted over them: a damaged `live.json`
 * is kept aside and logged, and the server starts idle and serves every phone; a live talk that
 * names slides its deck does not have starts idle too; a deck whose deck.json is gone or damaged
 * is logged with its folder.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DeckSummary } from '../../lib/slideshow/index';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import { Phone } from '../helpers/cometd-phone';
import { TEST_MS, bearer, getJson, sendJson, uploadDeck } from '../helpers/slideshow-clients';

/** Console lines the server wrote while `work` ran (its default logs go to the console). */
async function capturingLogs<T>(work: () => Promise<T>): Promise<{ value: T; logs: string[] }> {
  const logs: string[] = [];
  const original = { warn: console.warn, error: console.error };
  console.warn = (...args: unknown[]) => void logs.push(args.map(String).join(' '));
  console.error = console.warn;
  try {
    return { value: await work(), logs };
  } finally {
    Object.assign(console, original);
  }
}

describe('damaged files in the data folder', () => {
  let dataDir: string;
  let deck: DeckSummary;

  before(async () => {
    const first = await startSlideshowServer();
    dataDir = first.dataDir;
    const slides = await Promise.all(Array.from({ length: 6 }, (_, n) => makeImage({ width: 320 + n, height: 180, format: 'png' })));
    deck = await uploadDeck(first, slides.map((data, n) => ({ name: `${n + 1}.png`, data })), 'Six slides');
    await first.close();
  });

  async function restartWith(liveJson: string): Promise<{ server: SlideshowTestServer; logs: string[] }> {
    for (const name of await readdir(dataDir)) if (name.startsWith('live.json')) await rm(path.join(dataDir, name));
    await writeFile(path.join(dataDir, 'live.json'), liveJson);
    const { value: server, logs } = await capturingLogs(() => startSlideshowServer({ dataDir }));
    return { server, logs };
  }

  /** The server serves the audience: /api/live answers, and a new phone gets a state. */
  async function servesPhones(server: SlideshowTestServer): Promise<void> {
    const live = await getJson(`${server.url}/api/live`);
    assert.equal(live.status, 200);
    assert.equal(live.body.live, false);
    const phone = new Phone('phone', server.endpoint, 'long-polling');
    try {
      await phone.join();
      assert.equal(phone.latest?.live, false);
    } finally {
      phone.leave();
    }
  }

  const cases = (): Array<[string, string]> => [
    ['truncated', `{"seq":41,"deck":"${deck.id}","slide":2,"reve`],
    ['empty', ''],
    ['garbage', 'garbage \u0000\u0001'],
    ['revealed:"x"', JSON.stringify({ seq: 9, deck: deck.id, slide: 1, revealed: 'x' })],
    ['slide:1.5', JSON.stringify({ seq: 9, deck: deck.id, slide: 1.5, revealed: [1] })],
    ['slide:"2"', JSON.stringify({ seq: 9, deck: deck.id, slide: '2', revealed: [1, 2] })],
  ];

  test('each reported damage: kept aside, logged, the server starts idle and serves phones', { timeout: TEST_MS }, async () => {
    for (const [name, text] of cases()) {
      const { server, logs } = await restartWith(text);
      try {
        assert.ok(logs.some((line) => /live\.json is damaged/.test(line) && /kept as live\.json\.corrupt-/.test(line)), `${name}: ${logs.join('\n')}`);
        const aside = (await readdir(dataDir)).filter((file) => file.startsWith('live.json.corrupt-'));
        assert.equal(aside.length, 1, name);
        assert.equal(await readFile(path.join(dataDir, aside[0]!), 'utf8'), text, `${name}: kept as it was`);
        await servesPhones(server);
        // The talk can start again, and a step moves one slide (slide:"2" made it jump to the end).
        assert.equal((await sendJson('POST', `${server.url}/api/live`, { deck: deck.id }, bearer(server))).body.slide, 1);
        const stepped = await sendJson('POST', `${server.url}/api/live`, { step: 1 }, bearer(server));
        assert.equal(stepped.body.slide, 2, name);
        assert.ok(stepped.body.seq > 9, `${name}: seq ${stepped.body.seq} is above anything a phone saw`);
        assert.equal(await readFile(path.join(dataDir, aside[0]!), 'utf8'), text, `${name}: never overwritten`);
      } finally {
        await server.close();
      }
    }
  });

  test('a talk naming slide 99 of a 6-slide deck starts idle, logged, and every new phone gets a state', { timeout: TEST_MS }, async () => {
    const { server, logs } = await restartWith(JSON.stringify({ seq: 9, deck: deck.id, slide: 2, revealed: [1, 2, 99] }));
    try {
      assert.ok(logs.some((line) => /names slide 99 of deck .* which has 6/.test(line)), logs.join('\n'));
      await servesPhones(server);
    } finally {
      await server.close();
    }
  });

  test('a deck whose deck.json was deleted or damaged is logged with its folder', { timeout: TEST_MS }, async () => {
    await writeFile(path.join(dataDir, 'live.json'), '{"seq":1}');
    const deckJson = path.join(dataDir, deck.id, 'deck.json');
    const original = await readFile(deckJson, 'utf8');
    try {
      for (const [damage, expected] of [[() => rm(deckJson), /deck\.json is missing/], [() => writeFile(deckJson, '{"id":'), /deck\.json is damaged \(not JSON\)/]] as const) {
        await damage();
        const { value: server, logs } = await capturingLogs(() => startSlideshowServer({ dataDir }));
        try {
          const line = logs.find((entry) => expected.test(entry));
          assert.ok(line, logs.join('\n'));
          assert.ok(line.includes(path.join(dataDir, deck.id)), `names the folder: ${line}`);
          assert.deepEqual((await getJson(`${server.url}/api/decks`, bearer(server))).body, []);
        } finally {
          await server.close();
        }
      }
    } finally {
      await writeFile(deckJson, original);
    }
  });
});
