#!/usr/bin/env node
import { startApp } from './app.js';
import { ConfigError, loadConfig, usage } from './config/config.js';
import { createLogger } from './observability/logger.js';

const log = createLogger();

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rethinkql: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (config === 'help') {
    process.stdout.write(usage);
    return;
  }
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
    throw error;
  });
  log.info({ url: app.url }, `GraphQL (and GraphiQL in a browser) at ${app.url}`);
  process.stdout.write(`rethinkql ready: ${app.url}\n`);
  if (app.legacyPort !== undefined) process.stdout.write(`legacy RDM listener: ws://${config.wsHost}:${app.legacyPort}/<operation>\n`);

  const shutdown = (signal: string) => {
    log.info(`${signal} received; shutting down`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, 'rethinkql failed to start');
  process.exit(1);
});
