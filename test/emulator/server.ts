// The HTTP edge: node's http server in front of the Emulator. Cloud API requests go to dispatch;
// `/_emulator/*` are the control endpoints (unsigned). node:http is enough for one catch-all
// route and a few control routes, and hands over the raw path, query and body the signature
// covers without any middleware rewriting them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Emulator } from './emulator';
import { checkFaults, type EmulatorFaults } from './faults';
import type { RamPolicy } from './ram';
import type { RateLimits } from './rate-limits';

export interface ListeningServer {
  port: number;
  /** Stops accepting, ends hung and idle connections, and resolves once closed. */
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, requestId?: string): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('content-type', 'application/json;charset=utf-8');
  if (requestId) response.setHeader('x-acs-request-id', requestId);
  response.end(text);
}

function parseControlJson(body: Buffer): unknown {
  return body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
}

/** The `/_emulator/*` routes; false when the path is not one of them. */
async function control(
  emulator: Emulator,
  method: string,
  path: string,
  body: Buffer,
  response: ServerResponse,
): Promise<boolean> {
  if (!path.startsWith('/_emulator/')) return false;
  const route = `${method} ${path}`;
  try {
    switch (route) {
      case 'GET /_emulator/state':
        sendJson(response, 200, emulator.state());
        return true;
      case 'GET /_emulator/requests':
        sendJson(response, 200, emulator.requests());
        return true;
      case 'GET /_emulator/faults':
        sendJson(response, 200, emulator.faults());
        return true;
      case 'POST /_emulator/faults':
        emulator.setFaults(checkFaults(parseControlJson(body) as EmulatorFaults));
        sendJson(response, 200, emulator.faults());
        return true;
      case 'POST /_emulator/rate-limits':
        emulator.setRateLimits(parseControlJson(body) as RateLimits);
        sendJson(response, 200, emulator.runtime.rateLimits.current());
        return true;
      case 'POST /_emulator/reset':
        emulator.reset();
        sendJson(response, 200, { reset: true });
        return true;
      case 'POST /_emulator/cluster-sans': {
        const { clusterId, sans } = parseControlJson(body) as { clusterId: string; sans: string[] };
        emulator.setClusterSans(clusterId, sans);
        sendJson(response, 200, { clusterId, sans });
        return true;
      }
      case 'POST /_emulator/policy': {
        const { accessKeyId, policy } = parseControlJson(body) as { accessKeyId: string; policy?: RamPolicy };
        emulator.setPolicy(accessKeyId, policy);
        sendJson(response, 200, { accessKeyId, policy: policy ?? null });
        return true;
      }
      case 'GET /_emulator/world':
        sendJson(response, 200, emulator.world);
        return true;
      default:
        sendJson(response, 404, { error: `no control route ${route}; see test/emulator/README.md` });
        return true;
    }
  } catch (error) {
    sendJson(response, 400, { error: (error as Error).message });
    return true;
  }
}

async function serve(emulator: Emulator, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = request.url ?? '/';
  const questionMark = url.indexOf('?');
  const rawPath = questionMark < 0 ? url : url.slice(0, questionMark);
  const rawQuery = questionMark < 0 ? '' : url.slice(questionMark + 1);
  const body = await readBody(request);
  const method = request.method ?? 'GET';
  if (await control(emulator, method, rawPath, body, response)) return;

  const outcome = await emulator.handle({ method, rawPath, rawQuery, headers: request.headers, body });
  switch (outcome.kind) {
    case 'hang':
      // Never answer; the connection is ended when the emulator stops.
      return;
    case 'drop':
      request.socket.destroy();
      return;
    case 'answer':
      sendJson(response, outcome.status, outcome.body, outcome.requestId);
  }
}

/** Starts listening; port 0 picks a free port. */
export function listen(emulator: Emulator, host: string, port: number): Promise<ListeningServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    serve(emulator, request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { Code: 'InternalError', Message: String(error) });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      resolve({
        port: boundPort,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
