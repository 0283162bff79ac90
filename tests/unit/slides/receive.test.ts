/**
 * Request-level problems of `POST /api/decks`, driven over real HTTP with hand-built bodies where
 * fetch would not send what we need: each must get its status and leave no temp folder behind.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdir } from 'node:fs/promises';
import { afterEach, describe, it } from 'node:test';
import { uploadLimits } from '../../../server/slides/index';
import { makeImage } from '../../helpers/slide-fixtures';
import { multipartBody, openTempUploads, postRaw, upload, useTempUploads } from '../../helpers/upload-server';
import { until } from '../../../support/wait';

const BOUNDARY = '----cometdeck-test-boundary';
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

describe('receiving an upload', () => {
  const up = useTempUploads('upload-receive-', uploadLimits({ maxTotalBytes: 2 * 1024 * 1024 }));
  afterEach(async () => {
    // Refusals return before the drained body ends: wait for the clean-up (bounded), then check it.
    await until(async () => !(await readdir(up.dir)).some((name) => name.startsWith('.')), 'the temp folder to go', 1_000).catch(() => undefined);
    assert.deepEqual((await readdir(up.dir)).filter((name) => name.startsWith('.')), [], 'no temp folder left');
  });

  it('refuses a body that is not multipart/form-data (415)', async () => {
    const answer = await postRaw(up.server.url, { 'content-type': 'application/json' }, '{"file": "x"}');
    assert.equal(answer.status, 415);
    assert.match(answer.body.error!, /multipart\/form-data/);
  });

  it('refuses multipart without a boundary (400)', async () => {
    const answer = await postRaw(up.server.url, { 'content-type': 'multipart/form-data' }, 'x');
    assert.equal(answer.status, 415, 'no parameters: not multipart/form-data as we accept it');
    const noBoundary = await postRaw(up.server.url, { 'content-type': 'multipart/form-data; charset=utf-8' }, 'x');
    assert.equal(noBoundary.status, 400);
  });

  it('refuses an upload without files (400): only a title, or an empty file input', async () => {
    const titleOnly = await postRaw(up.server.url, MULTIPART, multipartBody(BOUNDARY, [['title', null, 'My talk']]));
    assert.equal(titleOnly.status, 400);
    assert.match(titleOnly.body.error!, /No files/);
    // What a browser sends for a file input left empty: a part with filename="" and no bytes.
    const emptyInput = await postRaw(up.server.url, MULTIPART, multipartBody(BOUNDARY, [['file', '', '']]));
    assert.equal(emptyInput.status, 400);
    const none = await upload(up.server.url, []);
    assert.equal(none.status, 400);
  });

  it('refuses an empty named file as not an image (415)', async () => {
    const answer = await postRaw(up.server.url, MULTIPART, multipartBody(BOUNDARY, [['file', 'blank.png', '']]));
    assert.equal(answer.status, 415);
    assert.equal(answer.body.file, 'blank.png');
  });

  it('refuses a truncated multipart body (400)', async () => {
    const body = multipartBody(BOUNDARY, [['file', 'a.png', await makeImage()]]);
    const answer = await postRaw(up.server.url, MULTIPART, body.subarray(0, body.length - 40));
    assert.equal(answer.status, 400);
    assert.match(answer.body.error!, /Malformed multipart/);
  });

  it('refuses too many fields and too many parts (413)', async () => {
    const fields = Array.from({ length: 25 }, (_, i): [string, null, string] => [`f${i}`, null, 'x']);
    const tooManyFields = await postRaw(up.server.url, MULTIPART, multipartBody(BOUNDARY, fields));
    assert.equal(tooManyFields.status, 413);
    assert.match(tooManyFields.body.error!, /Too many fields/);
    const { server: strict, close } = await openTempUploads('upload-parts-', uploadLimits({ maxSlides: 1 }));
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
      await close();
    }
  });

  it('refuses a title over 200 characters (400) and a huge title field (413)', async () => {
    const image = await makeImage({ width: 32, height: 18 });
    const long = await upload(up.server.url, [{ name: 'a.png', data: image }], 't'.repeat(201));
    assert.equal(long.status, 400);
    assert.match(long.body.error!, /title/);
    const huge = await upload(up.server.url, [{ name: 'a.png', data: image }], 't'.repeat(10_000));
    assert.equal(huge.status, 413);
    assert.match(huge.body.error!, /title is too long/);
  });

  it('refuses at once a body whose Content-Length is over the total limit (413)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(up.server.url, { method: 'POST', headers: { ...MULTIPART, 'content-length': String(50 * 1024 * 1024) } });
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
    await new Promise<void>((resolve, reject) => {
      const req = http.request(up.server.url, { method: 'POST', headers: { ...MULTIPART, 'content-length': String(body.length) } });
      req.on('error', () => resolve());
      // Go away once the up.server has started on the upload (its temp folder is there), not after a guess.
      const started = until(async () => (await readdir(up.dir)).some((name) => name.startsWith('.')), 'the upload\'s temp folder', 5_000);
      req.write(body.subarray(0, body.length / 2), () => void started.then(() => (req.destroy(), resolve()), (error: unknown) => (req.destroy(), reject(error))));
    });
    // afterEach waits for the temp folder to go.
  });

  it('reports receiving progress in bytes', async () => {
    up.server.progress.length = 0;
    const answer = await upload(up.server.url, [{ name: 'a.png', data: await makeImage({ width: 64, height: 36 }) }]);
    assert.equal(answer.status, 201);
    const receiving = up.server.progress.filter((event) => event.stage === 'receiving');
    assert.deepEqual(receiving[0], { type: 'progress', stage: 'receiving', done: 0, total: receiving[0]!.total });
    const last = receiving.at(-1)!;
    assert.ok(last.total > 0 && last.done === last.total, JSON.stringify(last));
  });
});
