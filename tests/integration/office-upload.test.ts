/**
 * Office presentations through the real `POST /api/decks` route and the real LibreOffice: a
 * `.pptx`, a `.ppsx`, an `.odp`, a `.ppt` and a `.pps` made by soffice from a flat ODP we write upload with their
 * slides and speaker notes; a ZIP of images brings its notes.md; a corrupt and a password-protected
 * file are refused with nothing left behind (no deck, no temp folder, no soffice process); no
 * LibreOffice is 415 naming the package; a cancelled upload kills its conversion; a full queue is 503.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import type { DeckDetail, UploadProgress } from '../../lib/slideshow/index';
import { type FodpSlide, encryptOdp, officeFile, processesUsing } from '../../support/office-fixtures';
import { makeImage } from '../helpers/slide-fixtures';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import { bearer, getJson, until, uploadForm, type UploadFile } from '../helpers/slideshow-clients';
import { makeZip } from '../../support/zip-writer';

const TEST_MS = 180_000;
/** How long soffice may take to start or be killed, and a temp folder to go. */
const OFFICE_MS = 30_000;
const THREE: FodpSlide[] = [
  { title: 'Welcome', notes: ['Thank the organisers.', 'Then the agenda.'] },
  { title: 'No notes here' },
  { title: 'Questions', notes: ['Ask: who has used Bayeux?'] },
];
const THREE_NOTES = ['Thank the organisers.\nThen the agenda.', undefined, 'Ask: who has used Bayeux?'];

async function post(server: SlideshowTestServer, files: UploadFile[], signal?: AbortSignal, accept?: string) {
  const headers = { ...bearer(server), ...(accept ? { accept } : {}) };
  return fetch(`${server.url}/api/decks`, { method: 'POST', headers, body: uploadForm(files), ...(signal ? { signal } : {}) });
}

async function notesOf(server: SlideshowTestServer, id: string): Promise<Array<string | undefined>> {
  const detail = await getJson<DeckDetail>(`${server.url}/api/decks/${id}`, bearer(server));
  assert.equal(detail.status, 200);
  return detail.body.slides.map((slide) => slide.notes);
}

/** Refused as expected, and nothing left: no deck, no temp folder, no process under the data folder. */
async function assertRefusedCleanly(server: SlideshowTestServer, response: Response, status: number, code: string, error: RegExp): Promise<void> {
  const body = (await response.json()) as { error: string; code: string; file?: string };
  assert.equal(response.status, status, JSON.stringify(body));
  assert.equal(body.code, code);
  // The message is what the presenter reads: it says what to do.
  assert.match(body.error, error);
  assert.deepEqual(await readdir(server.dataDir).then((names) => names.filter((name) => name.startsWith('.'))), [], 'no temp folder');
  assert.deepEqual(await processesUsing(server.dataDir), [], 'no soffice left running');
  const decks = await getJson<unknown[]>(`${server.url}/api/decks`, bearer(server));
  assert.deepEqual(decks.body, []);
}

describe('Office decks through LibreOffice', () => {
  let server: SlideshowTestServer;
  before(async () => {
    server = await startSlideshowServer();
  });
  after(async () => server?.close());

  for (const format of ['pptx', 'ppsx', 'odp', 'ppt', 'pps'] as const) {
    test(`a .${format} made by LibreOffice: three slides, their notes, source office`, { timeout: TEST_MS }, async () => {
      const data = await officeFile(THREE, format);
      const response = await post(server, [{ name: `talk.${format}`, data }]);
      const body = await response.json();
      assert.equal(response.status, 201, JSON.stringify(body));
      assert.equal(body.count, 3);
      assert.equal(body.source, 'office');
      assert.equal(body.title, 'talk');
      const notes = await notesOf(server, body.id);
      const live = await getJson(`${server.url}/api/live`);
      await fetch(`${server.url}/api/decks/${body.id}`, { method: 'DELETE', headers: bearer(server) });
      assert.deepEqual(notes, THREE_NOTES);
      assert.ok(!JSON.stringify(live.body).includes('organisers'), 'no notes in what the audience can read');
    });
  }

  test('a hidden slide is left out, and the notes stay with their slides', { timeout: TEST_MS }, async () => {
    const slides = [THREE[0]!, { title: 'Backup', notes: ['hidden'], hidden: true }, THREE[1]!, THREE[2]!];
    const response = await post(server, [{ name: 'hidden.pptx', data: await officeFile(slides, 'pptx') }]);
    const body = await response.json();
    assert.equal(response.status, 201, JSON.stringify(body));
    assert.equal(body.count, 3);
    assert.deepEqual(await notesOf(server, body.id), THREE_NOTES);
    await fetch(`${server.url}/api/decks/${body.id}`, { method: 'DELETE', headers: bearer(server) });
  });

  test('the progress stream has a converting stage before rendering', { timeout: TEST_MS }, async () => {
    const response = await post(server, [{ name: 'stream.odp', data: await officeFile(THREE, 'odp') }], undefined, 'application/x-ndjson');
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as UploadProgress);
    const stages = lines.flatMap((line) => (line.type === 'progress' ? [line.stage] : []));
    assert.ok(stages.includes('converting'), stages.join());
    assert.ok(stages.indexOf('converting') < stages.indexOf('rendering'), stages.join());
    const last = lines.at(-1)!;
    assert.equal(last.type, 'done', JSON.stringify(last));
    if (last.type === 'done') await fetch(`${server.url}/api/decks/${last.deck.id}`, { method: 'DELETE', headers: bearer(server) });
  });

  test('a corrupt .ppt is refused (422) and leaves nothing behind', { timeout: TEST_MS }, async () => {
    const data = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096, 0x5a)]);
    await assertRefusedCleanly(server, await post(server, [{ name: 'broken.ppt', data }]), 422, 'unreadable_file', /could not be converted: it is damaged, password-protected/);
  });

  test('a password-protected .odp is refused (422) and leaves nothing behind', { timeout: TEST_MS }, async () => {
    const data = await encryptOdp(await officeFile(THREE, 'odp'), 'secret');
    await assertRefusedCleanly(server, await post(server, [{ name: 'locked.odp', data }]), 422, 'unreadable_file', /password-protected/);
  });

  test('a cancelled upload kills its conversion and leaves nothing behind', { timeout: TEST_MS }, async () => {
    const data = await officeFile(THREE, 'pptx');
    const cancel = new AbortController();
    const response = await post(server, [{ name: 'cancel.pptx', data }], cancel.signal, 'application/x-ndjson');
    const reader = response.body!.getReader();
    let seen = '';
    while (!seen.includes('"converting"')) seen += new TextDecoder().decode((await reader.read()).value);
    await until(async () => (await processesUsing(server.dataDir)).length > 0, 'soffice to start', OFFICE_MS);
    cancel.abort();
    await until(async () => (await processesUsing(server.dataDir)).length === 0, 'soffice to be killed', OFFICE_MS);
    await until(async () => (await readdir(server.dataDir)).every((name) => !name.startsWith('.')), 'the temp folder to go', OFFICE_MS);
    assert.deepEqual((await getJson<unknown[]>(`${server.url}/api/decks`, bearer(server))).body, []);
  });

  test('a ZIP of images with notes.md: one section per slide, separated by ---', { timeout: TEST_MS }, async () => {
    const image = await makeImage({ width: 320, height: 180, format: 'png' });
    const notes = '# Opening\nSay hello.\n---\n\n---\nLast slide:\n- thanks\n';
    const zip = makeZip([{ name: 'slide-1.png', data: image }, { name: 'slide-2.png', data: image }, { name: 'slide-10.png', data: image }, { name: 'notes.md', data: Buffer.from(notes) }]);
    const response = await post(server, [{ name: 'deck.zip', data: zip }]);
    const body = await response.json();
    assert.equal(response.status, 201, JSON.stringify(body));
    assert.equal(body.source, 'zip');
    assert.deepEqual(await notesOf(server, body.id), ['# Opening\nSay hello.', undefined, 'Last slide:\n- thanks']);
    await fetch(`${server.url}/api/decks/${body.id}`, { method: 'DELETE', headers: bearer(server) });
  });

  test('a notes.txt whose sections do not match the slides is refused, saying both counts', { timeout: TEST_MS }, async () => {
    const image = await makeImage({ width: 320, height: 180, format: 'png' });
    const zip = makeZip([{ name: 'a.png', data: image }, { name: 'b.png', data: image }, { name: 'notes.txt', data: Buffer.from('one\n---\ntwo\n---\nthree') }]);
    await assertRefusedCleanly(server, await post(server, [{ name: 'deck.zip', data: zip }]), 422, 'unreadable_file', /3 sections for 2 slides/);
  });
});

describe('Office decks without LibreOffice', () => {
  let server: SlideshowTestServer;
  before(async () => {
    server = await startSlideshowServer({ office: { binary: '/nonexistent/libreoffice/soffice' } });
  });
  after(async () => server?.close());

  test('415 naming the package to install, nothing left behind', { timeout: TEST_MS }, async () => {
    const data = await officeFile(THREE, 'pptx');
    await assertRefusedCleanly(server, await post(server, [{ name: 'talk.pptx', data }]), 415, 'office_unavailable', /LibreOffice.*libreoffice-impress/);
  });
});

describe('the conversion queue', () => {
  let server: SlideshowTestServer;
  before(async () => {
    server = await startSlideshowServer({ office: { concurrency: 1, maxWaiting: 0 } });
  });
  after(async () => server?.close());

  test('one conversion at a time and none waiting: a second upload meanwhile is refused (503)', { timeout: TEST_MS }, async () => {
    const data = await officeFile(THREE, 'odp');
    const first = await post(server, [{ name: 'first.odp', data }], undefined, 'application/x-ndjson');
    const reader = first.body!.getReader();
    let seen = '';
    while (!seen.includes('"converting"')) seen += new TextDecoder().decode((await reader.read()).value);
    const second = await post(server, [{ name: 'second.odp', data }]);
    const body = (await second.json()) as { error: string; code: string };
    assert.equal(second.status, 503, JSON.stringify(body));
    assert.equal(body.code, 'office_busy');
    while (!(await reader.read()).done);
  });
});
