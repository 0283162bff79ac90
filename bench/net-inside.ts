/**
 * One network case, run inside its namespace by bench/net.ts:
 *   ip netns exec <namespace> node --import tsx bench/net-inside.ts <throttled|shared-link|cold-start|sealed-open> '<options JSON>' <result file>
 * Writes the case's record as JSON to the result file. SIGTERM stops the case and its children.
 */
import { writeFileSync } from 'node:fs';
import { runColdStart, type ColdStartOptions } from './net-cold';
import { cleanUpEverything } from './net-parts';
import { runSharedLink, type SharedLinkOptions } from './shared-link';
import { runThrottled, type ThrottledOptions } from './throttled';
import { runSealedOpen, type SealedOpenOptions } from './sealed-open';

const [name, optionsJson, resultFile] = process.argv.slice(2);
const log = (line: string) => console.log(`    ${line}`);

async function main(): Promise<void> {
  const options: unknown = JSON.parse(optionsJson ?? '{}');
  const record = name === 'throttled' ? await runThrottled(options as ThrottledOptions, log)
    : name === 'shared-link' ? await runSharedLink(options as SharedLinkOptions, log)
    : name === 'cold-start' ? await runColdStart(options as ColdStartOptions, log)
    : name === 'sealed-open' ? await runSealedOpen(options as SealedOpenOptions, log)
    : undefined;
  if (!record) throw new Error(`unknown network case ${name}`);
  writeFileSync(resultFile!, `${JSON.stringify(record)}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUpEverything(10_000).finally(() => process.exit(130)));

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
