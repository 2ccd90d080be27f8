// The gateway CLI's start, with an ExecutionTuning from BENCH_TUNING (JSON): bench/run.ts runs
// the served gateway and its earlier variant side by side, each in its own process. Compiled,
// like the served one (startGatewayProcess builds dist/ when stale); BENCH_GATEWAY_BUILD=src
// runs the sources through tsx.
import type * as AppModule from '../src/app.js';
import type * as ConfigModule from '../src/config/config.js';
import type { ExecutionTuning } from '../src/http/server.js';
import type * as LoggerModule from '../src/observability/logger.js';

const build = process.env.BENCH_GATEWAY_BUILD === 'src' ? '../src' : '../dist';
const { startApp } = (await import(`${build}/app.js`)) as typeof AppModule;
const { defaultConfig, parseRethinkdbUrl } = (await import(`${build}/config/config.js`)) as typeof ConfigModule;
const { createLogger } = (await import(`${build}/observability/logger.js`)) as typeof LoggerModule;

const tuning = JSON.parse(process.env.BENCH_TUNING ?? '{}') as ExecutionTuning;
const { target } = parseRethinkdbUrl(process.env.RETHINKDB_URL ?? '');
const app = await startApp(defaultConfig({ port: 0, database: target, maxLimit: 10_000 }), createLogger('warn'), tuning);
process.stdout.write(`rethinkql ready: ${app.url}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
