import type { CodegenConfig } from '@graphql-codegen/cli';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { readModelsFile } from './src/models/declared.js';
import { buildSchema } from './src/schema/index.js';

/**
 * The models codegen prints the schema for: the demo leaderboard's declarations. The typed part
 * of a running gateway's schema depends on its database; these fixed models make schema.graphql
 * and the typed documents reproducible without one (building the schema connects to nothing).
 */
export const codegenModelsFile = 'examples/leaderboard/models.json';

/** The schema `npm run codegen` prints: the generic API plus the typed API of the leaderboard models. */
export const codegenSchema = printSchema(lexicographicSortSchema(buildSchema(readModelsFile(codegenModelsFile)).schema));

/** The client preset with every custom scalar typed (none is `any`). */
const typedDocuments = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: {
    scalars: { DateTime: 'string', JSON: 'unknown', JSONObject: 'Record<string, unknown>' },
    enumsAsTypes: true,
    useTypeImports: true,
    importExtension: '.js',
  },
} as const;

/**
 * `npm run codegen`: prints schema.graphql, and generates typed documents (client preset) for the
 * operations written with `graphql(...)` in test/ and examples/, and the leaderboard's trusted-documents
 * manifest. test/schema.test.ts fails when any generated file is stale.
 */
const config: CodegenConfig = {
  schema: codegenSchema,
  generates: {
    'schema.graphql': { plugins: ['schema-ast'], config: { includeDirectives: false } },
    'test/generated/': { ...typedDocuments, documents: ['test/**/*.ts', '!test/generated/**'] },
    // The front end's operations also become a trusted-documents manifest (persisted-documents.json,
    // sha256 of each document -> its text) that TRUSTED_DOCUMENTS loads; each document carries its
    // hash (`__meta__.hash`) for the client to send as `documentId`.
    'examples/leaderboard/generated/': {
      ...typedDocuments,
      presetConfig: { ...typedDocuments.presetConfig, persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: 'sha256' } },
      documents: ['examples/leaderboard/*.ts'],
    },
  },
};

export default config;
