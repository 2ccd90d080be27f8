import { type Document } from '../db/index.js';
import { matchesWhere } from '../filter/evaluate.js';
import { parseWhere, whereFields } from '../filter/parse.js';
import type { WhereNode } from '../filter/ast.js';
import { Forbidden } from '../errors/domain.js';
import type { Identity } from './identity.js';
import { ADMIN_ROLE, ruleFor, type Action, type PermissionRules, type TableRule } from './rules.js';
import { isJsonObject } from '../util/json.js';

/**
 * What a caller may do with one table, for one action: the row filter to AND in, the fields to
 * strip and the writes to refuse. Obtained from `authorize`, which has already refused the
 * action itself. The admin role gets an access with no rules.
 */
export interface TableAccess {
  /** The role's row filter with token variables filled in; undefined: every row. */
  readonly rows: Readonly<Record<string, unknown>> | undefined;
  /** Top-level fields the role may not write (a `replace` keeps their stored values). */
  readonly readonlyFields: readonly string[];
  /** Top-level fields the role may not read (no result, event or error describes them). */
  readonly hiddenFields: readonly string[];
  /** `where` ANDed with the row filter (either may be absent). */
  restrict(where: unknown): unknown;
  /** Whether the row filter lets the caller see or touch this document. */
  allows(doc: Document): boolean;
  /** The document without the fields the role may not read. */
  strip<D extends Document | null>(doc: D): D;
  /** Refuses (Forbidden) a filter or sort that reads a hidden field: it would reveal its values. */
  checkReads(where: unknown, sortFields?: readonly string[]): void;
  /**
   * Refuses (Forbidden) a document or patch that writes a read-only field, or — when the
   * resulting document `result` is given — one that would fall outside the row filter.
   */
  checkWrite(doc: Document, what: string, result?: Document): void;
  /** `checkWrite` for a patch deep-merged into `current` (RethinkDB update semantics). */
  checkPatch(current: Document, patch: Document, what: string): void;
  /**
   * Refuses atomic update operators (dotted `fields` they write) on a read-only field, or on a
   * field the row rule reads: the database computes the result, so the gateway could not check
   * that it stays inside the rule; with those fields untouched it stays where it was.
   */
  checkOperators(fields: readonly string[]): void;
}

const UNRESTRICTED: TableAccess = {
  rows: undefined,
  readonlyFields: [],
  hiddenFields: [],
  restrict: (where) => where,
  allows: () => true,
  strip: (doc) => doc,
  checkReads: () => undefined,
  checkWrite: () => undefined,
  checkPatch: () => undefined,
  checkOperators: () => undefined,
};

/**
 * Checks that `identity` may do `action` on `db.table` and returns what limits it. Throws
 * Forbidden otherwise: default deny for every role but `admin`. Runs before any lookup, so the
 * answer is the same whether the table exists or not. `own`: the table is one of the gateway's
 * own (channel events, RDM audit trail), which no wildcard pattern grants, only `db.table`.
 */
export function authorize(rules: PermissionRules, identity: Identity, db: string, table: string, action: Action, own = false): TableAccess {
  if (identity.role === ADMIN_ROLE) return UNRESTRICTED;
  const rule = ruleFor(rules.get(identity.role), db, table, own);
  if (!rule?.actions.has(action)) {
    throw new Forbidden(`role "${identity.role}" may not ${action} ${db}.${table}`, { database: db, table, action });
  }
  return accessFor(rule, identity, db, table);
}

/** Whether the role may do anything at all with `db.table` (listing tables shows only those); `own` as for `authorize`. */
export function mayUse(rules: PermissionRules, identity: Identity, db: string, table: string, own = false): boolean {
  if (identity.role === ADMIN_ROLE) return true;
  return (ruleFor(rules.get(identity.role), db, table, own)?.actions.size ?? 0) > 0;
}

function accessFor(rule: TableRule, identity: Identity, db: string, table: string): TableAccess {
  const rows = rule.rows ? (fillVariables(rule.rows, identity, db, table) as Record<string, unknown>) : undefined;
  const rowNode: WhereNode | undefined = rows ? parseWhere(rows) : undefined;
  const hidden = new Set(rule.hiddenFields);
  const readonly = new Set(rule.readonlyFields);
  const refuse = (message: string, details: Record<string, unknown>) =>
    new Forbidden(`role "${identity.role}" ${message} in ${db}.${table}`, { database: db, table, ...details });
  const checkWrite = (doc: Document, what: string, result?: Document): void => {
    const field = Object.keys(doc).find((key) => readonly.has(key));
    if (field !== undefined) throw refuse(`may not write the field "${field}" (${what})`, { field });
    if (rowNode && result && !matchesWhere(rowNode, result)) throw refuse(`may not write a document outside its row rule (${what})`, {});
  };
  return {
    rows,
    readonlyFields: rule.readonlyFields,
    hiddenFields: rule.hiddenFields,
    restrict: (where) => (rows === undefined ? where : where === undefined || where === null ? rows : { and: [rows, where] }),
    allows: (doc) => rowNode === undefined || matchesWhere(rowNode, doc),
    strip: (doc) => {
      if (doc === null || hidden.size === 0) return doc;
      return Object.fromEntries(Object.entries(doc).filter(([field]) => !hidden.has(field))) as typeof doc;
    },
    checkReads(where, sortFields = []) {
      if (hidden.size === 0) return;
      const parsed = parseWhere(where);
      const fields = [...(parsed ? whereFields(parsed) : []), ...sortFields];
      const found = fields.find((field) => hidden.has(field.split('.')[0] as string));
      if (found !== undefined) throw refuse(`may not filter or sort on the hidden field "${found}"`, { field: found });
    },
    checkWrite,
    checkPatch: (current, patch, what) => checkWrite(patch, what, deepMerge(current, patch)),
    checkOperators(fields) {
      const ruled = new Set(rowNode ? whereFields(rowNode).map((field) => field.split('.')[0]) : []);
      for (const field of fields) {
        const top = field.split('.')[0] as string;
        if (readonly.has(top)) throw refuse(`may not write the field "${top}" (operators)`, { field: top });
        if (ruled.has(top)) throw refuse(`may not change "${field}" with an operator: its row rule reads "${top}"`, { field: top });
      }
    },
  };
}

/** RethinkDB's update semantics in JS (objects merge recursively, anything else replaces). */
function deepMerge(base: Document, patch: Document): Document {
  const merged: Document = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const old = merged[key];
    merged[key] = isJsonObject(old) && isJsonObject(value) ? deepMerge(old, value) : value;
  }
  return merged;
}

/**
 * The row filter with `$user.id`, `$user.role` and `$claims.<name>` string values replaced by
 * the caller's values. A variable the token does not carry refuses the request: matching it
 * against nothing could otherwise widen a negated rule.
 */
function fillVariables(value: unknown, identity: Identity, db: string, table: string): unknown {
  if (typeof value === 'string' && value.startsWith('$')) {
    const filled = variable(value, identity);
    if (filled === undefined) {
      throw new Forbidden(`the row rule of role "${identity.role}" on ${db}.${table} needs ${value}, which the credential does not carry`, { database: db, table });
    }
    return filled;
  }
  if (Array.isArray(value)) return value.map((item) => fillVariables(item, identity, db, table));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillVariables(item, identity, db, table)]));
  }
  return value;
}

function variable(name: string, identity: Identity): unknown {
  if (name === '$user.id') return identity.userId ?? undefined;
  if (name === '$user.role') return identity.role;
  if (name.startsWith('$claims.')) {
    const claim = identity.claims[name.slice('$claims.'.length)];
    return typeof claim === 'string' || typeof claim === 'number' || typeof claim === 'boolean' ? claim : undefined;
  }
  // Any other `$...` string is a literal value.
  return name;
}
