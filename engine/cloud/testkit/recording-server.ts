/**
 * A raw HTTP server for unit tests: records exactly what the SDK put on the wire and answers
 * with canned JSON, so a test can assert wire parameter names without an emulator.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  /** Decoded form-body parameters (empty when the body is not a form). */
  form: Record<string, string>;
  body: string;
  headers: IncomingHttpHeaders;
  /** The `x-acs-action` header. */
  action: string;
}

export interface CannedReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Cut the connection instead of answering (a lost answer). */
  destroy?: boolean;
  /** Answer only after this long (to trip a read timeout). */
  delayMs?: number;
}

export interface RecordingServer {
  /** `127.0.0.1:PORT`, as the SDK Config takes it. */
  endpoint: string;
  url: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export async function startRecordingServer(
  reply: (request: RecordedRequest, index: number) => CannedReply,
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(incoming.url ?? '/', 'http://recorder');
      const isForm = (incoming.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const request: RecordedRequest = {
        method: incoming.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        form: isForm ? Object.fromEntries(new URLSearchParams(body)) : {},
        body,
        headers: incoming.headers,
        action: String(incoming.headers['x-acs-action'] ?? ''),
      };
      requests.push(request);
      const canned = reply(request, requests.length - 1);
      const send = () => {
        if (canned.destroy) {
          incoming.socket.destroy();
          return;
        }
        outgoing.writeHead(canned.status ?? 200, {
          'content-type': 'application/json;charset=utf-8',
          ...canned.headers,
        });
        outgoing.end(typeof canned.body === 'string' ? canned.body : JSON.stringify(canned.body ?? {}));
      };
      if (canned.delayMs) setTimeout(send, canned.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
