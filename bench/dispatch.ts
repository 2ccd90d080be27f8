// Section 7: how a table feed hands changes to many queries on one table, in process. Each
// query is a channel subscription (`where: { channel: { eq: "user/<i>" } }`, as a per-user
// `direct` channel is): "every query" is the dispatch before dispatch keys (each query tests each
// change), "keyed" the table feed's index by the value the filter pins (src/subscriptions/dispatch-key.ts).
import type { RawChange } from '../src/db/index.js';
import { matchesWhere } from '../src/filter/evaluate.js';
import { parseWhere } from '../src/filter/parse.js';
import { createLogger } from '../src/observability/logger.js';
import { dispatchKeyOf } from '../src/subscriptions/dispatch-key.js';
import { TableFeed } from '../src/subscriptions/table-feed.js';
import type { Row } from './support.js';

async function dispatchTime(keyed: boolean, queries: number, events: number): Promise<{ ms: number; delivered: number }> {
  let push: ((change: RawChange) => void) | undefined;
  const feed = new TableFeed({
    name: 'bench.events',
    open: (handlers) => {
      push = (change) => handlers.onChange(change);
      return Promise.resolve({ close: () => Promise.resolve() });
    },
    maxBackoffMs: 100,
    missingTableGraceMs: 100,
    log: createLogger('silent'),
  });
  while (!push) await new Promise((resolve) => setTimeout(resolve, 1));
  let delivered = 0;
  for (let i = 0; i < queries; i++) {
    const where = parseWhere({ channel: { eq: `user/${i}` } });
    if (!where) throw new Error('unreachable');
    feed.add({
      dispatchKey: keyed ? dispatchKeyOf('id', where) : undefined,
      onFeedOpen: () => undefined,
      onFeedDown: () => undefined,
      onFeedFailed: () => undefined,
      onChange: (change) => {
        if (change.new_val && matchesWhere(where, change.new_val)) delivered++;
      },
    });
  }
  const started = performance.now();
  for (let e = 0; e < events; e++) push({ old_val: null, new_val: { id: `e${e}`, channel: `user/${e % queries}`, data: { n: e } } });
  const ms = performance.now() - started;
  await feed.close();
  return { ms, delivered };
}

/** Per query count: time to dispatch `events` changes with and without dispatch keys, side by side. */
export async function measureDispatch({ queryCounts, events }: { queryCounts: readonly number[]; events: number }): Promise<Row[]> {
  const rows: Row[] = [];
  for (const queries of queryCounts) {
    const every = await dispatchTime(false, queries, events);
    const keyed = await dispatchTime(true, queries, events);
    if (every.delivered !== events || keyed.delivered !== events) throw new Error(`delivered ${every.delivered} / ${keyed.delivered} of ${events}`);
    rows.push({
      'queries on the table': queries,
      events,
      'every query µs/event': (every.ms * 1000) / events,
      'keyed µs/event': (keyed.ms * 1000) / events,
      'speed-up': every.ms / keyed.ms,
    });
  }
  return rows;
}
