import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * The body as text, or undefined when it is larger than `max` bytes. An oversize body is still
 * drained (so the client reads the answer instead of a reset) unless it is far too large.
 */
export function readBody(request: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
      else if (size > 16 * max) request.destroy();
    });
    request.on('end', () => resolve(size <= max ? Buffer.concat(chunks).toString('utf8') : undefined));
    request.on('error', reject);
    request.on('close', () => {
      if (!request.complete) resolve(undefined);
    });
  });
}

/** Answers with `body` as JSON (with its Content-Length) and any extra `headers`. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
