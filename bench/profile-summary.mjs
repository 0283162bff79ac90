// Summarise a V8 CPU profile (from `npm run bench -- --profile --targets ours`): the functions
// with the most self time and the most inclusive time, optionally within a window of the bench's
// clock (CLOCK_MONOTONIC milliseconds, as in bench/results/*.json: sentAt of the first change, ...).
//
//   node bench/profile-summary.mjs bench/results/profiles/CPU.<...>.cpuprofile [fromMs toMs] [--top 25]
import { readFileSync } from 'node:fs';

const [file, fromArg, toArg] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--top');
const topIndex = process.argv.indexOf('--top');
const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 25;
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [fromMs toMs] [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const from = fromArg === undefined ? -Infinity : Number(fromArg) * 1000; // profile times are µs
const to = toArg === undefined ? Infinity : Number(toArg) * 1000;

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*?\/(server|lib|node_modules)\//, '$1/').replace(/^node:/, 'node:')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
};

const self = new Map();
const inclusive = new Map();
let total = 0;
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  if (t < from || t > to) continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  let node = nodes.get(profile.samples[i]);
  const name = label(node);
  if (name.startsWith('(idle)')) continue;
  total += dt;
  self.set(name, (self.get(name) ?? 0) + dt);
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const n = label(nodes.get(id));
    if (seen.has(n)) continue;
    seen.add(n);
    inclusive.set(n, (inclusive.get(n) ?? 0) + dt);
  }
}

const print = (title, map) => {
  console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms busy)`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
};
print('Self time', self);
print('Inclusive time', new Map([...inclusive].filter(([name]) => !name.startsWith('(root)'))));
