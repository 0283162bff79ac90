/**
 * The PDF render child process (render-child.mjs), seen from the server: started through `/bin/sh`
 * with `ulimit -d`, so the OS refuses it more than `memoryMb` of data memory (RLIMIT_DATA: the heap,
 * every ArrayBuffer, pdfjs's canvases and sharp's buffers; RLIMIT_AS cannot be used, Node reserves
 * gigabytes of address space it never touches). A child that outgrows it fails or dies; either way
 * only it is gone. One request in, one reply out, matched by id; `kill()` returns once it has exited.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PdfReply, PdfRequest } from './pdf-protocol';

const CHILD_FILE = fileURLToPath(new URL('./render-child.mjs', import.meta.url));
/** Exit status of the shell when `ulimit` itself fails: the limit could not be set. */
const NO_LIMIT_EXIT = 97;
const STDERR_KEPT = 4096;

export interface RenderChildOptions {
  /** RLIMIT_DATA of the child, MB. */
  memoryMb: number;
  /** V8 old-space limit of the child's JavaScript, MB (below `memoryMb` to mean anything). */
  heapMb: number;
}

/** Why the child is gone: `memory` when it died of its memory limit, as far as can be told. */
export type ChildEnd = { type: 'exit'; reason: 'memory' | 'no-limit' | 'crash'; message: string };
export type Exchange = { type: 'reply'; reply: PdfReply } | { type: 'timeout' } | ChildEnd;

type Pending = { resolve: (outcome: Exchange) => void; timer: NodeJS.Timeout };
type RequestBody = PdfRequest extends infer R ? (R extends PdfRequest ? Omit<R, 'id'> : never) : never;

export class RenderChild {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  readonly #exited: Promise<void>;
  readonly #ready: Promise<boolean>;
  #nextId = 1;
  #stderr = '';
  #end: ChildEnd | undefined;

  constructor(options: RenderChildOptions) {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // the server's preloads are not the child's business
    this.#child = spawn('/bin/sh', ['-c', `ulimit -d "$1" || exit ${NO_LIMIT_EXIT}; shift; exec "$@"`, 'sh', String(options.memoryMb * 1024), process.execPath, `--max-old-space-size=${options.heapMb}`, CHILD_FILE], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env,
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_KEPT)));
    this.#child.on('message', (reply: PdfReply) => this.#settle(reply.id, { type: 'reply', reply }));
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => (this.#ended(code, signal), resolve()));
      // A child that could not be started at all may never emit 'exit'.
      this.#child.on('error', (error) => void (this.#child.pid === undefined && (this.#ended(null, null, error.message), resolve())));
    });
    this.#ready = new Promise((resolve) => {
      this.#child.once('message', () => resolve(true));
      void this.#exited.then(() => resolve(false));
    });
  }

  /** The child's process id (tests read its limits and memory in /proc). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** One request; settles with the reply, on the deadline, or when the child is gone. */
  async request(body: RequestBody, timeoutMs: number): Promise<Exchange> {
    if (!(await this.#ready) || this.#end) return this.#end ?? { type: 'exit', reason: 'crash', message: 'the renderer did not start' };
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settle(id, { type: 'timeout' }), timeoutMs);
      this.#pending.set(id, { resolve, timer });
      this.#child.send({ ...body, id } as PdfRequest, (error) => {
        if (error) this.#settle(id, { type: 'exit', reason: 'crash', message: `the renderer is gone: ${error.message}` });
      });
    });
  }

  /** Kills the child (if it still runs) and waits until it has exited, so it writes no more files. */
  async kill(): Promise<void> {
    if (this.#child.pid !== undefined && this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.#exited;
  }

  #settle(id: number, outcome: Exchange): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(id);
    pending.resolve(outcome);
  }

  #ended(code: number | null, signal: NodeJS.Signals | null, spawnError?: string): void {
    if (this.#end) return;
    this.#end = spawnError === undefined ? describeEnd(code, signal, this.#stderr) : { type: 'exit', reason: 'crash', message: `the renderer could not be started: ${spawnError}` };
    for (const id of [...this.#pending.keys()]) this.#settle(id, this.#end);
  }
}

/**
 * V8 ends a process whose allocation fails with "Fatal process out of memory" and SIGABRT or
 * SIGTRAP; native code (Skia, libvips) that gets NULL from malloc crashes with SIGSEGV or SIGBUS.
 * Under a memory limit that is what such a death almost always means, so it is reported as such.
 */
const MEMORY_SIGNALS = new Set<NodeJS.Signals>(['SIGABRT', 'SIGTRAP', 'SIGSEGV', 'SIGBUS']);

function describeEnd(code: number | null, signal: NodeJS.Signals | null, stderr: string): ChildEnd {
  if (code === NO_LIMIT_EXIT) return { type: 'exit', reason: 'no-limit', message: `the renderer's memory limit could not be set: ${stderr.trim() || 'ulimit -d failed'}` };
  const outOfMemory = /out of memory|allocation failed|bad_alloc|cannot allocate/i.test(stderr);
  if (outOfMemory || (signal !== null && MEMORY_SIGNALS.has(signal))) return { type: 'exit', reason: 'memory', message: `out of memory (${signal ?? `exit ${code}`})` };
  return { type: 'exit', reason: 'crash', message: signal ? `renderer killed by ${signal}` : `renderer exited (${code})` };
}
