import { BadInput } from '../errors/domain.js';

const PSEUDO_TYPE_KEY = '$reql_type$';

/**
 * Deepest nesting of a written value (the value itself is level 1). rethinkdb-ts refuses to
 * build a query holding a datum nested 20 levels deep, and an insert wraps documents in one more.
 */
export const MAX_DOCUMENT_DEPTH = 18;

/**
 * Throws BadInput when a value to be written is nested deeper than MAX_DOCUMENT_DEPTH, or holds a
 * `$reql_type$` or `__proto__` key anywhere. RethinkDB reads
 * such objects as pseudo-types (times, binary, geometry) rather than data, and reqlite mangles
 * them: a `{"$reql_type$": "BINARY", ...}` document is stored as `{}`, without its primary key.
 * The gateway stores plain JSON only (its filter language refuses these keys too).
 * @param at names the value in the message, e.g. `document 0` or `payload.data`.
 */
export function checkStorable(value: unknown, at: string): void {
  // Iterative: input depth is bounded elsewhere, but a walk should not be what overflows.
  const stack: [unknown, string, number][] = [[value, at, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [current, path, depth] = item;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > MAX_DOCUMENT_DEPTH) {
      throw new BadInput(`${at} is nested too deeply (at ${path}): RethinkDB accepts at most ${MAX_DOCUMENT_DEPTH} levels`, { at: path });
    }
    if (Array.isArray(current)) {
      current.forEach((child: unknown, i) => stack.push([child, `${path}[${i}]`, depth + 1]));
      continue;
    }
    if (Object.hasOwn(current, PSEUDO_TYPE_KEY)) {
      throw new BadInput(`${path} holds a "${PSEUDO_TYPE_KEY}" key: RethinkDB pseudo-types cannot be written through the gateway`, { at: path });
    }
    if (Object.hasOwn(current, '__proto__')) {
      // JSON.parse makes it an own key, but JavaScript code that copies objects key by key sets a
      // prototype instead: the driver's reply parser drops the field on every read, reqlite
      // merges its fields into the parent. Refused rather than silently lost.
      throw new BadInput(`${path} holds a "__proto__" key, which cannot be stored and read back through the gateway`, { at: path });
    }
    for (const [key, child] of Object.entries(current)) stack.push([child, `${path}.${key}`, depth + 1]);
  }
}
