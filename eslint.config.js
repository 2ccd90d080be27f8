import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/generated/', 'examples/**/generated/', 'bin/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // Only the data layer talks to RethinkDB (see DESIGN.md).
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'rethinkdb-ts', message: 'Only src/db/** may import rethinkdb-ts.' }],
          patterns: [{ group: ['rethinkdb-ts/*'], message: 'Only src/db/** may import rethinkdb-ts.' }],
        },
      ],
    },
  },
  {
    // One concept per file: past 300 lines a module is doing two jobs (DESIGN.md).
    files: ['src/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 300 }] },
  },
  {
    // Schema files declare types and fields; GraphQL resolvers are adapters onto services/.
    // Neither reaches the data layer except for its types (DESIGN.md: the way a request travels).
    files: ['src/schema/**/*.ts', 'src/resolvers/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/db/*'], allowTypeImports: true, message: 'Reach data through src/services (types from src/db are fine).' }] },
      ],
    },
  },
  {
    // The demo page's script runs in a browser, unbundled.
    files: ['src/demo/assets/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', setTimeout: 'readonly' } },
  },
  {
    files: ['src/db/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
