import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The gateway's structured JSON logger (pino). `LOG_LEVEL` sets the level (default info;
 * `silent` in tests). Secrets never reach it: URLs are logged without passwords.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'rethinkql' } });
}
