import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The JSON-valued parameters of a GET request (yoga parses them with JSON.parse, unguarded). */
const JSON_PARAMETERS = ['variables', 'extensions'] as const;

/** The first JSON parameter of `url` that is not valid JSON, if any. */
function invalidJsonParameter(url: URL): string | undefined {
  return JSON_PARAMETERS.find((name) => {
    const raw = url.searchParams.get(name);
    if (!raw) return false;
    try {
      JSON.parse(raw);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * A yoga plugin that answers a GET whose `variables` or `extensions` is not valid JSON with a 400
 * request error (BAD_REQUEST, like yoga's own "POST body sent invalid JSON"), instead of the
 * parser's SyntaxError reaching error masking as INTERNAL_SERVER_ERROR with a logged stack trace.
 * It wraps whichever request parser yoga chose (yoga's parsers are registered before ours).
 */
export function useRequestParseErrors(): Plugin {
  return {
    onRequestParse({ request, url, requestParser, setRequestParser }) {
      if (!requestParser || request.method !== 'GET') return;
      const parse = requestParser;
      setRequestParser(async (incoming) => {
        const invalid = invalidJsonParameter(url);
        if (invalid !== undefined) {
          throw new GraphQLError(`GET parameter "${invalid}" is not valid JSON.`, { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
        }
        return parse(incoming);
      });
    },
  };
}
