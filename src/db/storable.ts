import { BadInput } from '../errors.js';

const PSEUDO_TYPE_KEY = '$reql_type$';

/**
 * Throws BadInput when a value to be written holds a `$reql_type$` key anywhere. RethinkDB reads
 * such objects as pseudo-types (times, binary, geometry) rather than data, and reqlite mangles
 * them: a `{"$reql_type$": "BINARY", ...}` document is stored as `{}`, without its primary key.
 * The gateway stores plain JSON only (its filter language refuses these keys too).
 * @param at names the value in the message, e.g. `document 0` or `payload.data`.
 */
export function checkStorable(value: unknown, at: string): void {
  // Iterative: input depth is bounded elsewhere, but a walk should not be what overflows.
  const stack: [unknown, string][] = [[value, at]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [current, path] = item;
    if (typeof current !== 'object' || current === null) continue;
    if (Array.isArray(current)) {
      current.forEach((child: unknown, i) => stack.push([child, `${path}[${i}]`]));
      continue;
    }
    if (Object.hasOwn(current, PSEUDO_TYPE_KEY)) {
      throw new BadInput(`${path} holds a "${PSEUDO_TYPE_KEY}" key: RethinkDB pseudo-types cannot be written through the gateway`, { at: path });
    }
    for (const [key, child] of Object.entries(current)) stack.push([child, `${path}.${key}`]);
  }
}
