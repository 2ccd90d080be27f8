import type { YogaServerOptions } from 'graphql-yoga';
import type { Context, ServerContext } from '../graphql/context.js';

/**
 * Yoga's CORS option for an origin list: any origin (reflected) for `['*']`, no CORS headers at
 * all for `[]` (browsers then allow same-origin pages only), else the listed origins — a request
 * from any other origin gets no CORS headers, so the browser refuses it. No credentials
 * (cookies): nothing in the gateway reads them.
 */
export function corsOptions(origins: readonly string[]): YogaServerOptions<ServerContext, Context>['cors'] {
  if (origins.length === 0) return false;
  if (origins.includes('*')) return { origin: '*', credentials: false };
  return (request: Request) => {
    const origin = request.headers.get('origin');
    return origin && origins.includes(origin) ? { origin: [origin], credentials: false } : false;
  };
}
