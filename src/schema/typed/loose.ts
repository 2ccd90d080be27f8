/**
 * Pothos types fields statically, from types known at compile time. The typed per-table API's
 * types exist only at runtime (they come from the database and the models file), so its fields
 * go through these two helpers, which hand Pothos options it cannot check. Everything else in
 * the schema stays statically typed.
 */

/** A type as Pothos accepts it: a scalar's name, a ref, or a one-element list of either. */
export type LooseType = unknown;

/** Options of an output field, an argument or an input field. */
export interface LooseOptions {
  type: LooseType;
  description?: string;
  nullable?: boolean | { list: boolean; items: boolean };
  required?: boolean | { list: boolean; items: boolean };
  defaultValue?: unknown;
  args?: Record<string, unknown>;
  resolve?: (parent: never, args: never, ctx: never) => unknown;
  subscribe?: (parent: never, args: never, ctx: never) => unknown;
}

/** `t.field(options)` (object, input or root field) with options only known at runtime. */
export function looseField<T>(t: { field: (options: never) => T }, options: LooseOptions): T {
  return t.field(options as never);
}

/** `t.arg(options)` with options only known at runtime. */
export function looseArg<T>(arg: (options: never) => T, options: LooseOptions): T {
  return arg(options as never);
}
