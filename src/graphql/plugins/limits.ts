import { useDisableIntrospection } from '@envelop/disable-introspection';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { YogaServerOptions } from 'graphql-yoga';
import type { Config } from '../../config/config.js';
import { codedGraphQLError } from '../../errors/graphql.js';
import type { Context } from '../context.js';

/**
 * Armor's own errors are "Syntax Error: Query depth limit of 12 exceeded, found 13." without a
 * code. This reports instead a coded error that names the setting, so clients can tell a limit
 * from a typo and the metrics count it as LIMIT_EXCEEDED. Validation rules get a context and
 * report (validation goes on and returns every error); the token limit runs inside the parser,
 * without a context, and throws.
 */
function refuseWith(setting: string) {
  return [
    (context: ValidationContext | null, armorError: GraphQLError) => {
      const message = armorError.message
        .replace(/^Syntax Error: /, '')
        .replace(/\d+\.\d+/g, (cost) => String(Math.round(Number(cost))))
        .replace(/\.$/, '');
      const error = codedGraphQLError('LIMIT_EXCEEDED', `${message} (${setting})`, { limit: setting });
      if (!context) throw error;
      context.reportError(error);
    },
  ];
}

/**
 * The envelop plugins that bound what one operation may ask for, from the config: GraphQL Armor's
 * depth, alias, token, cost and directive limits, and — when introspection is off — graphql-js's
 * NoSchemaIntrospectionCustomRule plus Armor's masking of "Did you mean" suggestions (which
 * would otherwise leak the schema field by field). They run in parse and validate, so a refused
 * operation never executes; and since graphql-ws goes through `yoga.getEnveloped`, websockets
 * get them as HTTP and SSE do.
 */
export function limitPlugins(config: Config): NonNullable<YogaServerOptions<Record<string, unknown>, Context>['plugins']> {
  const armor = { exposeLimits: true, propagateOnRejection: false } as const;
  const plugins = [
    maxTokensPlugin({ ...armor, n: config.maxTokens, onReject: refuseWith('MAX_TOKENS') }),
    maxDepthPlugin({ ...armor, n: config.maxDepth, onReject: refuseWith('MAX_DEPTH') }),
    maxAliasesPlugin({ ...armor, n: config.maxAliases, onReject: refuseWith('MAX_ALIASES') }),
    maxDirectivesPlugin({ ...armor, n: config.maxDirectives, onReject: refuseWith('MAX_DIRECTIVES') }),
    costLimitPlugin({ ...armor, maxCost: config.maxCost, onReject: refuseWith('MAX_COST') }),
  ];
  if (!config.introspection) plugins.push(useDisableIntrospection(), blockFieldSuggestionsPlugin());
  return plugins;
}
