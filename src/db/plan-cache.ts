import type { Plan } from './plans.js';

/** Plans kept; the least recently used goes first. */
const MAX_PLANS = 256;
/** Selections whose key is longer (a long `in` list, say) are planned each time, not kept. */
const MAX_KEY_LENGTH = 4096;

/**
 * Built list-query plans by selection. Building a plan is a third of the gateway's CPU for a
 * list query (measured: rethinkdb-ts builds every term object with a closure per ReQL method, and
 * a filter compiles to dozens of terms), while the same selection — a dashboard's list, the first
 * page everybody loads — is asked for again and again. Terms are immutable values, so one plan
 * serves every request that asks for it. A plan is only reused with the field indexes it was
 * planned with (src/db/field-indexes.ts keeps one map per table while its indexes are unchanged).
 */
export class PlanCache {
  private readonly plans = new Map<string, { plan: Plan; indexes: ReadonlyMap<string, string> }>();

  /** The plan for `key` built with `indexes`: the kept one, or `build()`'s, kept for next time. */
  plan(key: string, indexes: ReadonlyMap<string, string>, build: () => Plan): Plan {
    const kept = this.plans.get(key);
    if (kept && (kept.indexes === indexes || (kept.indexes.size === 0 && indexes.size === 0))) {
      // Refresh its place: Map iteration order is insertion order, so the oldest is first.
      this.plans.delete(key);
      this.plans.set(key, kept);
      return kept.plan;
    }
    const plan = build();
    if (key.length > MAX_KEY_LENGTH) return plan;
    if (!kept && this.plans.size >= MAX_PLANS) {
      const oldest = this.plans.keys().next();
      if (!oldest.done) this.plans.delete(oldest.value);
    }
    this.plans.set(key, { plan, indexes });
    return plan;
  }

  /** How many plans are kept (tests). */
  get size(): number {
    return this.plans.size;
  }
}
