import type { CodegenConfig } from '@graphql-codegen/cli';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './src/schema/index.js';

/**
 * `npm run codegen`: prints schema.graphql from the Pothos schema (importing the schema does not
 * connect to any database). test/schema.test.ts fails when the committed file is stale.
 */
const config: CodegenConfig = {
  schema: printSchema(lexicographicSortSchema(schema)),
  generates: {
    'schema.graphql': { plugins: ['schema-ast'], config: { includeDirectives: false } },
  },
};

export default config;
