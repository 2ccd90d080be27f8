import { r, type RDatum } from 'rethinkdb-ts';

/**
 * The value at a (nested) field path of a document, or null when any step is missing or not an
 * object. Null-safe on purpose: reqlite throws on `row('a')('b')` when `a` is null, and
 * `.default()` does not catch it there. Correct on RethinkDB too. The row itself is not
 * type-checked: it is always an object, and reqlite reports a table row's type as a SELECTION.
 */
export function fieldValue(row: RDatum, path: readonly string[]): RDatum {
  let value: RDatum = row;
  path.forEach((segment, i) => {
    value = value.do((parent: RDatum) => {
      const present = r.branch(parent.hasFields(segment), parent(segment), null);
      return i === 0 ? present : r.branch(parent.typeOf().eq('OBJECT'), present, null);
    });
  });
  return value;
}
