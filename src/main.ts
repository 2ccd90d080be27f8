#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, parseFlags, usage, type Config } from './config/config.js';

/** The version in package.json (beside dist/ and src/ alike). */
function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return version;
}

/** The configuration, or undefined once --help or --version has been answered. Exits 2 on a bad setting. */
function configure(): Config | undefined {
  try {
    const flags = parseFlags(process.argv.slice(2));
    if (flags.help) {
      process.stdout.write(usage);
      return undefined;
    }
    if (flags.version) {
      process.stdout.write(`rethinkql ${packageVersion()}\n`);
      return undefined;
    }
    const config = loadConfig();
    if (config === 'help') throw new Error('unreachable: --help was answered above');
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`rethinkql: ${error.message}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const config = configure();
  if (config === undefined) return;
  // The gateway's modules (GraphQL, the database driver, logging) load only now, a second or more:
  // --help, --version and a bad option answer without them.
  const [{ startApp }, { createLogger }] = await Promise.all([import('./app.js'), import('./observability/logger.js')]);
  const log = createLogger();
  const app = await startApp(config, log).catch((error: NodeJS.ErrnoException & { port?: number }) => {
    if (error.code === 'EADDRINUSE') {
      const legacy = error.port !== undefined && error.port === config.wsPort && error.port !== config.port;
      process.stderr.write(
        legacy
          ? `rethinkql: port ${config.wsPort} on ${config.wsHost} (the legacy RDM listener) is in use; choose another with --ws-port or WS_PORT, or turn it off with WS_PORT=off\n`
          : `rethinkql: port ${config.port} on ${config.host} is in use; choose another with --port or PORT\n`,
      );
      process.exit(1);
    }
    log.fatal({ err: error }, 'rethinkql failed to start');
    process.exit(1);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      // The operator asked twice: whatever the graceful path waits for, it is not wanted.
      log.warn(`${signal} received again; exiting now`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal} received; shutting down`);
    // Not unref'd: this timer must fire even when nothing else keeps the event loop busy.
    setTimeout(() => {
      log.error(`shutdown did not finish within ${config.shutdownTimeoutMs} ms (SHUTDOWN_TIMEOUT_MS); exiting anyway`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  if (!app.data.pool.ready) {
    // An external database that is down does not stop the start (see startApp): say what the
    // gateway waits for, and print "ready" only once queries can be answered.
    process.stdout.write(`rethinkql: listening at ${app.url}; waiting for the database at ${app.data.pool.address}\n`);
  }
  try {
    await app.whenPrepared();
  } catch (error) {
    // The gateway keeps serving (and preparing again on every reconnection); the log says why.
    log.error({ err: error }, `could not prepare the default database "${config.defaultDb}"; not ready`);
    return;
  }
  log.info({ url: app.url }, `GraphQL (and GraphiQL in a browser) at ${app.url}`);
  process.stdout.write(`rethinkql ready: ${app.url}\n`);
  if (app.demoUrl !== undefined) process.stdout.write(`demo page (a live leaderboard): ${app.demoUrl}\n`);
  if (app.legacyPort !== undefined) process.stdout.write(`legacy RDM listener: ws://${config.wsHost}:${app.legacyPort}/<operation>\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`rethinkql failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
