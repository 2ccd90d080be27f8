// The gateway under benchmark, in its own process (started by bench/fanout.ts with --expose-gc)
// so its CPU and memory are not mixed with the clients'. Talks to the parent over IPC:
// sends { url, db* } when ready; answers 'memory', 'cpu' (its CPU time so far, µs) and 'stats'; exits on 'stop'.
// 'profile-start' / 'profile-stop <file>' profile a span of its CPU (the burst, BENCH_BURST_PROF);
// 'heap-snapshot <file>' writes a heap snapshot after a GC (what idle subscriptions hold).
// On embedded reqlite unless RETHINKDB_URL is set; BENCH_TUNING (JSON ExecutionTuning) picks a variant.
import { writeFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { Session } from 'node:inspector/promises';
import type * as AppModule from '../src/app.js';
import type * as ConfigModule from '../src/config/config.js';
import type { ExecutionTuning } from '../src/http/server.js';
import type * as LoggerModule from '../src/observability/logger.js';

// The compiled gateway (`npm run build`: what `npm start` serves; bench/fanout.ts builds it when
// stale); BENCH_GATEWAY_BUILD=src runs the sources through tsx instead, whose transform gives every
// named closure a `name` property of its own: ~300 bytes more per closure an idle subscription keeps.
const build = process.env.BENCH_GATEWAY_BUILD === 'src' ? '../src' : '../dist';
const { startApp } = (await import(`${build}/app.js`)) as typeof AppModule;
const { defaultConfig, parseRethinkdbUrl } = (await import(`${build}/config/config.js`)) as typeof ConfigModule;
const { createLogger } = (await import(`${build}/observability/logger.js`)) as typeof LoggerModule;

const external = process.env.RETHINKDB_URL ? parseRethinkdbUrl(process.env.RETHINKDB_URL).target : undefined;
// No resume grace: each fan-out run starts on a fresh query, not on the previous run's lingering one.
const app = await startApp(defaultConfig({ port: 0, resumeGraceSeconds: 0, ...(external ? { database: external } : {}) }), createLogger('error'), JSON.parse(process.env.BENCH_TUNING ?? '{}') as ExecutionTuning);
const send = (message: unknown) => process.send?.(message);
const db =
  external?.kind === 'external'
    ? { dbHost: external.host, dbPort: external.port, dbUser: external.user, dbPassword: external.password, backend: 'RethinkDB' }
    : { dbHost: app.embedded?.host, dbPort: app.embedded?.port, dbUser: 'admin', dbPassword: app.embedded?.password, backend: 'reqlite' };
send({ type: 'ready', url: app.url, ...db });

let profiler: Session | undefined;

process.on('message', (message: unknown) => {
  if (message === 'profile-start') {
    profiler = new Session();
    profiler.connect();
    void profiler
      .post('Profiler.enable')
      .then(() => profiler?.post('Profiler.start'))
      .then(() => send({ type: 'profiling' }));
    return;
  }
  if (typeof message === 'string' && message.startsWith('heap-snapshot ')) {
    (globalThis as { gc?: () => void }).gc?.();
    send({ type: 'heap-snapshot', file: writeHeapSnapshot(message.slice('heap-snapshot '.length)) });
    return;
  }
  if (typeof message === 'string' && message.startsWith('profile-stop ')) {
    const file = message.slice('profile-stop '.length);
    void profiler?.post('Profiler.stop').then(({ profile }) => {
      writeFileSync(file, JSON.stringify(profile));
      profiler?.disconnect();
      profiler = undefined;
      send({ type: 'profiled', file });
    });
    return;
  }
  if (message === 'memory') {
    (globalThis as { gc?: () => void }).gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    send({ type: 'memory', heapUsed, rss });
  } else if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    send({ type: 'cpu', micros: user + system });
  } else if (message === 'stats') {
    send({ type: 'stats', ...app.subscriptions.stats() });
  } else if (message === 'stop') {
    void app.close().then(() => process.exit(0));
  }
});
