/**
 * The one-node talk store against a real file: `live.json` is rewritten in place, padded to the
 * longest record, and reads back as the newest record whatever came before it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileTalkStore, type TalkRecord } from '../../../server/slideshow/talk-store';

async function liveFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'talk-store-')), 'live.json');
}

async function reopened(file: string): Promise<TalkRecord> {
  const store = await FileTalkStore.open(file);
  await store.close();
  return store.current;
}

describe('FileTalkStore', () => {
  test('a new data folder starts at seq 0 and keeps the file private', async () => {
    const file = await liveFile();
    const store = await FileTalkStore.open(file);
    assert.deepEqual(store.current, { seq: 0 });
    await store.write(await store.read(), { seq: 1, upcoming: 'Bayeux in practice' });
    await store.close();
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  test('a shorter record after a longer one reads back whole (padded, not truncated)', async () => {
    const file = await liveFile();
    const store = await FileTalkStore.open(file);
    const long: TalkRecord = { seq: 1, deck: 'a-deck-with-a-long-name', slide: 40, revealed: Array.from({ length: 40 }, (_, i) => i + 1), blackout: false, startedAt: 1 };
    await store.write(await store.read(), long);
    const longLength = (await stat(file)).size;
    await store.write(await store.read(), { seq: 2 });
    assert.deepEqual(await reopened(file), { seq: 2 });
    assert.equal((await stat(file)).size, longLength, 'the file keeps its length');
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { seq: 2 });
    await store.write(await store.read(), { seq: 3, upcoming: 'Überraschung: ünïcödé titles' });
    await store.close();
    assert.deepEqual(await reopened(file), { seq: 3, upcoming: 'Überraschung: ünïcödé titles' });
  });

  test('a shorter record never leaves the end of a longer one written by another store on the same file', async () => {
    const file = await liveFile();
    const first = await FileTalkStore.open(file);
    const second = await FileTalkStore.open(file);
    await first.write(await first.read(), { seq: 1, deck: 'x'.repeat(200), slide: 1, revealed: [1] });
    await second.write(await second.read(), { seq: 2 });
    await first.close();
    await second.close();
    assert.deepEqual(await reopened(file), { seq: 2 });
  });

  test('a live.json written by an earlier version is read, then rewritten in place', async () => {
    const file = await liveFile();
    await writeFile(file, JSON.stringify({ seq: 7, deck: 'talk', slide: 2, revealed: [1, 2] }));
    const store = await FileTalkStore.open(file);
    assert.equal(store.current.seq, 7);
    await store.write(await store.read(), { seq: 8, deck: 'talk', slide: 3, revealed: [1, 2, 3] });
    await store.close();
    assert.deepEqual(await reopened(file), { seq: 8, deck: 'talk', slide: 3, revealed: [1, 2, 3] });
  });

  test('a record whose QR flag is not a boolean reads back with the QR down, the rest kept', async () => {
    const file = await liveFile();
    await writeFile(file, JSON.stringify({ seq: 3, deck: 'talk', slide: 1, revealed: [1], qr: 'up' }));
    const store = await FileTalkStore.open(file);
    assert.deepEqual(store.current, { seq: 3, deck: 'talk', slide: 1, revealed: [1] });
    await store.close();
  });

  test('an ended talk and its past slides read back; a malformed past or ended flag is dropped (serving nothing)', async () => {
    const file = await liveFile();
    const past = { deck: 'talk', tokens: ['t1', 't2'], until: 1_000 };
    await writeFile(file, JSON.stringify({ seq: 5, ended: true, past }));
    assert.deepEqual(await reopened(file), { seq: 5, ended: true, past });
    for (const bad of [{ deck: 'talk', tokens: 't1' }, { deck: 1, tokens: [] }, { deck: 'talk', tokens: [2] }, { deck: 'talk', tokens: [], until: 'later' }, 'talk']) {
      await writeFile(file, JSON.stringify({ seq: 6, ended: 'yes', past: bad }));
      assert.deepEqual(await reopened(file), { seq: 6 }, JSON.stringify(bad));
    }
  });

  test('a damaged live.json is kept aside (never overwritten), logged, and the talk starts idle above any seq seen', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['truncated', '{"seq":41,"deck":"talk","sli', /not JSON/],
      ['empty', '', /empty/],
      ['garbage', '\u0000\u0000garbage', /not JSON/],
      ['revealed:"x"', JSON.stringify({ seq: 4, deck: 'talk', slide: 1, revealed: 'x' }), /revealed/],
      ['slide:1.5', JSON.stringify({ seq: 4, deck: 'talk', slide: 1.5, revealed: [1] }), /slide/],
      ['slide:"2"', JSON.stringify({ seq: 4, deck: 'talk', slide: '2', revealed: [1, 2] }), /slide/],
      ['seq:-1', JSON.stringify({ seq: -1 }), /seq/],
      ['an array', '[]', /object/],
    ];
    for (const [name, text, problem] of cases) {
      const file = await liveFile();
      await writeFile(file, text);
      const logs: string[] = [];
      const store = await FileTalkStore.open(file, { log: (line) => logs.push(line), now: () => 1_700_000_000_000 });
      assert.deepEqual(store.current, { seq: 1_700_000_000_000 }, name);
      assert.equal(logs.length, 1, name);
      assert.match(logs[0]!, problem, name);
      assert.match(logs[0]!, /live\.json is damaged .*kept as live\.json\.corrupt-2023-11-14T22-13-20-000Z/, name);
      const kept = path.join(path.dirname(file), 'live.json.corrupt-2023-11-14T22-13-20-000Z');
      assert.equal(await readFile(kept, 'utf8'), text, `${name}: the damaged file is kept as it was`);
      await store.write(await store.read(), { seq: 1_700_000_000_001 });
      await store.close();
      assert.equal(await readFile(kept, 'utf8'), text, `${name}: still as it was after a change`);
      assert.deepEqual(await reopened(file), { seq: 1_700_000_000_001 });
    }
  });

  test('a new data folder writes its first record at once, so an empty file later is known to be damage', async () => {
    const file = await liveFile();
    const store = await FileTalkStore.open(file);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { seq: 0 });
    await store.close();
    const logs: string[] = [];
    const again = await FileTalkStore.open(file, { log: (line) => logs.push(line) });
    assert.deepEqual(logs, []);
    await again.close();
  });

  test('a closed store refuses to write', async () => {
    const store = await FileTalkStore.open(await liveFile());
    await store.close();
    await assert.rejects(store.write(await store.read(), { seq: 1 }), /closed/);
  });
});
