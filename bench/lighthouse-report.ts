/**
 * BENCHMARKS.md's "Lighthouse" section, from a lighthouse run (bench/lighthouse.ts,
 * bench/results/lighthouse.json): the median score of each category against its target, every
 * run's scores and metrics, and what lost points.
 */
import { LIGHTHOUSE_TARGETS, medianScores, type CategoryName, type LighthouseRecord } from './lighthouse';
import { sectionStart } from './report';

const CATEGORY_TITLES: Record<CategoryName, string> = { performance: 'performance', accessibility: 'accessibility', 'best-practices': 'best practices' };

export function renderLighthouseSection(record: LighthouseRecord): string {
  const { machine, runs } = record;
  const out: string[] = [sectionStart('lighthouse'), '', '## Lighthouse: the audience page during a talk', ''];
  out.push(
    `Lighthouse ${record.lighthouseVersion || '?'} (its default mobile run: a phone-sized screen, simulated Slow 4G and a 4× slower CPU) in Chromium ${record.chromium || '?'}, ` +
      'on `/` of our production server while a talk is live on its third slide, as a phone opens the join link. ' +
      `${runs.length} runs in one browser, each on a fresh page; the score is the median of the runs, as Lighthouse advises.`,
    '',
  );
  out.push(`* **Date:** ${record.date}`);
  out.push(`* **Command:** \`${record.command}\` (took ${record.durationSeconds} s), code ${record.code}`);
  out.push(`* **Machine:** ${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}`);
  const busy = Math.max(record.load.before, record.load.after) > machine.nproc;
  out.push(`* **Load average** (1 min) ${record.load.before.toFixed(2)} before, ${record.load.after.toFixed(2)} after${busy ? `: **BUSY MACHINE**, more runnable processes than its ${machine.nproc} cores` : ''}`);
  if (record.error) out.push(`* **FAILED:** ${record.error.split('\n')[0]}`);
  out.push('');
  if (runs.length === 0) return `${out.join('\n')}\n`;
  const medians = medianScores(record);
  out.push('| category | target | median score | runs | met |', '|---|---:|---:|---|:---:|');
  for (const [category, target] of Object.entries(LIGHTHOUSE_TARGETS) as Array<[CategoryName, number]>) {
    out.push(`| ${CATEGORY_TITLES[category]} | ≥ ${target} | ${medians[category]} | ${runs.map((run) => run.scores[category]).join(', ')} | ${medians[category] >= target ? 'yes' : '**no**'} |`);
  }
  out.push('', '| run | FCP | LCP | TBT | CLS | Speed Index |', '|---:|---:|---:|---:|---:|---:|');
  runs.forEach((run, i) => {
    const m = run.metrics;
    out.push(`| ${i + 1} | ${m['first-contentful-paint']} | ${m['largest-contentful-paint']} | ${m['total-blocking-time']} | ${m['cumulative-layout-shift']} | ${m['speed-index']} |`);
  });
  const lost = new Map<string, number>();
  for (const run of runs) for (const list of Object.values(run.failed)) for (const audit of list) lost.set(audit, (lost.get(audit) ?? 0) + 1);
  out.push('');
  if (lost.size === 0) out.push('No audit lost points in any run.');
  else {
    out.push('Audits that lost points (in how many runs):', '');
    for (const [audit, count] of [...lost].sort((a, b) => b[1] - a[1])) out.push(`- ${audit} (${count} of ${runs.length})`);
  }
  out.push('');
  return `${out.join('\n')}\n`;
}
