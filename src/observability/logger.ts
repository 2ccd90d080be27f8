import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Bytes of log lines that may wait for a slow stdout reader before further lines are dropped. */
const MAX_QUEUED_LOG_BYTES = 1_048_576;
let stdoutErrorsIgnored = false;

/**
 * A pino destination that can neither block the event loop nor hold the exit. pino's own
 * destination writes fd 1 synchronously and, once Node has made a stdout pipe non-blocking,
 * retries EAGAIN in a sleep loop that never ends when the reader has stopped reading (a shutdown
 * that hung forever). Here lines go through `process.stdout`, which queues in memory for a pipe
 * or socket; past `maxQueuedBytes` waiting, lines are dropped and counted, and a notice of how
 * many is written once the reader has caught up. What is still queued at exit is lost (best effort).
 */
export function nonBlockingStdout(maxQueuedBytes = MAX_QUEUED_LOG_BYTES): DestinationStream {
  const stdout = process.stdout;
  // A reader that went away (EPIPE) must not crash the gateway through an unhandled 'error';
  // one listener for every logger (tests create many).
  if (!stdoutErrorsIgnored) stdout.on('error', () => undefined);
  stdoutErrorsIgnored = true;
  let dropped = 0;
  return {
    write(line: string): void {
      if (stdout.writableLength > maxQueuedBytes) {
        dropped += 1;
        return;
      }
      if (dropped > 0) {
        stdout.write(`${JSON.stringify({ level: 40, time: Date.now(), service: 'rethinkql', msg: `${dropped} log lines dropped: stdout was not read` })}\n`);
        dropped = 0;
      }
      stdout.write(line);
    },
  };
}

/**
 * The gateway's structured JSON logger (pino). `LOG_LEVEL` sets the level (default info;
 * `silent` mutes it). In a terminal the lines are pretty-printed (pino-pretty); elsewhere, or
 * with `LOG_FORMAT=json`, they are JSON, one object per line, written without ever blocking
 * (see nonBlockingStdout). Secrets never reach it: URLs are logged without passwords and tokens
 * are never logged.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', format = process.env.LOG_FORMAT): Logger {
  const pretty = format === 'pretty' || (format !== 'json' && process.stdout.isTTY === true);
  const options = {
    level,
    base: { service: 'rethinkql' },
    redact: { paths: ['req.headers.authorization', '*.password', 'password', 'token', '*.token'], censor: '[redacted]' },
  };
  if (pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,service' } } });
  return pino(options, nonBlockingStdout());
}

/**
 * `log.child(bindings)`, made on first use: a request or operation that never logs never builds
 * one (a pino child is ~0.3 KiB, kept as long as the operation lives: for a subscription, as
 * long as it is open). Methods are bound to the child, so they may be passed around detached.
 */
export function lazyChild(log: Logger, bindings: Record<string, unknown>): Logger {
  return new Proxy(log, new LazyChild(log, bindings));
}

/** lazyChild's Proxy handler: every read and write goes to the child (made then); the parent is only the target. A class, so a request pays for one object, not a closure per trap. */
class LazyChild implements ProxyHandler<Logger> {
  private child?: Logger;

  constructor(
    private readonly log: Logger,
    private readonly bindings: Record<string, unknown>,
  ) {}

  get(_parent: Logger, key: string | symbol): unknown {
    const child = this.made();
    const value: unknown = Reflect.get(child, key, child);
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(child) : value;
  }

  set(_parent: Logger, key: string | symbol, value: unknown): boolean {
    return Reflect.set(this.made(), key, value);
  }

  private made(): Logger {
    return (this.child ??= this.log.child(this.bindings));
  }
}
