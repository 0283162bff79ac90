/**
 * Request-level problems of `POST /api/decks`, driven over real HTTP with hand-built bodies where
 * fetch would not send what we need: each must get its status and leave no temp folder behind.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { DeckStore, uploadLimits } from '../../../server/slides/index';
import { makeImage } from '../../helpers/slide-fixtures';
import { type UploadServer, multipartBody, postRaw, startUploadServer, upload } from '../../helpers/upload-server';

const BOUNDARY = '----cometdeck-test-boundary';
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

describe('receiving an upload', () => {
  let dir: string;
  let server: UploadServer;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'upload-receive-'));
    const store = await DeckStore.open(dir, { log: () => {} });
    server = await startUploadServer(store, uploadLimits({ maxTotalBytes: 2 * 1024 * 1024 }));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    // Refusals return before the drained body ends; give the clean-up a moment, then check it.
    for (let i = 0; i < 50 && (await readdir(dir)).some((name) => name.startsWith('.')); i++) await sleep(20);
    assert.deepEqual((await readdir(dir)).filter((name) => name.startsWith('.')), [], 'no temp folder left');
  });

  it('refuses a body that is not multipart/form-data (415)', async () => {
    const answer = await postRaw(server.url, { 'content-type': 'application/json' }, '{"file": "x"}');
    assert.equal(answer.status, 415);
    assert.match(answer.body.error!, /multipart\/form-data/);
  });

  it('refuses multipart without a boundary (400)', async () => {
    const answer = await postRaw(server.url, { 'content-type': 'multipart/form-data' }, 'x');
    assert.equal(answer.status, 415, 'no parameters: not multipart/form-data as we accept it');
    const noBoundary = await postRaw(server.url, { 'content-type': 'multipart/form-data; charset=utf-8' }, 'x');
    assert.equal(noBoundary.status, 400);
  });

  it('refuses an upload without files (400): only a title, or an empty file input', async () => {
    const titleOnly = await postRaw(server.url, MULTIPART, multipartBody(BOUNDARY, [['title', null, 'My talk']]));
    assert.equal(titleOnly.status, 400);
    assert.match(titleOnly.body.error!, /No files/);
    // What a browser sends for a file input left empty: a part with filename="" and no bytes.
    const emptyInput = await postRaw(server.url, MULTIPART, multipartBody(BOUNDARY, [['file', '', '']]));
    assert.equal(emptyInput.status, 400);
    const none = await upload(server.url, []);
    assert.equal(none.status, 400);
  });

  it('refuses an empty named file as not an image (415)', async () => {
    const answer = await postRaw(server.url, MULTIPART, multipartBody(BOUNDARY, [['file', 'blank.png', '']]));
    assert.equal(answer.status, 415);
    assert.equal(answer.body.file, 'blank.png');
  });

  it('refuses a truncated multipart body (400)', async () => {
    const body = multipartBody(BOUNDARY, [['file', 'a.png', await makeImage()]]);
    const answer = await postRaw(server.url, MULTIPART, body.subarray(0, body.length - 40));
    assert.equal(answer.status, 400);
    assert.match(answer.body.error!, /Malformed multipart/);
  });

  it('refuses too many fields and too many parts (413)', async () => {
    const fields = Array.from({ length: 25 }, (_, i): [string, null, string] => [`f${i}`, null, 'x']);
    const tooManyFields = await postRaw(server.url, MULTIPART, multipartBody(BOUNDARY, fields));
    assert.equal(tooManyFields.status, 413);
    assert.match(tooManyFields.body.error!, /Too many fields/);
    const store = await DeckStore.open(await mkdtemp(path.join(tmpdir(), 'upload-parts-')), { log: () => {} });
    const strict = await startUploadServer(store, uploadLimits({ maxSlides: 1 }));
    try {
      // parts = maxSlides + 20 = 21: 20 fields and 1 file are allowed, a 22nd part is not.
      const image = await makeImage({ width: 32, height: 18 });
      const parts: Array<[string, string | null, Buffer | string]> = [...fields.slice(0, 20), ['file', 'a.png', image], ['late', null, 'x']];
      const tooManyParts = await postRaw(strict.url, MULTIPART, multipartBody(BOUNDARY, parts));
      assert.equal(tooManyParts.status, 413);
      assert.match(tooManyParts.body.error!, /Too many parts/);
      const tooManyFiles = await postRaw(strict.url, MULTIPART, multipartBody(BOUNDARY, [['file', 'a.png', image], ['file', 'b.png', image]]));
      assert.equal(tooManyFiles.status, 413);
      assert.match(tooManyFiles.body.error!, /Too many files: at most 1/);
    } finally {
      await strict.close();
      await rm(store.dir, { recursive: true, force: true });
    }
  });

  it('refuses a title over 200 characters (400) and a huge title field (413)', async () => {
    const image = await makeImage({ width: 32, height: 18 });
    const long = await upload(server.url, [{ name: 'a.png', data: image }], 't'.repeat(201));
    assert.equal(long.status, 400);
    assert.match(long.body.error!, /title/);
    const huge = await upload(server.url, [{ name: 'a.png', data: image }], 't'.repeat(10_000));
    assert.equal(huge.status, 413);
    assert.match(huge.body.error!, /title is too long/);
  });

  it('refuses at once a body whose Content-Length is over the total limit (413)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(server.url, { method: 'POST', headers: { ...MULTIPART, 'content-length': String(50 * 1024 * 1024) } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on('error', reject);
      req.write('--' + BOUNDARY); // the rest never comes: the answer must not wait for it
    });
    assert.equal(status, 413);
  });

  it('cleans up when the client goes away mid-upload', async () => {
    const body = multipartBody(BOUNDARY, [['file', 'a.png', await makeImage({ width: 600, height: 600, noise: true })]]);
    await new Promise<void>((resolve) => {
      const req = http.request(server.url, { method: 'POST', headers: { ...MULTIPART, 'content-length': String(body.length) } });
      req.on('error', () => resolve());
      req.write(body.subarray(0, body.length / 2), () => setTimeout(() => (req.destroy(), resolve()), 50));
    });
    // afterEach waits for the temp folder to go.
  });

  it('reports receiving progress in bytes', async () => {
    server.progress.length = 0;
    const answer = await upload(server.url, [{ name: 'a.png', data: await makeImage({ width: 64, height: 36 }) }]);
    assert.equal(answer.status, 201);
    const receiving = server.progress.filter((event) => event.stage === 'receiving');
    assert.deepEqual(receiving[0], { type: 'progress', stage: 'receiving', done: 0, total: receiving[0]!.total });
    const last = receiving.at(-1)!;
    assert.ok(last.total > 0 && last.done === last.total, JSON.stringify(last));
  });
});
