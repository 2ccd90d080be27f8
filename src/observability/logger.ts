import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The gateway's structured JSON logger (pino). `LOG_LEVEL` sets the level (default info;
 * `silent` mutes it). In a terminal the lines are pretty-printed (pino-pretty); elsewhere, or
 * with `LOG_FORMAT=json`, they are JSON, one object per line. Secrets never reach it: URLs are
 * logged without passwords and tokens are never logged.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', format = process.env.LOG_FORMAT): Logger {
  const pretty = format === 'pretty' || (format !== 'json' && process.stdout.isTTY === true);
  return pino({
    level,
    base: { service: 'rethinkql' },
    redact: { paths: ['req.headers.authorization', '*.password', 'password', 'token', '*.token'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,service' } } } : {}),
  });
}
