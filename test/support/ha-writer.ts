import type { TestGateway } from './gateway.js';

const UPSERT = 'mutation($t: String!, $d: JSONObject!) { insert(table: $t, documents: [$d], conflict: REPLACE) { inserted replaced } }';

/**
 * Writes through a gateway, one write at a time, while a test breaks the database: row
 * `r<n % rows>` gets `{ v: n }` for n = 1, 2, … Remembers what the gateway said of each write:
 * acknowledged, refused with "nothing was changed", or uncertain ("may or may not have been
 * applied", `extensions.outcome: "unknown"`); any other answer is `unexpected` (a test fails on it).
 */
export class SteadyWriter {
  /** Per row, the values of acknowledged writes. */
  readonly acknowledged = new Map<string, number[]>();
  /** Per row, the values of writes whose outcome the gateway said is unknown. */
  readonly uncertain = new Map<string, number[]>();
  refused = 0;
  readonly unexpected: string[] = [];
  private stopped = false;
  private running?: Promise<void>;

  constructor(
    private readonly gw: TestGateway,
    private readonly table: string,
    private readonly rows: number,
    private readonly pauseMs = 20,
  ) {}

  /** Total acknowledged writes. */
  get acknowledgedCount(): number {
    return [...this.acknowledged.values()].reduce((sum, values) => sum + values.length, 0);
  }

  start(): void {
    this.running = (async () => {
      for (let n = 1; !this.stopped; n++) {
        const id = `r${n % this.rows}`;
        const answer = await this.gw.gql(UPSERT, { t: this.table, d: { id, v: n } }).catch((error: unknown) => ({ errors: [{ message: String(error), extensions: undefined }] }));
        const error = answer.errors?.[0];
        const unavailable = error?.extensions?.code === 'UNAVAILABLE';
        if (!error) record(this.acknowledged, id, n);
        else if (unavailable && error.extensions?.outcome === 'unknown' && /may or may not have been applied/.test(error.message)) record(this.uncertain, id, n);
        else if (unavailable && /nothing was changed/.test(error.message)) this.refused++;
        else this.unexpected.push(JSON.stringify(error));
        await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
      }
    })();
  }

  /** Stops after the write in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /**
   * What is wrong with `rows` (the final state, by id) given what the gateway said: a row whose
   * value is older than its last acknowledged write (a lost write), or a value that was never
   * acknowledged nor uncertain (a write said refused that was applied), other than `initial` in
   * a row never acknowledged. Empty when all is well.
   */
  problems(rows: ReadonlyMap<string, number>, initial: number): string[] {
    const problems: string[] = [];
    for (const [id, values] of this.acknowledged) {
      const last = Math.max(...values);
      const final = rows.get(id);
      if (final === undefined || final < last) problems.push(`${id}: acknowledged v=${last}, holds ${final}`);
    }
    for (const [id, final] of rows) {
      if (final === initial && !this.acknowledged.has(id)) continue;
      if (!this.acknowledged.get(id)?.includes(final) && !this.uncertain.get(id)?.includes(final)) problems.push(`${id}: holds v=${final}, never acknowledged`);
    }
    return problems;
  }
}

function record(map: Map<string, number[]>, id: string, n: number): void {
  map.set(id, [...(map.get(id) ?? []), n]);
}
