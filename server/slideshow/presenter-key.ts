/**
 * The presenter key: from PRESENTER_KEY, or generated on first start and kept in the data folder
 * (mode 0600) so it survives restarts. Everything presenter-only is derived from it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';

export const KEY_FILE = '.presenter-key';
export const MIN_KEY_LENGTH = 16;

export interface PresenterKey {
  readonly key: string;
  readonly source: 'environment' | 'file' | 'generated';
}

export async function loadPresenterKey(dataDir: string, fromEnv: string | undefined): Promise<PresenterKey> {
  if (fromEnv !== undefined && fromEnv !== '') return { key: fromEnv, source: 'environment' };
  const file = path.join(dataDir, KEY_FILE);
  const existing = await readFile(file, 'utf8').then((text) => text.trim(), () => '');
  if (existing.length >= MIN_KEY_LENGTH) {
    await chmod(file, 0o600).catch(() => undefined);
    return { key: existing, source: 'file' };
  }
  const key = randomBytes(24).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { key, source: 'generated' };
}
