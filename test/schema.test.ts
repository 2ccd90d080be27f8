import { readFile } from 'node:fs/promises';
import { buildSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';

it('has a committed schema.graphql that matches the code (run `npm run codegen` after schema changes)', async () => {
  const committed = await readFile(new URL('../schema.graphql', import.meta.url), 'utf8');
  expect(printSchema(lexicographicSortSchema(buildSchema(committed)))).toBe(printSchema(lexicographicSortSchema(schema)));
});
