import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyChild } from '../src/observability/logger.js';

/** A pino logger writing into `lines`, and a count of the children made from it. */
function capturing() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: 'info' }, stream);
  let children = 0;
  const child = log.child.bind(log);
  log.child = ((...args: Parameters<typeof log.child>) => {
    children++;
    return child(...args);
  }) as typeof log.child;
  return { log, lines, children: () => children };
}

describe('lazyChild', () => {
  it('makes the child logger on first use only, and its lines carry the bindings', async () => {
    const { log, lines, children } = capturing();
    const lazy = lazyChild(log, { requestId: 'r-1' });
    expect(children()).toBe(0);
    lazy.info({ extra: 1 }, 'first');
    const { warn } = lazy; // detached methods stay bound to the child
    warn('second');
    lazy.level = 'error';
    lazy.info('dropped: below the child level');
    await new Promise((resolve) => setImmediate(resolve));
    expect(children()).toBe(1);
    expect(lines.map((line) => [line.msg, line.requestId, line.extra])).toEqual([
      ['first', 'r-1', 1],
      ['second', 'r-1', undefined],
    ]);
    // The level was set on the child, not on the parent.
    expect(log.level).toBe('info');
  });
});
