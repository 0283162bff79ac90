/**
 * Cancelling an upload while its slides render (a real 108-page PDF, the NDJSON progress stream
 * the upload page reads): no deck is made and nothing is left in the data folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { makePdf } from '../helpers/pdf-fixtures';
import { startSlideshowServer } from '../helpers/slideshow-server';
import { TEST_MS, bearer, getJson, until, uploadForm } from '../helpers/slideshow-clients';

const PAGES = 108;

test('an upload cancelled mid-render makes no deck and leaves nothing on disk', { timeout: TEST_MS }, async () => {
  const server = await startSlideshowServer();
  try {
    const before = new Set(await readdir(server.dataDir));
    const pdf = makePdf(Array.from({ length: PAGES }, (_, n) => `Page ${n + 1}`));
    const cancel = new AbortController();
    const response = await fetch(`${server.url}/api/decks`, {
      method: 'POST', headers: { ...bearer(server), accept: 'application/x-ndjson' }, body: uploadForm([{ name: 'long.pdf', data: pdf }]), signal: cancel.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    let rendered = 0;
    while (rendered < 2) {
      const { value, done } = await reader.read();
      assert.equal(done, false, `the stream ended before two pages rendered: ${text}`);
      text += new TextDecoder().decode(value);
      const events = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { stage?: string; done?: number });
      rendered = Math.max(0, ...events.filter((event) => event.stage === 'rendering').map((event) => event.done ?? 0));
    }
    assert.ok(rendered < PAGES, 'cancelled while rendering');
    cancel.abort();
    // The build stops and removes its folders; without the fix they stayed until the deck was made.
    await until(async () => (await readdir(server.dataDir)).every((name) => before.has(name)), 'the upload\'s folders to go', 30_000);
    assert.deepEqual((await getJson<unknown[]>(`${server.url}/api/decks`, bearer(server))).body, []);
    assert.deepEqual((await readdir(server.dataDir)).filter((name) => !before.has(name)), []);
  } finally {
    await server.close();
  }
});
