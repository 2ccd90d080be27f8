// The gateway CLI's start, with an ExecutionTuning from BENCH_TUNING (JSON): bench/run.ts runs
// the served gateway and its earlier variant side by side, each in its own process.
import { startApp } from '../src/app.js';
import { defaultConfig, parseRethinkdbUrl } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';
import type { ExecutionTuning } from '../src/http/server.js';

const tuning = JSON.parse(process.env.BENCH_TUNING ?? '{}') as ExecutionTuning;
const { target } = parseRethinkdbUrl(process.env.RETHINKDB_URL ?? '');
const app = await startApp(defaultConfig({ port: 0, database: target, maxLimit: 10_000 }), createLogger('warn'), tuning);
process.stdout.write(`rethinkql ready: ${app.url}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
