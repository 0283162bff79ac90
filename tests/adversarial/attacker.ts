/** Runs tests/adversarial/attacker.mjs in a child process: started, ready, and stopped with its summary. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { within } from '../helpers/slideshow-clients';

const SCRIPT = path.join(import.meta.dirname, 'attacker.mjs');

export interface Attack {
  readonly child: ChildProcess;
  /** Resolves with the attacker's summary once it exits (by itself, or after `stop`). */
  readonly finished: Promise<Record<string, any>>;
  stop(): Promise<Record<string, any>>;
}

export async function startAttack(mode: string, options: object, readyMs = 20_000): Promise<Attack> {
  const child = spawn(process.execPath, [SCRIPT, mode, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout!.on('data', (chunk) => {
    output += chunk;
    if (output.includes('ready\n')) onReady();
  });
  const finished = new Promise<Record<string, any>>((resolve, reject) => {
    child.once('exit', () => {
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line));
      else reject(new Error(`the ${mode} attacker exited without a summary: ${output}`));
    });
  });
  await within(Promise.race([ready, finished.then(() => undefined)]), `the ${mode} attacker to be under way`, readyMs);
  return {
    child, finished,
    stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return within(finished, `the ${mode} attacker to stop`);
    },
  };
}
