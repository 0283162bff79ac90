#!/usr/bin/env node
// Compiles the custom server (server/index.ts and what it imports from server/ and lib/) into
// one ES module, .server/index.mjs, that plain `node` runs: production, the tests' app and the
// bench all run this file, so nothing runs through the TypeScript loader but the tests' own code.
// Packages stay external (node_modules is read at run time, as from source).
//
// Scripts the server starts as their own thread or process, named in the source as
// `new URL('./name.mjs', import.meta.url)`, are found and compiled next to it under the same
// name, so that URL still points at them from .server/.
//
// `node scripts/build-server.mjs` builds when an input is newer than the output; `--force` always.
// The build is written to a temporary folder and renamed into place: a server starting
// meanwhile sees the old build or the new one, never half of one.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_BUILD_DIR = join(root, '.server');
export const SERVER_ENTRY = join(SERVER_BUILD_DIR, 'index.mjs');
const INPUTS = ['server', 'lib', 'package.json', 'scripts/build-server.mjs'];
const SOURCE = /\.(m?ts|tsx|m?js)$/;
const SPAWNED = /new URL\(\s*['"]\.\/([\w.-]+\.m?[jt]s)['"]\s*,\s*import\.meta\.url\s*\)/g;

function sourceFiles(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
    entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sourceFiles(join(path, entry.name)));
}

/** server/index.ts, and every script the server code names with `new URL('./x', import.meta.url)`. */
function entryPoints() {
  const entries = { index: join(root, 'server/index.ts') };
  for (const file of sourceFiles(join(root, 'server')).filter((name) => SOURCE.test(name))) {
    for (const match of readFileSync(file, 'utf8').matchAll(SPAWNED)) {
      const target = join(dirname(file), match[1]);
      const name = match[1].replace(/\.m?[jt]s$/, '');
      if (!existsSync(target)) throw new Error(`${relative(root, file)} names ${match[1]}, which does not exist`);
      if (entries[name] && entries[name] !== target) throw new Error(`two spawned scripts are named ${name}: ${relative(root, entries[name])} and ${relative(root, target)}`);
      entries[name] = target;
    }
  }
  return entries;
}

function newestInput() {
  return Math.max(...INPUTS.flatMap((input) => sourceFiles(join(root, input))).map((file) => statSync(file).mtimeMs));
}

export function serverBuildIsStale() {
  return !existsSync(SERVER_ENTRY) || newestInput() > statSync(SERVER_ENTRY).mtimeMs;
}

/** Build .server/ (when stale, unless forced); resolves with true when it built. */
export async function buildServer({ force = false } = {}) {
  if (!force && !serverBuildIsStale()) return false;
  const temporary = `${SERVER_BUILD_DIR}.tmp-${process.pid}-${Date.now()}`;
  try {
    await build({
      entryPoints: entryPoints(),
      outdir: temporary,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      tsconfig: join(root, 'tsconfig.json'),
      logLevel: 'warning',
    });
    const old = `${temporary}-old`;
    if (existsSync(SERVER_BUILD_DIR)) renameSync(SERVER_BUILD_DIR, old);
    renameSync(temporary, SERVER_BUILD_DIR);
    rmSync(old, { recursive: true, force: true });
    return true;
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const built = await buildServer({ force: process.argv.includes('--force') });
  console.log(built ? `> Built the server into ${relative(root, SERVER_ENTRY)} in ${Math.round(performance.now() - started)} ms` : '> The server build is up to date');
}
