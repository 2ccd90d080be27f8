// Section 8: aggregates. The gateway's `aggregate` over N rows against the raw driver's
// equivalent map/group/reduce (and the bare `group().count()`), and the cost of keeping a
// `liveAggregate` current: time from a write to the updated aggregate at a graphql-ws client
// (beside a `changes` subscription on the same writes), and the gateway's CPU per change.
import { readFileSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import { r, type RDatum } from 'rethinkdb-ts';
import { WebSocket } from 'ws';
import { connectRaw, gql, percentiles, startDatabase, startGatewayProcess, type Row, timed } from './support.js';

const DB = 'bench';
const TABLE = 'agg_players';
const BOARDS = 10;
const FIELDS = '{ sum: ["score"], avg: ["score"], min: ["score"], max: ["score"] }';

/** CPU seconds (user + system) and resident memory of a process, from /proc (Linux). */
function usage(pid: number): { cpuSeconds: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // Fields 14 and 15 (utime, stime) in clock ticks of 1/100 s; index 11 and 12 after the ") ".
  const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpuSeconds, rssMiB: Number(rss) / 1024 };
}

/** Runs section 8 on its own database and gateway; `rows` rows, `repeats` timings per figure, `changes` live updates. */
export async function measureAggregates({ rows, repeats, changes }: { rows: number; repeats: number; changes: number }): Promise<{ query: Row[]; live: Row[] }> {
  const db = await startDatabase();
  const conn = await connectRaw(db);
  if (!(await r.dbList().run(conn)).includes(DB)) await r.dbCreate(DB).run(conn);
  if ((await r.db(DB).tableList().run(conn)).includes(TABLE)) await r.db(DB).tableDrop(TABLE).run(conn);
  await r.db(DB).tableCreate(TABLE).run(conn);
  if (db.real) await r.db(DB).table(TABLE).wait().run(conn);
  const table = r.db(DB).table(TABLE);
  for (let i = 0; i < rows; i += 5000) {
    await table.insert(Array.from({ length: Math.min(5000, rows - i) }, (_, j) => ({ id: `p${i + j}`, boardId: `b${(i + j) % BOARDS}`, score: ((i + j) * 7919) % 1000 }))).run(conn);
  }
  const gateway = await startGatewayProcess(db);
  try {
    const query = `{ aggregate(db: "${DB}", table: "${TABLE}", groupBy: ["boardId"], fields: ${FIELDS}) { groups { key count sum avg min max } } }`;
    await gql(gateway.url, query); // warm-up: catalog, dialect detection, JIT
    const gw = await timed(repeats, () => gql(gateway.url, query));
    const raw = await timed(repeats, () =>
      table
        .group('boardId')
        .map((row: RDatum) => ({ c: 1, s: row('score'), lo: row('score'), hi: row('score') }))
        .reduce((a: RDatum, b: RDatum) => ({ c: a('c').add(b('c')), s: a('s').add(b('s')), lo: r.branch(a('lo').lt(b('lo')), a('lo'), b('lo')), hi: r.branch(a('hi').gt(b('hi')), a('hi'), b('hi')) }))
        .ungroup()
        .run(conn),
    );
    const count = await timed(repeats, () => table.group('boardId').count().ungroup().run(conn));
    const row = (client: string, t: { p50: number; p99: number }): Row => ({ client, 'p50 ms': t.p50, 'p99 ms': t.p99, 'ratio to raw map/reduce (p50)': t.p50 / raw.p50 });
    const queryRows = [
      row(`gateway aggregate: ${BOARDS} groups, count+sum+avg+min+max over ${rows} rows`, gw),
      row('raw: group(boardId).map(..).reduce(..) (count, sum, min, max)', raw),
      row('raw: group(boardId).count() only', count),
    ];
    return { query: queryRows, live: await measureLive(gateway, table, conn, rows, changes) };
  } finally {
    await conn.close();
    await gateway.stop();
    await db.stop();
  }
}

async function measureLive(gateway: { url: string; pid: number }, table: ReturnType<typeof r.table>, conn: Awaited<ReturnType<typeof connectRaw>>, rows: number, changes: number): Promise<Row[]> {
  const client = createClient({ url: gateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: false });
  const results: { at: number; sum: number }[] = [];
  const events: number[] = [];
  const before = usage(gateway.pid);
  const subscribed = performance.now();
  let first = 0;
  client.subscribe<{ liveAggregate: { groups: { sum: { score: number } }[] } }>(
    { query: `subscription { liveAggregate(db: "${DB}", table: "${TABLE}", groupBy: ["boardId"], fields: ${FIELDS}) { groups { count sum avg min max } } }` },
    {
      next: (result) => {
        first ||= performance.now() - subscribed;
        results.push({ at: performance.now(), sum: (result.data?.liveAggregate.groups ?? []).reduce((total, group) => total + group.sum.score, 0) });
      },
      error: (error) => console.error('liveAggregate failed', error),
      complete: () => undefined,
    },
  );
  client.subscribe({ query: `subscription { changes(db: "${DB}", table: "${TABLE}") { type } }` }, { next: () => events.push(performance.now()), error: () => undefined, complete: () => undefined });
  const waitFor = async (done: () => boolean) => {
    while (!done()) await new Promise((resolve) => setTimeout(resolve, 1));
  };
  await waitFor(() => results.length > 0);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const loaded = usage(gateway.pid);
  const aggregateDelays: number[] = [];
  const changeDelays: number[] = [];
  const cpuBefore = usage(gateway.pid).cpuSeconds;
  for (let i = 0; i < changes; i++) {
    const seen = results.length;
    const seenEvents = events.length;
    const t0 = performance.now();
    // +1 each time: every write changes a group's sum, so every write is an update to wait for.
    await table.get(`p${(i * 7919) % rows}`).update({ score: r.row('score').add(1) }).run(conn);
    await waitFor(() => results.length > seen && events.length > seenEvents);
    aggregateDelays.push((results.at(-1)?.at ?? t0) - t0);
    changeDelays.push((events.at(-1) ?? t0) - t0);
  }
  const cpuPerChange = ((usage(gateway.pid).cpuSeconds - cpuBefore) / changes) * 1000;
  await client.dispose();
  const agg = percentiles(aggregateDelays);
  const chg = percentiles(changeDelays);
  return [
    { measure: `first liveAggregate result over ${rows} rows (reads each row's key and numbers)`, 'p50 ms': first, 'p99 ms': first, ratio: '' },
    { measure: 'write -> updated liveAggregate at the client', 'p50 ms': agg.p50, 'p99 ms': agg.p99, ratio: `${(agg.p50 / chg.p50).toFixed(2)} x changes` },
    { measure: 'write -> changes event at the client (same writes)', 'p50 ms': chg.p50, 'p99 ms': chg.p99, ratio: '1' },
    { measure: 'gateway CPU per change (both subscriptions, all work)', 'p50 ms': cpuPerChange, 'p99 ms': cpuPerChange, ratio: '' },
    { measure: `gateway RSS growth with the live aggregate loaded (MiB; before ${before.rssMiB.toFixed(0)})`, 'p50 ms': loaded.rssMiB - before.rssMiB, 'p99 ms': loaded.rssMiB - before.rssMiB, ratio: '' },
  ];
}
