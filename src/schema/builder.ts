import SchemaBuilder from '@pothos/core';
import type { Context } from '../context.js';

/** JSON values as they travel: anything JSON can hold. */
export type JsonValue = unknown;
/** A JSON object (a document, a patch, a filter). */
export type JsonObject = Record<string, unknown>;

/** The Pothos builder: configuration only. Types and fields live in the other schema files. */
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string | number };
    JSON: { Input: JsonValue; Output: JsonValue };
    JSONObject: { Input: JsonObject; Output: JsonObject };
  };
}>({
  defaultFieldNullability: false,
});
