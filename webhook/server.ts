import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { ZonePolicy } from '../core';
import {
  type AdmissionRequest,
  type AdmissionResponse,
  admissionReviewProblem,
  type AdmissionReview,
  reviewOf,
} from './admission';
import { type AdmissionHandler, mutate, validate } from './handlers';
import { WebhookMetrics } from './metrics';
import { loadTls, type TlsFiles, watchTls } from './tls';

/**
 * Bodies above this are refused with 413. The API server caps a request body at 3 MiB and a review
 * can carry the object and the old object (plus managed fields), so 8 MiB holds any real review.
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface WebhookServerOptions {
  port: number;
  host?: string;
  tls: TlsFiles;
  zonePolicy: ZonePolicy;
  logger: Logger;
  /** How often the certificate files are checked for changes. */
  tlsReloadIntervalMs?: number;
  /** How long SIGTERM waits for in-flight reviews before closing connections. */
  drainTimeoutMs?: number;
  processMetrics?: boolean;
  /** Slow or stalled clients are cut off after these (defaults 15 s and 10 s). */
  requestTimeoutMs?: number;
  headersTimeoutMs?: number;
}

export interface RunningWebhook {
  url: string;
  port: number;
  server: Server;
  metrics: WebhookMetrics;
  /** Stops accepting, answers the reviews in flight, then closes every connection. */
  drain(): Promise<void>;
}

interface ServerState {
  draining: boolean;
  inFlight: number;
}

type Endpoint = 'mutate' | 'validate';
const handlers: Record<Endpoint, AdmissionHandler> = { mutate, validate };

function verdictOf(response: AdmissionResponse): string {
  if (!response.allowed) return 'denied';
  return response.patch ? 'patched' : 'allowed';
}

function problemBody(status: number, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: status, message });
}

function sendProblem(res: Response, status: number, message: string): void {
  res.status(status).type('application/json').send(problemBody(status, message));
}

function writeJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The review endpoint a request is for, or undefined for every other route (left to express). */
function reviewEndpointOf(req: IncomingMessage): Endpoint | undefined {
  if (req.method !== 'POST') return undefined;
  const path = (req.url ?? '').split('?', 1)[0];
  return path === '/mutate' || path === '/validate' ? (path.slice(1) as Endpoint) : undefined;
}

/**
 * Answers one AdmissionReview on the raw Node request. The review endpoints are the hot path the API
 * server calls on every write, so they skip express's router and body parser; express serves the rest.
 */
function serveReview(
  endpoint: Endpoint,
  req: IncomingMessage,
  res: ServerResponse,
  options: WebhookServerOptions,
  metrics: WebhookMetrics,
): void {
  const started = performance.now();
  const refuse = (status: number, message: string) => {
    metrics.reviews.inc({ endpoint, verdict: 'bad_request' });
    writeJson(res, status, problemBody(status, message));
  };
  const contentType = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    req.resume();
    refuse(415, `content type must be application/json, got ${contentType || 'none'}`);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooLarge) return refuse(413, `body larger than ${MAX_BODY_BYTES} bytes; no AdmissionReview is that big`);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
    } catch (error) {
      return refuse(400, `body is not valid JSON: ${(error as Error).message}`);
    }
    const problem = admissionReviewProblem(body);
    if (problem !== undefined) return refuse(400, `not an admission.k8s.io/v1 AdmissionReview: ${problem}`);
    const request = (body as AdmissionReview).request as AdmissionRequest;
    const response = handlers[endpoint](request, { zonePolicy: options.zonePolicy });
    writeJson(res, 200, JSON.stringify(reviewOf(response)));
    const seconds = (performance.now() - started) / 1000;
    const verdict = verdictOf(response);
    metrics.reviews.inc({ endpoint, verdict });
    metrics.latency.observe({ endpoint }, seconds);
    logReview(options.logger, endpoint, request, response, verdict, seconds);
  });
}

function logReview(
  logger: Logger,
  endpoint: Endpoint,
  request: AdmissionRequest,
  response: AdmissionResponse,
  verdict: string,
  seconds: number,
): void {
  const metadata = (request.object as { metadata?: { name?: string } } | null)?.metadata;
  logger.info(
    {
      endpoint,
      uid: request.uid,
      kind: request.kind?.kind,
      name: metadata?.name ?? request.name,
      operation: request.operation,
      dryRun: request.dryRun === true,
      user: request.userInfo?.username,
      verdict,
      latencyMs: Math.round(seconds * 100000) / 100,
      ...(response.status ? { reason: response.status.message } : {}),
    },
    'admission review',
  );
  // Objects can be large and are the user's data: only at debug.
  logger.debug({ uid: request.uid, object: request.object, response }, 'admission review detail');
}

/** Anything express could not answer is ours to fix: a 500 and a log line, never a stack trace to the client. */
function unexpectedErrors(logger: Logger) {
  return (error: Error, _req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err: error.message }, 'unexpected error answering a request');
    sendProblem(res, 500, 'internal error');
  };
}

/** The express app: health, readiness, metrics, and clear answers for every other route. */
export function createApp(options: WebhookServerOptions, metrics: WebhookMetrics, state: ServerState): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/healthz', (_req, res) => void res.type('text/plain').send('ok'));
  app.get(
    '/readyz',
    (_req, res) =>
      void (state.draining ? res.status(503).type('text/plain').send('draining') : res.type('text/plain').send('ok')),
  );
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  for (const endpoint of Object.keys(handlers) as Endpoint[]) {
    app.all(`/${endpoint}`, (_req, res) => sendProblem(res, 405, `use POST with an AdmissionReview on /${endpoint}`));
  }
  app.use((_req, res) =>
    sendProblem(
      res,
      404,
      'not found: the webhook serves POST /mutate, POST /validate, GET /healthz, /readyz and /metrics',
    ),
  );
  app.use(unexpectedErrors(options.logger));
  return app;
}

/** Routes each request: reviews to the raw hot path, the rest to express; counts what is in flight. */
function requestListener(options: WebhookServerOptions, metrics: WebhookMetrics, state: ServerState) {
  const app = createApp(options, metrics, state);
  return (req: IncomingMessage, res: ServerResponse) => {
    state.inFlight++;
    res.once('close', () => state.inFlight--);
    // While draining, tell keep-alive clients to reconnect elsewhere after this answer.
    if (state.draining) res.setHeader('Connection', 'close');
    const endpoint = reviewEndpointOf(req);
    if (endpoint) serveReview(endpoint, req, res, options, metrics);
    else void app(req, res);
  };
}

async function waitForInFlight(state: ServerState, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (state.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Loads TLS (refusing to start without a valid pair), listens, and keeps the certificate fresh. */
export async function startWebhookServer(options: WebhookServerOptions): Promise<RunningWebhook> {
  const metrics = new WebhookMetrics({ processMetrics: options.processMetrics ?? true });
  const state: ServerState = { draining: false, inFlight: 0 };
  const server = createServer(
    // Slow or stalled clients are cut off instead of holding a socket forever.
    {
      ...loadTls(options.tls),
      minVersion: 'TLSv1.2',
      requestTimeout: options.requestTimeoutMs ?? 15_000,
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs ?? 1_000),
      keepAliveTimeout: 30_000,
    },
    requestListener(options, metrics, state),
  );
  const stopWatching = watchTls(
    options.tls,
    options.tlsReloadIntervalMs ?? 2_000,
    (context) => {
      server.setSecureContext(context);
      options.logger.info({ certFile: options.tls.certFile }, 'serving certificate reloaded');
    },
    (error) =>
      options.logger.error({ err: error.message }, 'new certificate or key not usable; still serving the previous one'),
  );
  server.listen(options.port, options.host ?? '0.0.0.0');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const drain = async () => {
    if (state.draining) return;
    state.draining = true;
    stopWatching();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await waitForInFlight(state, options.drainTimeoutMs ?? 20_000);
    server.closeAllConnections();
    await closed;
  };
  return { url: `https://${options.host ?? '127.0.0.1'}:${port}`, port, server, metrics, drain };
}
