/**
 * BENCHMARKS.md's "Office decks" section, from an office run (bench/office.ts,
 * bench/results/office.json): the conversion time of a 30-slide .pptx and the event-loop target.
 */
import { OFFICE_RUNS, OFFICE_SLIDES, OFFICE_TARGETS, type OfficeRecord } from './office';
import { sectionStart } from './report';
import { median } from './stats';

/**
 * The run recorded before PDF rendering moved into a render child process (code 407ea67, the
 * section of commit 98f7492): pdfjs in a worker thread, sharp on its raw pixels in the server.
 */
const BEFORE = { code: '407ea67', maxPauseMs: 140.6, p99: '65.3-70.9', renderMs: '12430-14440', totalMedianMs: 15520, load: '1.40 before, 2.58 after', laterRunsMaxMs: '97.5 and 131.1' };

const ms = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(0)} ms`);

export function renderOfficeSection(record: OfficeRecord): string {
  const { machine, runs } = record;
  const out: string[] = [sectionStart('office'), '', '## Office decks: a 30-slide PowerPoint file', ''];
  out.push(
    `A ${OFFICE_SLIDES}-slide \`.pptx\` (${(record.pptxBytes / 1000).toFixed(0)} KB; made by LibreOffice from a generated flat ODP, a title and two lines of notes per slide) uploaded ${OFFICE_RUNS} times through \`POST /api/decks\` to our production server, ` +
      'following the progress stream: LibreOffice converts it to PDF (`converting`), the PDF render child process (nice 10, memory-limited) draws each page and sharp, in that child, makes the variants (`rendering`). ' +
      'Event-loop pauses are measured twice: inside the server, by `monitorEventLoopDelay` (10 ms resolution) preloaded with `--import` (bench/event-loop-probe.mjs; the target is read here), ' +
      'and from outside, by a probe sending `GET /api/live` one at a time, 10 ms apart, whose longest answer is what a phone asking meanwhile would wait (loopback round trip and the probe\'s own scheduling included). ' +
      'For the longest pause its 10 ms timer saw, the inside probe also records how long the main thread ran, waited for a CPU (`/proc/self/task/<pid>/schedstat`) and collected garbage (perf_hooks `gc` entries); the render child\'s peak resident memory (VmHWM) is sampled every 50 ms. ' +
      'The runs start once the server has settled: after it listens, Next still loads every page\'s modules for about 2 s (pauses of 100-550 ms), long before a presenter could upload from the library page.',
    '',
  );
  out.push(`* **Date:** ${record.date}`);
  out.push(`* **Command:** \`${record.command}\` (took ${record.durationSeconds} s), code ${record.code}`);
  if (record.settledMs !== undefined) out.push(`* **Settled:** ${record.settledMs} ms after the server listened`);
  out.push(`* **Machine:** ${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}`);
  const busy = Math.max(record.load.before, record.load.after) > machine.nproc;
  out.push(`* **Load average** (1 min) ${record.load.before.toFixed(2)} before, ${record.load.after.toFixed(2)} after${busy ? `: **BUSY MACHINE**, more runnable processes than its ${machine.nproc} cores, so the pauses include waiting for a core` : ''}`);
  if (record.error) out.push(`* **FAILED:** ${record.error.split('\n')[0]}`);
  out.push('');
  if (runs.length === 0) return `${out.join('\n')}\n`;
  const worst = Math.max(...runs.map((run) => run.loopMaxMs));
  const worstAnswer = Math.max(...runs.map((run) => run.maxAnswerMs));
  out.push('| what | target | measured | met |', '|---|---:|---:|:---:|');
  out.push(`| longest event-loop pause of the server while converting and rendering | < ${OFFICE_TARGETS.maxPauseMs} ms | ${worst.toFixed(1)} ms | ${worst < OFFICE_TARGETS.maxPauseMs ? 'yes' : '**no**'} |`);
  out.push(`| longest \`/api/live\` answer meanwhile (outside view) | – | ${worstAnswer.toFixed(1)} ms | |`);
  out.push(`| upload to deck, median of ${runs.length} | – | ${ms(median(runs.map((run) => run.totalMs)))} | |`);
  out.push(`| peak resident memory of the PDF render child | < RENDER_MEMORY_MB (1024) + code | ${Math.max(...runs.map((run) => run.renderPeakRssMb))} MB | |`, '');
  out.push('| run | total | converting | rendering | slides (with notes) | loop delay p99 / max | longest gap: ran / waited for a CPU / GC | probes | answer p99 / max | render child peak |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  runs.forEach((run, i) => {
    const gap = run.longestGap;
    out.push(`| ${i + 1} | ${ms(run.totalMs)} | ${ms(run.convertMs)} | ${ms(run.renderMs)} | ${run.slides} (${run.slidesWithNotes}) | ${run.loopP99Ms.toFixed(1)} / ${run.loopMaxMs.toFixed(1)} ms | ${gap.gapMs.toFixed(0)} ms: ${gap.ranMs.toFixed(0)} / ${gap.waitedMs.toFixed(0)} / ${gap.gcMs.toFixed(0)} ms | ${run.probes} | ${run.p99AnswerMs.toFixed(1)} / ${run.maxAnswerMs.toFixed(1)} ms | ${run.renderPeakRssMb} MB |`);
  });
  out.push('', ...whyPaused(record), '', ...beforeAndAfter(runs), '');
  return `${out.join('\n')}\n`;
}

/** The same measure with the PDF rendered in a worker thread and encoded in the server (BEFORE). */
function beforeAndAfter(runs: OfficeRecord['runs']): string[] {
  const range = (values: number[], digits: number) => `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
  return [
    `Before and after moving PDF rendering into a memory-limited child process at nice 10 (pdfjs and sharp both in the child, only file names back; before: pdfjs in a worker thread, sharp on its raw pixels in the server, code ${BEFORE.code}, load ${BEFORE.load}, runs started without waiting for the server to settle; its runs 2 and 3, past Next\'s preloading, paused at most ${BEFORE.laterRunsMaxMs} ms):`,
    '',
    '| | longest event-loop pause | loop delay p99 | rendering | upload to deck (median) |',
    '|---|---:|---:|---:|---:|',
    `| before | ${BEFORE.maxPauseMs} ms | ${BEFORE.p99} ms | ${BEFORE.renderMs} ms | ${BEFORE.totalMedianMs} ms |`,
    `| after | ${Math.max(...runs.map((run) => run.loopMaxMs)).toFixed(1)} ms | ${range(runs.map((run) => run.loopP99Ms), 1)} ms | ${range(runs.map((run) => run.renderMs), 0)} ms | ${ms(median(runs.map((run) => run.totalMs)))} |`,
    '',
    'Rendering times compare only at the same load: the render child runs at nice 10, so it yields the cores to every other process, and each upload starts one (Node, pdfjs, Skia, sharp and tsx for render-image.ts: about a second).',
  ];
}

/** What the main thread did during each run's longest pause, as the probe measured it. */
function whyPaused(record: OfficeRecord): string[] {
  const gaps = record.runs.map((run) => run.longestGap);
  const list = (pick: (gap: OfficeRecord['runs'][number]['longestGap']) => number) => gaps.map((gap) => pick(gap).toFixed(0)).join(', ');
  const waited = gaps.reduce((sum, gap) => sum + gap.waitedMs, 0);
  const busy = gaps.reduce((sum, gap) => sum + gap.ranMs + gap.gcMs, 0);
  const verdict =
    waited > busy
      ? `The pauses are the main thread **waiting for a CPU**, not running: it was runnable while other threads held both cores (load average ${record.load.before.toFixed(2)} before and ${record.load.after.toFixed(2)} after, on ${record.machine.nproc} cores). Nothing of ours ran long and no GC ran; the render child runs at nice 10, LibreOffice (while \`converting\`) and the other processes on the machine at their own priorities.`
      : 'The pauses are the main thread running (our code or GC, see the columns): a CPU profile of the server over that window names the code.';
  return [`Why the longest pause of each run happened, from the main thread's scheduler counters and GC entries over it: ran ${list((gap) => gap.ranMs)} ms, waited for a CPU ${list((gap) => gap.waitedMs)} ms, GC ${list((gap) => gap.gcMs)} ms. ${verdict}`];
}
