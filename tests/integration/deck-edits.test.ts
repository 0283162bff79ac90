/**
 * Renaming and editing decks when it cannot work (docs/api.md): a title that shows nothing is
 * refused; with the disk full (a real, tiny tmpfs as the data folder) a rename or a notes edit is
 * answered 507 `disk_full` and changes nothing, and works again once there is room.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer } from '../helpers/slideshow-server';
import { TEST_MS, bearer, getJson, sendJson, upload, uploadDeck } from '../helpers/slideshow-clients';

const INVISIBLE_TITLES = ['\u200b\u200b', '\u2060\ufeff', '\u00ad', '\u3164\u3164', '\u115f', '\u2800', '\ufe0f', '\u{e0041}\u{e0042}', '\u0301', ' \u200d '];

describe('titles that show nothing', () => {
  test('are refused on rename (400 title_invalid), on upload, and for the next talk', { timeout: TEST_MS }, async () => {
    const server = await startSlideshowServer();
    try {
      const deck = await uploadDeck(server, [{ name: 'a.png', data: await makeImage({ width: 320, height: 180, format: 'png' }) }], 'Visible');
      for (const title of INVISIBLE_TITLES) {
        const renamed = await sendJson('PATCH', `${server.url}/api/decks/${deck.id}`, { title }, bearer(server));
        assert.equal(renamed.status, 400, JSON.stringify(title));
        assert.equal(renamed.body.code, 'title_invalid');
        const next = await sendJson('POST', `${server.url}/api/live`, { live: false, title }, bearer(server));
        assert.equal(next.status, 400, JSON.stringify(title));
      }
      const uploaded = await upload(server, [{ name: 'b.png', data: await makeImage({ width: 320, height: 180, format: 'png' }) }], { title: '\u200b', headers: bearer(server) });
      assert.equal(uploaded.status, 400);
      assert.equal((await getJson(`${server.url}/api/decks/${deck.id}`, bearer(server))).body.title, 'Visible');
      for (const title of ['Ünïcödé', '👩‍💻 Talk', '\u200bZero-width inside\u200b']) {
        assert.equal((await sendJson('PATCH', `${server.url}/api/decks/${deck.id}`, { title }, bearer(server))).status, 200, title);
      }
    } finally {
      await server.close();
    }
  });
});

/** A tmpfs of `size` mounted on a fresh folder, or undefined where this process may not mount (not root). */
async function tinyDisk(size: string): Promise<{ dir: string; unmount(): Promise<void> } | undefined> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cometdeck-full-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    await rmdir(dir);
    return undefined;
  }
  return {
    dir,
    async unmount() {
      spawnSync('umount', [dir]);
      await rmdir(dir).catch(() => undefined);
    },
  };
}

/** Writes a filler file until the disk refuses (ENOSPC): the disk is then full. */
async function fill(file: string): Promise<void> {
  await assert.rejects(writeFile(file, Buffer.alloc(64 * 1024 * 1024)), { code: 'ENOSPC' });
}

describe('the disk is full', () => {
  test('a rename or a notes edit is answered 507 disk_full, changes nothing, and works once there is room', { timeout: TEST_MS }, async (t) => {
    const disk = await tinyDisk('4m');
    if (!disk) return t.skip('mounting a tmpfs needs root (CAP_SYS_ADMIN)');
    const server = await startSlideshowServer({ dataDir: disk.dir });
    const filler = path.join(disk.dir, 'filler');
    try {
      const deck = await uploadDeck(server, [{ name: 'a.png', data: await makeImage({ width: 320, height: 180, format: 'png' }) }], 'Before');
      await fill(filler);
      const renamed = await sendJson('PATCH', `${server.url}/api/decks/${deck.id}`, { title: 'After' }, bearer(server));
      assert.equal(renamed.status, 507, JSON.stringify(renamed.body));
      assert.deepEqual(renamed.body, { error: "The server's disk is full: nothing was changed.", code: 'disk_full' });
      const notes = await sendJson('PATCH', `${server.url}/api/decks/${deck.id}/slides/1`, { notes: 'Say hello' }, bearer(server));
      assert.equal(notes.status, 507);
      assert.equal(notes.body.code, 'disk_full');
      const detail = await getJson(`${server.url}/api/decks/${deck.id}`, bearer(server));
      assert.equal(detail.body.title, 'Before');
      assert.equal(detail.body.slides[0].notes, undefined);
      await rm(filler);
      assert.equal((await sendJson('PATCH', `${server.url}/api/decks/${deck.id}`, { title: 'After' }, bearer(server))).status, 200);
      assert.equal((await getJson(`${server.url}/api/decks/${deck.id}`, bearer(server))).body.title, 'After');
    } finally {
      await server.close();
      await disk.unmount();
    }
  });
});
