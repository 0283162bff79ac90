/**
 * Server-side sign-out. Session cookies stay stateless HMACs (any node holding the key checks
 * them), and each carries the generation it was issued in; the ledger keeps what revokes them:
 * the current generation ("sign out everywhere" raises it, so every older cookie is refused) and
 * the ids of single cookies signed out before they expire (`DELETE /api/session`).
 *
 * One node: kept in `sessions.json` in the data folder (written to a temporary file and renamed,
 * so a crash never leaves half a file). Several nodes: in Redis (redis-session-ledger.ts).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { logger } from '../log';

const slideshowLog = logger('slideshow');

export interface SessionLedger {
  /** The generation new cookies get; older ones are revoked. */
  generation(): Promise<number>;
  /** Has this cookie (by id) been signed out? */
  isRevoked(id: string): Promise<boolean>;
  /** Sign one cookie out; remembered until `expiresAt`, when the cookie would die anyway. */
  revoke(id: string, expiresAt: number): Promise<void>;
  /** Sign every cookie out; resolves the new generation. */
  revokeAll(): Promise<number>;
  close(): Promise<void>;
}

/** In the data folder. */
export const SESSIONS_FILE = 'sessions.json';

/** Single sign-outs remembered at most; beyond that, raising the generation is the safe way to forget. */
export const MAX_REVOKED = 10_000;

/** Single sign-outs still worth remembering: each until its cookie would have expired anyway. */
export class RevokedCookies {
  #until = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  has(id: string): boolean {
    const until = this.#until.get(id);
    return until !== undefined && until >= this.now();
  }

  /** False when MAX_REVOKED are remembered already: the caller raises the generation instead. */
  add(id: string, expiresAt: number): boolean {
    this.prune();
    if (this.#until.size >= MAX_REVOKED) return false;
    this.#until.set(id, expiresAt);
    return true;
  }

  prune(): void {
    const now = this.now();
    for (const [id, until] of this.#until) if (until < now) this.#until.delete(id);
  }

  clear(): void {
    this.#until.clear();
  }

  replace(entries: Record<string, number>): void {
    this.#until = new Map(Object.entries(entries));
    this.prune();
  }

  entries(): IterableIterator<[string, number]> {
    return this.#until.entries();
  }
}

interface LedgerFile {
  generation: number;
  revoked: Record<string, number>;
}

export class FileSessionLedger implements SessionLedger {
  #generation = 0;
  readonly #revoked: RevokedCookies;
  #writing: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string | undefined, now: () => number, private readonly log: (line: string) => void) {
    this.#revoked = new RevokedCookies(now);
  }

  static async open(file: string, now: () => number = Date.now, log = (line: string) => slideshowLog.warn(line)): Promise<FileSessionLedger> {
    const ledger = new FileSessionLedger(file, now, log);
    await ledger.#load();
    return ledger;
  }

  /** Kept in memory only (tests, and code that builds a PresenterAuth by hand). */
  static inMemory(now: () => number = Date.now): FileSessionLedger {
    return new FileSessionLedger(undefined, now, () => undefined);
  }

  async generation(): Promise<number> {
    return this.#generation;
  }

  async isRevoked(id: string): Promise<boolean> {
    return this.#revoked.has(id);
  }

  async revoke(id: string, expiresAt: number): Promise<void> {
    if (!this.#revoked.add(id, expiresAt)) return void (await this.revokeAll());
    await this.#save();
  }

  async revokeAll(): Promise<number> {
    this.#generation += 1;
    this.#revoked.clear();
    await this.#save();
    return this.#generation;
  }

  async close(): Promise<void> {
    await this.#writing;
  }

  async #load(): Promise<void> {
    if (this.file === undefined) return;
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) return;
    const parsed = parseLedger(text);
    if (!parsed) {
      // Unreadable: refuse every cookie issued so far rather than honour a revoked one.
      this.log(`${this.file} is damaged: every presenter is signed out (a new generation starts)`);
      this.#generation = Date.now();
      await this.#save();
      return;
    }
    this.#generation = parsed.generation;
    this.#revoked.replace(parsed.revoked);
  }

  #save(): Promise<void> {
    const body: LedgerFile = { generation: this.#generation, revoked: Object.fromEntries(this.#revoked.entries()) };
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    const write = async () => {
      const temp = `${file}.tmp`;
      await writeFile(temp, `${JSON.stringify(body)}\n`, { mode: 0o600 });
      await rename(temp, file);
    };
    this.#writing = this.#writing.then(write, write);
    return this.#writing;
  }
}

function parseLedger(text: string): LedgerFile | undefined {
  try {
    const value = JSON.parse(text) as Partial<LedgerFile>;
    if (!Number.isSafeInteger(value.generation) || value.generation! < 0) return undefined;
    if (typeof value.revoked !== 'object' || value.revoked === null || Array.isArray(value.revoked)) return undefined;
    for (const until of Object.values(value.revoked)) if (!Number.isSafeInteger(until)) return undefined;
    return value as LedgerFile;
  } catch {
    return undefined;
  }
}
