// The gateway under benchmark, in its own process (started by bench/fanout.ts with --expose-gc)
// so its CPU and memory are not mixed with the clients'. Talks to the parent over IPC:
// sends { url, dbHost, dbPort } when ready; answers 'memory' and 'stats'; exits on 'stop'.
import { startApp } from '../src/app.js';
import { defaultConfig } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';

// No resume grace: each fan-out run starts on a fresh query, not on the previous run's lingering one.
const app = await startApp(defaultConfig({ port: 0, resumeGraceSeconds: 0 }), createLogger('error'));
const send = (message: unknown) => process.send?.(message);
send({ type: 'ready', url: app.url, dbHost: app.embedded?.host, dbPort: app.embedded?.port, dbPassword: app.embedded?.password });

process.on('message', (message: unknown) => {
  if (message === 'memory') {
    (globalThis as { gc?: () => void }).gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    send({ type: 'memory', heapUsed, rss });
  } else if (message === 'stats') {
    send({ type: 'stats', ...app.subscriptions.stats() });
  } else if (message === 'stop') {
    void app.close().then(() => process.exit(0));
  }
});
