#!/usr/bin/env node
// `npm start`: build the Next app and compile the server (scripts/build-server.mjs) if
// either is missing or stale, then run the compiled server (.server/index.mjs) with plain
// node in this terminal. Signals are forwarded to the child so Ctrl-C and `kill` reach the
// server's graceful shutdown, and we exit with the server's exit code.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildServer, SERVER_ENTRY } from './build-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

// Inputs of `next build`. Server-only code (server/) is compiled by build-server.mjs.
const BUILD_INPUTS = ['app', 'pages', 'components', 'lib', 'next.config.ts', 'postcss.config.mjs'];
const BUILD_ID = join('.next', 'BUILD_ID');

/** Newest modification time (ms) of a file or, recursively, of the files in a folder. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

function buildIsStale() {
  if (!existsSync(BUILD_ID)) return true;
  const built = statSync(BUILD_ID).mtimeMs;
  return BUILD_INPUTS.some((input) => newestMtime(input) > built);
}

/** The child running now (the build, then the server): our signals go to it. */
let current;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (current && current.exitCode === null) current.kill(signal);
    else process.exit(128 + constants.signals[signal]);
  });
}

/** Run a child with inherited stdio; resolve with its exit code (128+n for signal n). */
function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env });
    current = child;
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? 128 + (constants.signals[signal] ?? 0));
    });
  });
}

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

if (buildIsStale()) {
  console.log('> Building the app (next build) ...');
  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  const code = await run([nextBin, 'build'], { ...env, NODE_ENV: 'production' });
  if (code !== 0) {
    console.error(`> next build failed (exit code ${code})`);
    process.exit(code);
  }
}

if (await buildServer()) console.log('> Compiled the server into .server/');

const code = await run(['--enable-source-maps', SERVER_ENTRY], { ...env, NODE_ENV: 'production' });
process.exit(code);
