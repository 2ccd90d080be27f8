import WebSocket from 'ws';
import { testDb, type TestGateway } from './gateway.js';

/** How a test reaches RDM: the GraphQL field, POST /rdm/<op>, ws://…/rdm/<op> on the main port, or the legacy listener. */
export type RdmWay = 'graphql' | 'http' | 'ws' | 'legacy';
export const RDM_WAYS: readonly RdmWay[] = ['graphql', 'http', 'ws', 'legacy'];

export interface RdmReplyBody {
  status_code: number;
  response_message: unknown;
  error?: { code: string; message: string };
  id?: unknown;
}

export interface RdmAnswer {
  reply: RdmReplyBody;
  /** The reply as sent (HTTP body or websocket frame); undefined for GraphQL. */
  text?: string;
  /** HTTP status, for the HTTP way. */
  httpStatus?: number;
  /** Close code of a websocket way. */
  closeCode?: number;
}

/** RDM's error text for a path. */
export function rdmErrorText(path: string): string {
  return (
    '[ERROR] Some error was faced while trying to execute your operation. Verify the Rethink Data Manager (RDM) logs!' +
    `\nparams::path = ${path}\nparams::operation = ${path.slice(1)}`
  );
}

/** An envelope as RDM clients send it, every payload key present (the database: the test file's default, testDb). */
export function packet(payload: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'c0ffee00-0000-4000-8000-000000000001',
    type: 'rethink-manager-call',
    payload: { database: testDb, table: 'test', data: {}, identifier: '', filter: '{}', ...payload },
    time: '2019-05-18T20:59:26.346996Z',
    ...extra,
  };
}

/** Opens websockets and closes whatever a test left open. */
export class SocketTracker {
  private readonly open = new Set<WebSocket>();

  connect(url: string): WebSocket {
    const ws = new WebSocket(url);
    this.open.add(ws);
    ws.on('close', () => this.open.delete(ws));
    ws.on('error', () => undefined);
    return ws;
  }

  /** Sends one frame, resolves with the first reply and the close code (RDM closes after one reply). */
  async oneShot(url: string, frame: string | Buffer): Promise<{ text: string; closeCode: number }> {
    const ws = this.connect(url);
    return new Promise((resolve, reject) => {
      let text: string | undefined;
      ws.on('open', () => ws.send(frame, { binary: Buffer.isBuffer(frame) }));
      ws.on('message', (data) => {
        text ??= String(data);
      });
      ws.on('error', reject);
      ws.on('close', (closeCode) => (text === undefined ? reject(new Error(`closed with ${closeCode} and no reply`)) : resolve({ text, closeCode })));
    });
  }

  closeAll(): void {
    for (const ws of this.open) ws.terminate();
    this.open.clear();
  }
}

/** A function that sends one packet (object, or raw text) to an operation path by one way in. */
export function rdmVia(gw: TestGateway, way: RdmWay, sockets: SocketTracker) {
  return async (path: string, body: unknown): Promise<RdmAnswer> => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    switch (way) {
      case 'graphql': {
        const operation = path.slice(1).toUpperCase();
        const result = await gw.gql<{ rdm: RdmReplyBody }>(`mutation($p: JSON!) { rdm(operation: ${operation}, packet: $p) }`, { p: body });
        if (!result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
        return { reply: result.data.rdm };
      }
      case 'http': {
        const response = await fetch(`http://127.0.0.1:${gw.app.port}/rdm${path}`, { method: 'POST', body: text });
        const raw = await response.text();
        return { reply: JSON.parse(raw) as RdmReplyBody, text: raw, httpStatus: response.status };
      }
      case 'ws':
      case 'legacy': {
        const url = way === 'ws' ? `ws://127.0.0.1:${gw.app.port}/rdm${path}` : `ws://127.0.0.1:${gw.app.legacyPort}${path}`;
        const { text: raw, closeCode } = await sockets.oneShot(url, text);
        return { reply: JSON.parse(raw) as RdmReplyBody, text: raw, closeCode };
      }
    }
  };
}
