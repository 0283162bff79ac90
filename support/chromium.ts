// Where the tests find a Chromium to drive. Playwright must never download a browser
// itself, so every launch passes an explicit executablePath from findChromium().
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Chromium builds already in Playwright's own cache, newest revision first. */
function playwrightCacheCandidates(): string[] {
  const cache = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  let entries: string[];
  try {
    entries = readdirSync(cache);
  } catch {
    return [];
  }
  return entries
    .filter((name) => /^chromium-\d+$/.test(name))
    .sort((a, b) => Number(b.slice('chromium-'.length)) - Number(a.slice('chromium-'.length)))
    .map((name) => join(cache, name, 'chrome-linux', 'chrome'));
}

/**
 * Path of a Chromium executable: $CHROMIUM_PATH, then the system package, then
 * Playwright's cache. Undefined when there is none (callers skip or fail clearly).
 */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  const candidates = [...(fromEnv ? [fromEnv] : []), ...SYSTEM_PATHS, ...playwrightCacheCandidates()];
  return candidates.find((path) => existsSync(path));
}

/** Flags for headless runs as root on CI: no sandbox, no GPU, no background traffic. */
export const chromiumLaunchArgs: string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
