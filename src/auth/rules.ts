import { parseWhere } from '../filter/parse.js';
import { isJsonObject } from '../util/json.js';

/** What a role may do on a table. `admin` is creating and dropping tables and indexes. */
export type Action = 'read' | 'insert' | 'update' | 'delete' | 'subscribe' | 'admin';
export const ACTIONS: readonly Action[] = ['read', 'insert', 'update', 'delete', 'subscribe', 'admin'];

/** The name of the role that may do everything, with no row or field rules. */
export const ADMIN_ROLE = 'admin';

/** One role's rule for the tables a pattern names. */
export interface TableRule {
  readonly actions: ReadonlySet<Action>;
  /**
   * Row filter (the `where` language) ANDed into every read, subscription, update and delete;
   * inserted and updated documents must match it too. String values `$user.id`, `$user.role`
   * and `$claims.<name>` are filled in from the caller's token. Undefined: every row.
   */
  readonly rows?: Readonly<Record<string, unknown>>;
  /** Top-level fields this role never sees (stripped from results, refused in filters and sorts). */
  readonly hiddenFields: readonly string[];
  /** Top-level fields this role may not write (an insert, update or replace naming one is refused). */
  readonly readonlyFields: readonly string[];
}

/** Every role's rules: role -> `db.table` pattern (`*` for any db or table) -> rule. */
export type PermissionRules = ReadonlyMap<string, ReadonlyMap<string, TableRule>>;

const RULE_KEYS = new Set<string>([...ACTIONS, 'rows', 'hiddenFields', 'readonlyFields']);
const PATTERN = /^(\*|[A-Za-z0-9_]+)\.(\*|[A-Za-z0-9_]+)$/;

/**
 * Parses the `permissions` setting: `{ "<role>": { "<db>.<table>": { "read": true, ...,
 * "rows": {..}, "hiddenFields": [..], "readonlyFields": [..] } } }`. Table patterns may use `*`
 * for the database or table (`test.*`, `*.*`); the most specific one wins, rules never merge.
 * Throws an Error naming the offending role, pattern and key.
 */
export function parsePermissionRules(input: unknown): PermissionRules {
  const roles = new Map<string, Map<string, TableRule>>();
  if (input === undefined) return roles;
  if (!isJsonObject(input)) throw new Error('must be a JSON object of roles');
  for (const [role, tables] of Object.entries(input)) {
    if (!/^[\w-]{1,64}$/.test(role)) throw new Error(`role "${role}" must be 1 to 64 letters, digits, _ or -`);
    if (role === ADMIN_ROLE) throw new Error(`role "${ADMIN_ROLE}" may do everything and takes no rules`);
    if (!isJsonObject(tables)) throw new Error(`role "${role}" must map "db.table" patterns to rules`);
    const rules = new Map<string, TableRule>();
    for (const [pattern, rule] of Object.entries(tables)) {
      const where = `role "${role}", "${pattern}"`;
      if (!PATTERN.test(pattern)) throw new Error(`${where}: a pattern is "db.table", either part may be *`);
      rules.set(pattern, parseTableRule(rule, where));
    }
    roles.set(role, rules);
  }
  return roles;
}

function parseTableRule(rule: unknown, where: string): TableRule {
  if (!isJsonObject(rule)) throw new Error(`${where}: must be an object like { "read": true }`);
  const unknown = Object.keys(rule).find((key) => !RULE_KEYS.has(key));
  if (unknown) throw new Error(`${where}: unknown key "${unknown}" (known: ${[...RULE_KEYS].join(', ')})`);
  const actions = new Set<Action>();
  for (const action of ACTIONS) {
    const value = rule[action];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new Error(`${where}: "${action}" must be true or false`);
    if (value) actions.add(action);
  }
  let rows: Record<string, unknown> | undefined;
  if (rule.rows !== undefined) {
    if (!isJsonObject(rule.rows)) throw new Error(`${where}: "rows" must be a filter object`);
    try {
      parseWhere(rule.rows);
    } catch (error) {
      throw new Error(`${where}: "rows": ${(error as Error).message}`);
    }
    rows = rule.rows;
  }
  return { actions, rows, hiddenFields: fieldList(rule.hiddenFields, `${where}: "hiddenFields"`), readonlyFields: fieldList(rule.readonlyFields, `${where}: "readonlyFields"`) };
}

function fieldList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string' && item.length > 0 && !item.includes('.'))) {
    throw new Error(`${where} must be a list of top-level field names`);
  }
  return value;
}

/**
 * The rule for `db.table`: the exact pattern, else `db.*`, else `*.table`, else `*.*`; undefined
 * when none. With `exactOnly` (the gateway's own tables) only the exact pattern counts.
 */
export function ruleFor(rules: ReadonlyMap<string, TableRule> | undefined, db: string, table: string, exactOnly = false): TableRule | undefined {
  if (!rules) return undefined;
  if (exactOnly) return rules.get(`${db}.${table}`);
  return rules.get(`${db}.${table}`) ?? rules.get(`${db}.*`) ?? rules.get(`*.${table}`) ?? rules.get('*.*');
}

