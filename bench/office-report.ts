/**
 * BENCHMARKS.md's "Office decks" section, from an office run (bench/office.ts,
 * bench/results/office.json): the conversion time of a 30-slide .pptx and the event-loop target.
 */
import { OFFICE_RUNS, OFFICE_SLIDES, OFFICE_TARGETS, type OfficeRecord } from './office';
import { sectionStart } from './report';
import { median } from './stats';

const ms = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(0)} ms`);

export function renderOfficeSection(record: OfficeRecord): string {
  const { machine, runs } = record;
  const out: string[] = [sectionStart('office'), '', '## Office decks: a 30-slide PowerPoint file', ''];
  out.push(
    `A ${OFFICE_SLIDES}-slide \`.pptx\` (${(record.pptxBytes / 1000).toFixed(0)} KB; made by LibreOffice from a generated flat ODP, a title and two lines of notes per slide) uploaded ${OFFICE_RUNS} times through \`POST /api/decks\` to our production server, ` +
      'following the progress stream: LibreOffice converts it to PDF (`converting`), the PDF worker renders each page and sharp makes the variants (`rendering`). ' +
      'Event-loop pauses are measured twice: inside the server, by `monitorEventLoopDelay` (10 ms resolution) preloaded with `--import` (bench/event-loop-probe.mjs; the target is read here), ' +
      'and from outside, by a probe sending `GET /api/live` one at a time, 10 ms apart, whose longest answer is what a phone asking meanwhile would wait (loopback round trip and the probe\'s own scheduling included).',
    '',
  );
  out.push(`* **Date:** ${record.date}`);
  out.push(`* **Command:** \`${record.command}\` (took ${record.durationSeconds} s), code ${record.code}`);
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
  out.push(`| upload to deck, median of ${runs.length} | – | ${ms(median(runs.map((run) => run.totalMs)))} | |`, '');
  out.push('| run | total | converting | rendering | slides (with notes) | loop delay p99 / max | probes | answer p99 / max |', '|---:|---:|---:|---:|---:|---:|---:|---:|');
  runs.forEach((run, i) => {
    out.push(`| ${i + 1} | ${ms(run.totalMs)} | ${ms(run.convertMs)} | ${ms(run.renderMs)} | ${run.slides} (${run.slidesWithNotes}) | ${run.loopP99Ms.toFixed(1)} / ${run.loopMaxMs.toFixed(1)} ms | ${run.probes} | ${run.p99AnswerMs.toFixed(1)} / ${run.maxAnswerMs.toFixed(1)} ms |`);
  });
  out.push('');
  return `${out.join('\n')}\n`;
}
