import { boolean, integer, origins, settings } from '../setting.js';

/** Production mode and the limits on what one operation may ask for. */
export const LIMITS = settings({
  production: {
    switch: 'on',
    parse: boolean,
    fallback: undefined,
    help: ['production mode: GraphiQL, introspection and cross-origin', 'requests off unless enabled below {env} (also on with', 'NODE_ENV=production)'],
  },
  graphiql: { switch: 'both', parse: boolean, fallback: undefined, help: ['serve GraphiQL {env} (default: on, off in production)'] },
  introspection: {
    switch: 'both',
    parse: boolean,
    fallback: undefined,
    help: ['answer introspection queries; off also hides "Did you mean"', 'suggestions {env} (default: on, off in production)'],
  },
  corsOrigins: {
    arg: '<list>',
    parse: origins,
    fallback: undefined,
    help: ['comma-separated origins allowed by CORS, * = any, none = no', 'cross-origin requests {env} (default: *, none in', 'production)'],
  },
  /** GraphQL Armor max-depth. */
  maxDepth: { arg: '<n>', parse: integer(1, 1000), fallback: 12, help: ['deepest field nesting of an operation {env} (default {default})'] },
  /** GraphQL Armor max-aliases. */
  maxAliases: { arg: '<n>', parse: integer(0, 100_000), fallback: 100, help: ['most aliased fields in an operation {env} (default {default})'] },
  /** GraphQL Armor max-tokens, checked while parsing. */
  maxTokens: { arg: '<n>', parse: integer(100, 10_000_000), fallback: 5000, help: ['most tokens in a GraphQL document {env} (default {default})'] },
  /** GraphQL Armor cost-limit: 1 per scalar field, 2 per object field plus 1.5 x its children. */
  maxCost: { arg: '<n>', parse: integer(1, 100_000_000), fallback: 5000, help: ['highest operation cost {env} (default {default})'] },
  /** GraphQL Armor max-directives. */
  maxDirectives: { arg: '<n>', parse: integer(0, 100_000), fallback: 50, help: ['most directives in an operation {env} (default {default})'] },
  maxRows: {
    arg: '<n>',
    parse: integer(1, 100_000_000),
    fallback: undefined,
    help: ['most rows an operation may ask for: limits, ids and inserted', 'documents summed over its fields {env} (default 10 x', 'MAX_LIMIT)'],
  },
});
