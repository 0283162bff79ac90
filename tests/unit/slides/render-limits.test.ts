/**
 * PDF rendering is bounded (docs/configuration.md, "PDF rendering"): each PDF is drawn in a child
 * process under an OS memory limit (RLIMIT_DATA), at most `renderProcesses` of them at once, and a
 * page larger than `maxPagePixels` at slide width is refused. The render children are real
 * processes of this test process; their limits and memory are read from /proc, as a bound check.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildDeck, type ProgressEvent, uploadLimits } from '../../../server/slides/index';
import { makeImagePdf, makePdf } from '../../helpers/pdf-fixtures';
import { assertRefused, upload, useTempUploads } from '../../helpers/upload-server';

const MiB = 1024 * 1024;
/** The bound under test, well below what the 7,000 × 7,000 image needs (about 720 MB). */
const MEMORY_MB = 512;
/** Resident memory a child may have beyond its data limit: mapped code (Node, Skia, libvips). */
const CODE_ALLOWANCE_MB = 160;

describe('bounded PDF rendering', () => {
  const up = useTempUploads('render-limits-', uploadLimits({ renderMemoryMb: MEMORY_MB, pdfPageTimeoutMs: 120_000 }));

  it('refuses a PDF that needs more memory than the limit (422 render_memory_exceeded); the server stays healthy', async () => {
    const bomb = makeImagePdf(7_000); // ~140 KB that decode to 147 MB of pixels, and several copies
    const watch = watchRenderChildren();
    const rssBefore = process.memoryUsage().rss;
    const answer = await upload(up.server.url, [{ name: 'bomb.pdf', data: bomb }]);
    const seen = watch.stop();
    await assertRefused(up.dir, answer, 422, new RegExp(`more memory than the ${MEMORY_MB} MB`), 'bomb.pdf');
    assert.equal(answer.body.code, 'render_memory_exceeded');
    assert.equal(seen.limits.size, 1, 'one render child');
    assert.deepEqual([...seen.limits.values()], [MEMORY_MB * MiB], 'the OS limit applied to the child');
    assert.ok(seen.peakRssMb < MEMORY_MB + CODE_ALLOWANCE_MB, `render child peaked at ${seen.peakRssMb} MB`);
    assert.ok(process.memoryUsage().rss - rssBefore < 200 * MiB, 'the server process did not take the memory itself');
    assert.equal(liveRenderChildren().length, 0, 'the child is gone');

    const next = await upload(up.server.url, [{ name: 'after.pdf', data: makePdf(['Still here']) }]);
    assert.equal(next.status, 201, JSON.stringify(next.body));
    assert.equal(next.body.count, 1);
  });

  it('refuses a page that would be too many pixels at slide width (422 page_too_large)', async () => {
    const strip = makePdf(['Tall'], { width: 100, height: 1_000 }); // 1920 × 19,200 at slide width
    const answer = await upload(up.server.url, [{ name: 'strip.pdf', data: strip }]);
    await assertRefused(up.dir, answer, 422, /Page 1 would be 1920×19200 pixels/, 'strip.pdf');
    assert.equal(answer.body.code, 'page_too_large');
  });

  it('renders three PDFs uploaded at once one after another, in one child at a time', async () => {
    const watch = watchRenderChildren();
    const answers = await Promise.all([1, 2, 3].map((n) => upload(up.server.url, [{ name: `deck${n}.pdf`, data: makePdf([`Deck ${n}`, 'Second page']) }])));
    const seen = watch.stop();
    assert.deepEqual(answers.map((answer) => answer.status), [201, 201, 201], JSON.stringify(answers.map((answer) => answer.body)));
    assert.equal(seen.limits.size, 3, 'one child per PDF');
    assert.equal(seen.mostAtOnce, 1);
  });

  it('kills the render child when the upload is cancelled, and leaves nothing', async () => {
    const uploadDir = await mkdtemp(path.join(up.dir, '.tmp-upload-'));
    const file = path.join(uploadDir, 'long.pdf');
    await writeFile(file, makePdf(Array.from({ length: 40 }, (_, i) => `Page ${i + 1}`)));
    const cancel = new AbortController();
    const onProgress = (event: ProgressEvent): void => {
      if (event.stage === 'rendering' && event.done === 1) cancel.abort(); // a page is written: the child is busy
    };
    const decksBefore = (await up.store.list()).length;
    const built = await buildDeck(up.store, { ok: true, files: [{ name: 'long.pdf', path: file, size: 1 }], tmpDir: uploadDir }, uploadLimits({ maxPdfPages: 100 }), onProgress, { signal: cancel.signal });
    assert.equal(built.ok, false);
    assert.equal(!built.ok && built.code, 'upload_cancelled');
    assert.equal(liveRenderChildren().length, 0, 'the child is gone');
    assert.equal((await up.store.list()).length, decksBefore, 'no deck');
    assert.deepEqual((await readdir(up.dir)).filter((name) => name.startsWith('.')), [], 'no temp folder left');
  });
});

/** Render children of this process: pids whose command line runs render-child.mjs. */
function liveRenderChildren(): number[] {
  const children = readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('render-child.mjs');
    } catch {
      return false; // already gone
    }
  });
}

/**
 * Samples the render children every few milliseconds until stopped: each one's RLIMIT_DATA (from
 * /proc/<pid>/limits), the highest resident memory seen (VmHWM), and how many ran at once.
 */
function watchRenderChildren(): { stop(): { limits: Map<number, number>; peakRssMb: number; mostAtOnce: number } } {
  const limits = new Map<number, number>();
  let peakKb = 0;
  let mostAtOnce = 0;
  const sample = (): void => {
    const pids = liveRenderChildren();
    mostAtOnce = Math.max(mostAtOnce, pids.length);
    for (const pid of pids) {
      try {
        const limit = /^Max data size\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
        if (limit) limits.set(pid, Number(limit[1]));
        const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // It ended between the listing and the read.
      }
    }
  };
  const timer = setInterval(sample, 5);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { limits, peakRssMb: Math.round(peakKb / 1024), mostAtOnce };
    },
  };
}
