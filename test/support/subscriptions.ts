import type { Socket } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { Config } from '../../src/config/config.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './gateway.js';

/** A document as tests write them (string ids). */
export type Doc = Record<string, unknown> & { id: string };

/** One `changes` event as the tests select it (`resumeToken` when the operation asks for it). */
export interface Change {
  type: string;
  id: string | null;
  old: Doc | null;
  new: Doc | null;
  resumeToken?: string | null;
}

/** The data of one `changes` result. */
export type ChangesData = { changes: Change };

/** What one subscription has received so far, from either transport. */
export interface Collector<T = Record<string, unknown>> {
  /** Every `next` payload, in order. */
  readonly results: GraphQLResponse<T>[];
  /** The `data` of results without errors. */
  readonly data: T[];
  /** Resolves when the server completes the stream (or it errors / closes). */
  readonly ended: Promise<void>;
  readonly completed: boolean;
  /** A transport-level error (graphql-ws `error` message or socket close), if any. */
  readonly failure?: unknown;
  /** Waits until `predicate` holds for the results (generous timeout, no wall-clock assertion). */
  until(predicate: (data: T[], results: GraphQLResponse<T>[]) => boolean, what?: string): Promise<void>;
  /** Unsubscribes (graphql-ws `complete`; SSE aborts the request). */
  stop(): void;
}

/** An SSE subscription whose reader can stop reading (a slow client: TCP backpressure reaches the server). */
export interface SseCollector<T> extends Collector<T> {
  pause(): void;
  resume(): void;
}

function collector<T>(stop: () => void): Collector<T> & { push(result: GraphQLResponse<T>): void; end(failure?: unknown): void } {
  let resolveEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    resolveEnded = resolve;
  });
  const state = {
    results: [] as GraphQLResponse<T>[],
    data: [] as T[],
    ended,
    completed: false,
    failure: undefined as unknown,
    push(result: GraphQLResponse<T>) {
      state.results.push(result);
      if (!result.errors && result.data) state.data.push(result.data);
    },
    end(failure?: unknown) {
      if (state.completed) return;
      state.completed = true;
      state.failure = failure;
      resolveEnded();
    },
    async until(predicate: (data: T[], results: GraphQLResponse<T>[]) => boolean, what = 'the expected events') {
      await vi.waitFor(
        () => {
          if (!predicate(state.data, state.results)) {
            throw new Error(`still waiting for ${what}; got ${JSON.stringify(state.results).slice(0, 2000)}`);
          }
        },
        { timeout: 15_000, interval: 10 },
      );
    },
    stop,
  };
  return state;
}

/** Real graphql-ws clients (subprotocol graphql-transport-ws) over the `ws` package; dispose with closeAll. */
export class WsClients {
  private readonly clients: Client[] = [];

  /** A client to `gatewayUrl` (http URL of the GraphQL endpoint), sending `connectionParams` in connection_init. Records close codes in `closes`. */
  open(gatewayUrl: string, options: { webSocketImpl?: unknown; connectionParams?: Record<string, unknown> } = {}): Client & { closes: number[] } {
    const closes: number[] = [];
    const client = createClient({
      url: gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: options.webSocketImpl ?? WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: options.connectionParams,
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    this.clients.push(client);
    return Object.assign(client, { closes });
  }

  /**
   * A client whose websockets the test can reach: to drop them without unsubscribing
   * (`terminate`) or to stop reading from their TCP sockets (a slow client).
   */
  openExposed(gatewayUrl: string) {
    const sockets: WebSocket[] = [];
    class ExposedWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    }
    const tcp = () => sockets.map((socket) => (socket as unknown as { _socket: Socket })._socket);
    return {
      client: this.open(gatewayUrl, { webSocketImpl: ExposedWebSocket }),
      terminate: () => sockets.forEach((socket) => socket.terminate()),
      pause: () => tcp().forEach((socket) => socket.pause()),
      resume: () => tcp().forEach((socket) => socket.resume()),
    };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.dispose()));
  }
}

/** Subscribes over graphql-ws and collects what arrives. */
export function subscribeWs<T = Record<string, unknown>>(client: Client, query: string, variables?: Record<string, unknown>): Collector<T> {
  let unsubscribe: () => void = () => undefined;
  const state = collector<T>(() => unsubscribe());
  unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => state.push(result as GraphQLResponse<T>),
      error: (error) => state.end(error),
      complete: () => state.end(),
    },
  );
  return state;
}

/**
 * Subscribes over GraphQL over SSE as yoga serves it (POST with `accept: text/event-stream`),
 * reading the stream with fetch: `event: next` / `event: complete` blocks, `:` pings ignored.
 */
export function subscribeSse<T = Record<string, unknown>>(
  gatewayUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): SseCollector<T> {
  const abort = new AbortController();
  let paused: Promise<void> | undefined;
  let unpause: () => void = () => undefined;
  const state = Object.assign(collector<T>(() => abort.abort()), {
    pause() {
      paused ??= new Promise<void>((resolve) => {
        unpause = resolve;
      });
    },
    resume() {
      paused = undefined;
      unpause();
    },
  });
  void (async () => {
    try {
      const response = await fetch(gatewayUrl.replace('localhost', '127.0.0.1'), {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query, variables }),
        signal: abort.signal,
      });
      if (!response.body || !response.ok) throw new Error(`no SSE stream (status ${response.status})`);
      const decoder = new TextDecoder();
      let text = '';
      const reader = response.body.getReader();
      for (;;) {
        if (paused) await paused;
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        let boundary: number;
        while ((boundary = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, boundary);
          text = text.slice(boundary + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => line && !line.startsWith(':'))
              .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]),
          );
          if (fields.event === 'next') state.push(JSON.parse(fields.data ?? 'null') as GraphQLResponse<T>);
          if (fields.event === 'complete') return state.end();
        }
      }
      state.end(new Error('the SSE stream ended without a complete event'));
    } catch (error) {
      state.end(error);
    }
  })();
  return state;
}

/** A test file's gateway, clients and subscriptions, set up and torn down with vitest hooks. */
export interface SubscriptionSuite {
  /** The gateway (started in beforeAll). */
  readonly gw: TestGateway;
  readonly clients: WsClients;
  /** Registers a subscription to stop after the test. */
  track<T>(subscription: Collector<T>): Collector<T>;
}

/**
 * Starts a gateway for the file; after each test stops the tracked subscriptions, closes the
 * clients and checks that the hub released everything: no subscriber left, and no feed or query
 * either unless the suite turned the resume grace period on (then queries linger by design).
 */
export function subscriptionSuite(overrides: Partial<Config> = {}): SubscriptionSuite {
  let gw: TestGateway | undefined;
  const stops: (() => void)[] = [];
  const clients = new WsClients();
  beforeAll(async () => {
    gw = await startTestGateway(overrides);
  });
  afterEach(async () => {
    stops.splice(0).forEach((stop) => stop());
    await clients.closeAll();
    const released = overrides.resumeGraceSeconds ? { subscribers: 0 } : { feeds: 0, queries: 0, subscribers: 0 };
    await vi.waitFor(() => expect(gw?.app.subscriptions.stats()).toMatchObject(released), { timeout: 5000 });
  });
  afterAll(() => gw?.close());
  return {
    get gw() {
      if (!gw) throw new Error('the gateway starts in beforeAll');
      return gw;
    },
    clients,
    track(subscription) {
      stops.push(() => subscription.stop());
      return subscription;
    },
  };
}

/** An SSE subscription read the way a browser `EventSource` reads it: GET, `id:` fields remembered. */
export interface EventSourceLike<T> extends Collector<T> {
  /** The last `id:` received (what EventSource sends back as Last-Event-ID). */
  readonly lastEventId: string | undefined;
  /** The `id:` of every `next` event, undefined where the event had none. */
  readonly ids: (string | undefined)[];
  /** Drops the connection (the request is aborted, its socket closed), as a network loss does. */
  drop(): void;
  /** Reconnects like EventSource: the same GET, with `Last-Event-ID` set to the last id seen. */
  reconnect(): void;
}

/**
 * Subscribes over GraphQL over SSE with GET (the request an `EventSource` makes: query and
 * variables in the URL, `Accept: text/event-stream`), keeping the last event id and sending it
 * as `Last-Event-ID` on `reconnect()`, as EventSource does after a network error.
 */
export function subscribeEventSource<T = Record<string, unknown>>(gatewayUrl: string, query: string, variables?: Record<string, unknown>): EventSourceLike<T> {
  const url = new URL(gatewayUrl.replace('localhost', '127.0.0.1'));
  url.searchParams.set('query', query);
  if (variables) url.searchParams.set('variables', JSON.stringify(variables));
  let abort = new AbortController();
  let lastEventId: string | undefined;
  const ids: (string | undefined)[] = [];
  const state = collector<T>(() => abort.abort());
  const connect = () => {
    const signal = abort.signal;
    void (async () => {
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
        const response = await fetch(url, { headers, signal });
        if (!response.body) throw new Error(`no SSE body (status ${response.status})`);
        const decoder = new TextDecoder();
        let text = '';
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
          let boundary: number;
          while ((boundary = text.indexOf('\n\n')) >= 0) {
            const lines = text.slice(0, boundary).split('\n').filter((line) => line && !line.startsWith(':'));
            text = text.slice(boundary + 2);
            const fields = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]));
            if (fields.event === 'next') {
              ids.push(fields.id);
              if (fields.id !== undefined) lastEventId = fields.id;
              state.push(JSON.parse(fields.data ?? 'null') as GraphQLResponse<T>);
            }
            if (fields.event === 'complete') return state.end();
          }
        }
      } catch (error) {
        if (!signal.aborted) state.end(error);
      }
    })();
  };
  connect();
  // A getter, not a copy: Object.assign would freeze today's value.
  Object.defineProperty(state, 'lastEventId', { get: () => lastEventId });
  return Object.assign(state as typeof state & { readonly lastEventId: string | undefined }, {
    ids,
    drop: () => abort.abort(),
    reconnect() {
      abort = new AbortController();
      connect();
    },
  });
}
