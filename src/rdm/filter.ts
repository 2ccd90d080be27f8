import { BadInput } from '../errors/domain.js';
import { parsePythonLiteral } from './python-literal.js';
import { isJsonObject } from '../util/json.js';

/** A filter dict as RDM clients send it: field names to values, nested dicts matching as subsets. */
export type RdmFilter = Record<string, unknown>;

/**
 * Reads `payload.filter`: a JSON object, a JSON string, or a Python-literal string (what RDM's
 * README showed: `"{'races': 1, 'ok': True}"`). Never evaluated. Throws BadInput for anything
 * that does not come out as a dict.
 */
export function parseRdmFilter(raw: unknown): RdmFilter {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      value = parsePythonLiteral(raw);
    }
  }
  if (!isJsonObject(value)) {
    throw new BadInput('payload.filter must be a dict: a JSON object, or a string holding one in JSON or Python-literal syntax', {
      field: 'payload.filter',
    });
  }
  return value;
}

/**
 * Translates RDM's `filter(dict)` into the gateway's `where` language, so it runs through the
 * same filter compiler as GraphQL queries (and not as `filter(object)`, which crashes reqlite).
 *
 * RethinkDB matches a dict predicate as a subset: every key must be present and equal, nested
 * dicts recursively. Flattened: `{a: {b: 1}, c: [1]}` becomes `{"a.b": 1, c: [1]}` (arrays and
 * scalars compare by deep equality). A nested empty dict only asks for the field to be present,
 * which is `exists: true` or an explicit null. Keys the dotted syntax cannot express (containing
 * a dot, empty, or `and`/`or`/`not` at the top) are refused rather than misread.
 */
export function rdmFilterToWhere(filter: RdmFilter): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  const presence: Record<string, unknown>[] = [];
  const walk = (dict: RdmFilter, prefix: string): void => {
    for (const [key, value] of Object.entries(dict)) {
      if (key === '' || key.includes('.')) {
        throw new BadInput(`filter key ${JSON.stringify(key.slice(0, 80))} cannot be matched: keys must be non-empty and contain no "."`, {
          field: key.slice(0, 80),
        });
      }
      if (prefix === '' && (key === 'and' || key === 'or' || key === 'not')) {
        throw new BadInput(`filter key "${key}" cannot be matched at the top level: use the GraphQL query field`, { field: key });
      }
      const path = prefix + key;
      if (!isJsonObject(value)) {
        Object.defineProperty(where, path, { value, enumerable: true, writable: true, configurable: true });
      } else if (Object.keys(value).length === 0) {
        presence.push({ or: [{ [path]: { exists: true } }, { [path]: { eq: null } }] });
      } else {
        walk(value, `${path}.`);
      }
    }
  };
  walk(filter, '');
  return presence.length > 0 ? { and: [where, ...presence] } : where;
}

