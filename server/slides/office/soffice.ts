/**
 * One LibreOffice conversion (`soffice --headless --convert-to`) as a child process we own: a
 * fresh profile folder of its own (`-env:UserInstallation`), so it never meets a running
 * LibreOffice or a stale lock, HOME pointed there too so nothing is written elsewhere, a deadline,
 * and an AbortSignal. soffice is a launcher that starts `soffice.bin`, so it runs in its own
 * process group and the whole group is killed, on a deadline, a cancel, and after it exits.
 */
import { spawn } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type ConvertOutcome =
  | { ok: true; file: string }
  | { ok: false; reason: 'missing' | 'timeout' | 'aborted' | 'failed'; detail: string };

export interface ConvertJob {
  binary: string;
  input: string;
  /** `pdf` or `odp`: the output format (and extension). */
  to: 'pdf' | 'odp';
  outDir: string;
  profileDir: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

const MAX_STDERR = 4096;

export async function convertWithSoffice(job: ConvertJob): Promise<ConvertOutcome> {
  if (job.signal?.aborted) return { ok: false, reason: 'aborted', detail: 'the upload was cancelled' };
  await mkdir(job.outDir, { recursive: true });
  const args = [
    '--headless', '--invisible', '--norestore', '--nologo', '--nolockcheck', '--nodefault',
    `-env:UserInstallation=${pathToFileURL(job.profileDir).href}`,
    '--convert-to', job.to, '--outdir', job.outDir, job.input,
  ];
  const ended = await run(job, args);
  if (!ended.ok) return ended;
  const file = path.join(job.outDir, `${path.parse(job.input).name}.${job.to}`);
  // soffice exits 0 when it cannot load a file ("source file could not be loaded"): look for the output.
  try {
    await access(file);
    return { ok: true, file };
  } catch {
    return { ok: false, reason: 'failed', detail: ended.stderr || `exit code ${ended.code}` };
  }
}

type RunEnd = { ok: true; code: number | null; stderr: string } | Extract<ConvertOutcome, { ok: false }>;

function run(job: ConvertJob, args: string[]): Promise<RunEnd> {
  return new Promise((resolve) => {
    const child = spawn(job.binary, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOME: job.profileDir } });
    let stderr = '';
    let ending: RunEnd | undefined;
    const killGroup = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch { /* already gone */ }
    };
    const stop = (end: RunEnd): void => {
      ending ??= end;
      killGroup();
    };
    const timer = setTimeout(() => stop({ ok: false, reason: 'timeout', detail: `over ${job.timeoutMs} ms` }), job.timeoutMs);
    const onAbort = (): void => stop({ ok: false, reason: 'aborted', detail: 'the upload was cancelled' });
    job.signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString('utf8')).slice(-MAX_STDERR)));
    child.on('error', (error: NodeJS.ErrnoException) => {
      ending ??= error.code === 'ENOENT' || error.code === 'EACCES' ? { ok: false, reason: 'missing', detail: error.message } : { ok: false, reason: 'failed', detail: error.message };
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      job.signal?.removeEventListener('abort', onAbort);
      killGroup(); // a soffice.bin left behind by its launcher
      resolve(ending ?? { ok: true, code, stderr: stderr.trim() });
    });
  });
}
