#!/usr/bin/env node
// Compiles src/ into dist/ (tsc -p tsconfig.build.json), copies the demo page's static assets, and
// writes dist/.built last, so a build that failed half way is never taken for a finished one.
//
// `node scripts/build.mjs --if-stale` (what `npm start` runs first) builds only when dist/.built
// is missing or older than a file under src/ or a tsconfig: `npm install` already built (the
// `prepare` script), so a start after it costs a directory walk (a few ms), not a compile
// (10 s and more). Why a stamp and mtimes rather than `tsc --build`: the incremental build
// still loads the compiler and type-checks the project, seconds on every start.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.built');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json'].map((path) => join(root, path));

/** Newest modification time (ms) of a file, or of every file below a folder. */
function newest(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stats.mtimeMs);
}

function isStale() {
  if (!existsSync(stamp)) return 'dist/ has not been built';
  const built = statSync(stamp).mtimeMs;
  const changed = inputs.find((path) => existsSync(path) && newest(path) > built);
  return changed === undefined ? undefined : `${changed.slice(root.length)} changed since the last build`;
}

if (process.argv.includes('--if-stale')) {
  const reason = isStale();
  if (reason === undefined) process.exit(0);
  process.stderr.write(`rethinkql: building dist/ (${reason})\n`);
}
// The stamp gets the time the build started: a source saved during the compile is newer, so stale.
const started = new Date();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const { status } = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (status !== 0) process.exit(status ?? 1);
cpSync(join(root, 'src/demo/assets'), join(root, 'dist/demo/assets'), { recursive: true });
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
