/**
 * `npm run bench:replay-memory` — what the resume replay window costs per query (per feed).
 *
 * In one process (with --expose-gc), a `changes` query with a replay window of N events takes
 * N updates of documents the way the driver delivers them (fresh objects per change), and the
 * heap after a full GC is compared with the same query without a window. The difference is the
 * window: per retained event its numbered entry, its frozen event object, its resume token, and
 * one document version (each version is the `new` of one event and the `old` of the next; the
 * query's state holds only the current ones).
 */
import type { Document, RawChange } from '../src/db/index.js';
import { createLogger } from '../src/observability/logger.js';
import { ChangesQuery } from '../src/subscriptions/changes-query.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:replay-memory)');

/** A leaderboard player as the demo stores it, plus a little profile: about 170 bytes of JSON. */
function player(i: number, version: number, padding: number): Document {
  return {
    id: `player-${i}`,
    name: `Player number ${i}`,
    board: 'global',
    score: version * 10 + i,
    updatedAt: new Date(1_700_000_000_000 + version * 1000).toISOString(),
    profile: { country: 'GB', level: version % 50, badges: ['early', 'streak'] },
    ...(padding ? { bio: 'x'.repeat(padding) } : {}),
  };
}

async function heapWith(window: number, events: number, documents: number, padding: number): Promise<{ bytes: number; kept: number }> {
  const query = new ChangesQuery('bench', 'feed', { primaryKey: 'id', read: async () => [] }, createLogger('silent'), { events: window, maxAgeMs: 3_600_000 });
  query.onFeedOpen();
  await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < documents; i++) query.onChange({ old_val: null, new_val: player(i, 0, padding) });
  // JSON round trips: the driver hands every change over as freshly parsed objects.
  const fresh = (doc: Document) => JSON.parse(JSON.stringify(doc)) as Document;
  for (let n = 0; n < events; n++) {
    const i = n % documents;
    const version = Math.floor(n / documents) + 1;
    const change: RawChange = { old_val: fresh(player(i, version - 1, padding)), new_val: fresh(player(i, version, padding)) };
    query.onChange(change);
  }
  gc?.();
  gc?.();
  const bytes = process.memoryUsage().heapUsed;
  const kept = query.replaySize;
  query.close();
  return { bytes, kept };
}

async function measure(window: number, padding: number): Promise<number> {
  const runs = 5;
  let total = 0;
  for (let run = 0; run < runs; run++) {
    // Same work with and without a window; the heap difference is what the window keeps.
    const without = await heapWith(0, window * 2, 100, padding);
    const withWindow = await heapWith(window, window * 2, 100, padding);
    if (withWindow.kept !== window) throw new Error(`expected ${window} kept events, got ${withWindow.kept}`);
    total += withWindow.bytes - without.bytes;
  }
  return total / runs;
}

const sizes = [
  { label: 'player document (~170 B of JSON)', padding: 0 },
  { label: 'document with a 1 KiB text field', padding: 1024 },
];
console.log('| document | window (events) | heap for the window | per retained event |');
console.log('|---|---:|---:|---:|');
for (const { label, padding } of sizes) {
  for (const window of [1000, 10_000]) {
    const bytes = await measure(window, padding);
    console.log(`| ${label} | ${window} | ${(bytes / 1024 / 1024).toFixed(2)} MiB | ${Math.round(bytes / window)} B |`);
  }
}
