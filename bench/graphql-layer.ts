// Section 6 of bench/run.ts: what the GraphQL layer itself costs (HTTP body parsing, parse,
// validate, limits, execute, serialise) with no database in the way. Yoga is built exactly as the
// gateway builds it (createGatewayYoga) over the real schema; only the data layer is an in-memory
// stub, so the figures are the gateway's own CPU per operation.
import { useGraphQlJit } from '@envelop/graphql-jit';
import { defaultConfig } from '../src/config/config.js';
import { Loaders, type DataLayer } from '../src/db/index.js';
import type { Documents } from '../src/db/documents.js';
import { createLogger } from '../src/observability/logger.js';
import { Metrics } from '../src/observability/metrics.js';
import type { RdmTranslator } from '../src/rdm/translator.js';
import { Gate } from '../src/auth/gate.js';
import { createGatewayYoga, type ExecutionTuning } from '../src/http/yoga.js';
import type { Channels } from '../src/subscriptions/channels.js';
import type { SubscriptionHub } from '../src/subscriptions/hub.js';
import type { Row } from './support.js';

const player = (id: string) => ({ id, name: `player ${id}`, score: id.length * 97, team: { name: 'red' } });
const fifty = Array.from({ length: 50 }, (_, i) => player(`p${i}`));

/** Only what the document, documents and query resolvers reach; answers at once. */
const stubDocuments = {
  getMany: (_db: string, _table: string, ids: readonly string[]) => Promise.resolve(ids.map(player)),
  list: () => Promise.resolve(fifty),
} as unknown as Documents;

/** A data layer whose documents answer at once from memory (sections 6 and 8). */
export const stubData = { documents: stubDocuments, createLoaders: () => new Loaders(stubDocuments) } as unknown as DataLayer;

export const variants: Record<string, ExecutionTuning> = {
  served: {},
  'before: yoga body limit on': { streamedBodyLimit: true },
  'caches off': { cache: false },
  'graphql-jit': { plugins: [useGraphQlJit()] },
};

function yogaFor(tuning: ExecutionTuning) {
  const config = defaultConfig({ port: 0 });
  const log = createLogger('silent');
  return createGatewayYoga({ config, data: stubData, log, metrics: new Metrics(), subscriptions: {} as SubscriptionHub, channels: {} as Channels, rdm: {} as RdmTranslator, gate: new Gate(config.security), tuning });
}

const operations: Record<string, { query: string; variables?: Record<string, unknown> }> = {
  'document(id)': { query: '{ document(db: "bench", table: "players", id: "p1") }' },
  '50 aliased document fields': {
    query: `{ ${Array.from({ length: 50 }, (_, i) => `d${i}: document(db: "bench", table: "players", id: "p${i}")`).join(' ')} }`,
  },
  'query(where, orderBy, limit)': {
    query: 'query($w: JSONObject) { query(db: "bench", table: "players", where: $w, orderBy: [{ field: "score", direction: DESC }], limit: 50) }',
    variables: { w: { score: { gt: 500 }, 'team.name': 'red' } },
  },
};

/**
 * Runs every operation against every variant, interleaved in rounds of `roundMs` per variant so
 * that noise on the shared cores hits all variants alike. Checks that every variant answers the
 * same data without errors before timing.
 */
export async function measureGraphqlLayer({ rounds, roundMs }: { rounds: number; roundMs: number }): Promise<Row[]> {
  const yogas = Object.entries(variants).map(([name, tuning]) => ({ name, yoga: yogaFor(tuning) }));
  const rows: Row[] = [];
  for (const [operation, body] of Object.entries(operations)) {
    const text = JSON.stringify(body);
    const request = (yoga: (typeof yogas)[number]['yoga']) =>
      yoga.fetch('http://bench/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    let expected: string | undefined;
    for (const { name, yoga } of yogas) {
      const answer = await (await request(yoga)).text();
      if (answer.includes('"errors"')) throw new Error(`${name} failed ${operation}: ${answer}`);
      if (expected !== undefined && answer !== expected) throw new Error(`${name} answered ${operation} differently: ${answer}`);
      expected = answer;
    }
    const totals = new Map(yogas.map(({ name }) => [name, { count: 0, ms: 0 }]));
    for (let round = 0; round < rounds; round++) {
      for (const { name, yoga } of yogas) {
        const total = totals.get(name) ?? { count: 0, ms: 0 };
        const started = performance.now();
        const end = started + roundMs;
        while (performance.now() < end) {
          await (await request(yoga)).text();
          total.count++;
        }
        total.ms += performance.now() - started;
      }
    }
    const baseline = totals.get(yogas[0]?.name ?? '');
    for (const [name, { count, ms }] of totals) {
      rows.push({
        operation,
        variant: name,
        'ops/s': (count / ms) * 1000,
        'µs/op': (ms / count) * 1000,
        'ratio to served': baseline ? count / ms / (baseline.count / baseline.ms) : 1,
      });
    }
  }
  return rows;
}
