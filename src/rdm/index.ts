import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gate } from '../auth/gate.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import type { Server } from '../http/server.js';
import { createRdmHttpHandler, requestPath, sendHealth } from './http.js';
import { RdmSocketServer, type RdmSocketOptions } from './sockets.js';
import type { RdmTranslator } from './translator.js';

export { RdmTranslator } from './translator.js';
export type { RdmReply } from './protocol.js';

/** Where RDM is reachable on the main port: `POST /rdm/<op>`, `GET /rdm/health`, `ws://…/rdm/<op>`. */
export const RDM_MOUNT = '/rdm';

/** The RDM endpoints of a running gateway. */
export interface RdmEndpoints {
  /** Port of the legacy listener; undefined when it is off. */
  readonly legacyPort: number | undefined;
  /** Closes the legacy listener and every RDM websocket. */
  close(): Promise<void>;
}

export interface MountRdmOptions {
  server: Server;
  translator: RdmTranslator;
  gate: Gate;
  config: Pick<Config, 'maxBodyBytes' | 'wsHost' | 'wsPort'>;
  log: Logger;
  /** Traces each websocket packet (tracing on); absent: off. */
  tracePacket?: RdmSocketOptions['tracePacket'];
}

/**
 * Adds RDM's three ways in: HTTP and websockets under `/rdm` on the main port, and the legacy
 * listener on `config.wsHost:config.wsPort` (unless `wsPort` is null) with RDM's bare paths.
 * Rejects (with Node's EADDRINUSE error) when the legacy port is taken.
 */
export async function mountRdm({ server, translator, gate, config, log, tracePacket }: MountRdmOptions): Promise<RdmEndpoints> {
  const { maxBodyBytes } = config;
  server.onRequest(RDM_MOUNT, createRdmHttpHandler({ translator, gate, mount: RDM_MOUNT, maxBodyBytes }));
  const sockets = new RdmSocketServer({ translator, gate, transport: 'websocket', maxBodyBytes, log, tracePacket });
  server.onUpgrade(RDM_MOUNT, (request, socket, head) =>
    sockets.handleUpgrade(request, socket, head, requestPath(request).slice(RDM_MOUNT.length) || '/'),
  );

  let legacy: { port: number; close(): Promise<void> } | undefined;
  if (config.wsPort !== null) {
    legacy = await startLegacyListener(translator, gate, config.wsHost, config.wsPort, maxBodyBytes, log, tracePacket);
    log.info({ host: config.wsHost, port: legacy.port }, `legacy RDM listener at ws://${config.wsHost}:${legacy.port}/<operation>`);
  }
  return {
    legacyPort: legacy?.port,
    async close() {
      sockets.close();
      await legacy?.close();
    },
  };
}

/**
 * RDM's own listener: `GET /health` in plain text and a websocket on any other path (an unknown
 * path gets the error reply, as in RDM). Plain HTTP elsewhere is told to upgrade (426).
 */
async function startLegacyListener(
  translator: RdmTranslator,
  gate: Gate,
  host: string,
  port: number,
  maxBodyBytes: number,
  log: Logger,
  tracePacket: RdmSocketOptions['tracePacket'],
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new RdmSocketServer({ translator, gate, transport: 'legacy-websocket', maxBodyBytes, log, tracePacket });
  const http: HttpServer = createHttpServer((request, response) => {
    request.resume();
    if (requestPath(request) === '/health' && (request.method === 'GET' || request.method === 'HEAD')) return sendHealth(response);
    const text = 'Upgrade Required: this is the RDM websocket listener; connect with a websocket to /<operation>\n';
    response.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket', connection: 'Upgrade', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  });
  http.on('upgrade', (request, socket, head: Buffer) => sockets.handleUpgrade(request, socket, head, requestPath(request)));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  return {
    port: (http.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
