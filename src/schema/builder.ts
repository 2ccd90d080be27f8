import SchemaBuilder from '@pothos/core';
import type { Context } from '../graphql/context.js';

/** JSON values as they travel: anything JSON can hold. */
export type JsonValue = unknown;
/** A JSON object (a document, a patch, a filter). */
export type JsonObject = Record<string, unknown>;

/** The Pothos type configuration of the gateway's schema. */
export interface SchemaTypes {
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string | number };
    JSON: { Input: JsonValue; Output: JsonValue };
    JSONObject: { Input: JsonObject; Output: JsonObject };
    /** ISO-8601 text in, ISO-8601 text out (RethinkDB TIME values arrive as Date and are printed). */
    DateTime: { Input: string; Output: string | Date };
  };
}

/** A Pothos builder for the gateway's schema. */
export type Builder = PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>>;

/**
 * A fresh Pothos builder for the generic API: configuration only. Types and fields live in the
 * other schema files, which register themselves on the builder they are given. The typed
 * per-table API, whose types exist only at runtime, is made with graphql-js (src/schema/typed/).
 */
export function createBuilder(): Builder {
  return new SchemaBuilder<SchemaTypes>({ defaultFieldNullability: false });
}
