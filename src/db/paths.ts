import { r, type RDatum } from 'rethinkdb-ts';

/**
 * The value at a (nested) field path of a document, or null when any step is missing or not an
 * object. Null-safe on purpose: reqlite throws on `row('a')('b')` when `a` is null, and
 * `.default()` does not catch it there. Correct on RethinkDB too (index functions use it, so
 * one index serves both backends). The row itself is not type-checked: it is always an object,
 * and reqlite reports a table row's type as a SELECTION.
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

/**
 * `fieldValue` in RethinkDB's native terms, for the RethinkDB dialect only: the same value,
 * fewer terms. `row(a).default(null)` is exact on a document (a missing key or a null is a
 * non-existence error that `default` catches). Later steps still check for an object first:
 * `x(b)` plucks from every element of an array `x`, and on a string or a number it is a logic
 * error that `default` does not catch.
 */
export function nativeFieldValue(row: RDatum, path: readonly string[]): RDatum {
  let value: RDatum = row;
  path.forEach((segment, i) => {
    value =
      i === 0
        ? value(segment).default(null)
        : value.do((parent: RDatum) => r.branch(parent.typeOf().eq('OBJECT'), parent(segment).default(null), null));
  });
  return value;
}
