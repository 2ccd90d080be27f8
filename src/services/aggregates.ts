import type { TableAccess } from '../auth/permissions.js';
import type { Identity } from '../auth/identity.js';
import { aggregateFields, parseAggregate, type AggregateRequest, type AggregateResult, type AggregateSpec } from '../db/index.js';
import { BadInput, Forbidden } from '../errors/domain.js';
import { accessTo, type ServiceDeps } from './access.js';

// Aggregates as the caller may see them: only rows inside the role's row rule are counted, and a
// hidden field may be neither aggregated nor grouped by (its sum, extremes or distinct values
// would reveal it), nor filtered on (as for every read).

/**
 * Checks an aggregate request against a table access: the request itself (BadInput), the filter
 * and the aggregated and grouped fields (Forbidden naming the first hidden one). Returns the
 * checked spec. Shared by the `aggregate` query and the `liveAggregate` subscription.
 */
export function checkAggregate(access: TableAccess, role: string, db: string, table: string, where: unknown, request: AggregateRequest): AggregateSpec {
  const spec = parseAggregate(request);
  access.checkReads(where);
  const hidden = new Set(access.hiddenFields);
  const field = aggregateFields(spec).find((path) => hidden.has(path.split('.')[0] as string));
  if (field !== undefined) {
    throw new Forbidden(`role "${role}" may not aggregate or group by the hidden field "${field}" in ${db}.${table}`, { database: db, table, field });
  }
  return spec;
}

/** The most groups one aggregate may return: `limit` (1..maxLimit) or `defaultLimit`; BadInput otherwise. */
export function groupLimit(limit: number | null | undefined, defaultLimit: number, maxLimit: number): number {
  if (limit === undefined || limit === null) return defaultLimit;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) {
    throw new BadInput(`limit must be an integer from 1 to ${maxLimit} (got ${limit})`, { limit, max: maxLimit });
  }
  return limit;
}

/** An aggregate query: what to group and compute, over which rows, and at most how many groups. */
export interface AggregateQuery extends AggregateRequest {
  where?: unknown;
  /** Most groups (default: `defaultLimit`); more is BadInput, not a truncated answer. */
  limit?: number | null;
}

/**
 * Grouped count / sum / avg / min / max of the rows matching `where` inside the caller's row
 * rule, computed in the database. Forbidden without read access or on a hidden field.
 */
export function aggregateDocuments(
  deps: ServiceDeps & { config: { defaultLimit: number } },
  identity: Identity,
  db: string,
  table: string,
  query: AggregateQuery,
): Promise<AggregateResult> {
  const access = accessTo(deps, identity, db, table, 'read');
  const spec = checkAggregate(access, identity.role, db, table, query.where, query);
  const max = groupLimit(query.limit, deps.config.defaultLimit, deps.config.maxLimit);
  return deps.data.aggregates.aggregate(db, table, access.restrict(query.where), spec, max);
}
