/**
 * A DeckStore in a fresh temp folder, for tests of server/slides: opened before a describe's tests
 * and removed after them, so each file states only what differs (the folder's prefix, the options).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { DeckStore } from '../../server/slides/index';

export interface TempDeckStore {
  dir: string;
  store: DeckStore;
}

type OpenOptions = Parameters<typeof DeckStore.open>[1];

/** A store in a new temp folder; quiet unless `options.log` says otherwise. */
export async function openTempDeckStore(prefix: string, options: OpenOptions = { log: () => {} }): Promise<TempDeckStore> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, store: await DeckStore.open(dir, options) };
}

export function removeTempDir(dir: string | undefined): Promise<void> {
  return dir === undefined ? Promise.resolve() : rm(dir, { recursive: true, force: true });
}

/**
 * The same for the describe this is called in: its fields are set by the describe's `before` and
 * the folder is removed by its `after`. Read them inside tests and hooks, never at declaration.
 */
export function useTempDeckStore(prefix: string, options?: OpenOptions): TempDeckStore {
  const temp = {} as TempDeckStore;
  before(async () => void Object.assign(temp, await openTempDeckStore(prefix, options)));
  after(() => removeTempDir(temp.dir));
  return temp;
}
