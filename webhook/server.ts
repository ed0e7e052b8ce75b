import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { ZonePolicy } from '../core';
import { type AdmissionRequest, type AdmissionResponse, admissionReviewProblem, type AdmissionReview, reviewOf } from './admission';
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

function sendProblem(res: Response, status: number, message: string): void {
  res.status(status).json({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: status, message });
}

function reviewRoute(endpoint: Endpoint, options: WebhookServerOptions, metrics: WebhookMetrics) {
  const handler = handlers[endpoint];
  return (req: Request, res: Response) => {
    const started = performance.now();
    if (!req.is('application/json')) {
      metrics.reviews.inc({ endpoint, verdict: 'bad_request' });
      sendProblem(res, 415, `content type must be application/json, got ${req.headers['content-type'] ?? 'none'}`);
      return;
    }
    const problem = admissionReviewProblem(req.body);
    if (problem !== undefined) {
      metrics.reviews.inc({ endpoint, verdict: 'bad_request' });
      sendProblem(res, 400, `not an admission.k8s.io/v1 AdmissionReview: ${problem}`);
      return;
    }
    const request = (req.body as AdmissionReview).request as AdmissionRequest;
    const response = handler(request, { zonePolicy: options.zonePolicy });
    res.json(reviewOf(response));
    const seconds = (performance.now() - started) / 1000;
    const verdict = verdictOf(response);
    metrics.reviews.inc({ endpoint, verdict });
    metrics.latency.observe({ endpoint }, seconds);
    logReview(options.logger, endpoint, request, response, verdict, seconds);
  };
}

function logReview(logger: Logger, endpoint: Endpoint, request: AdmissionRequest, response: AdmissionResponse, verdict: string, seconds: number): void {
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

/** Maps body-parser failures to the 4xx a client can act on; anything else is ours (500). */
function bodyErrors(logger: Logger) {
  return (error: Error & { type?: string; status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    if (error.type === 'entity.too.large') return sendProblem(res, 413, `body larger than ${MAX_BODY_BYTES} bytes; no AdmissionReview is that big`);
    if (error.type === 'entity.parse.failed') return sendProblem(res, 400, `body is not valid JSON: ${error.message}`);
    if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') return sendProblem(res, 415, error.message);
    if (error.type === 'request.aborted') return undefined;
    if (error.status !== undefined && error.status >= 400 && error.status < 500) return sendProblem(res, error.status, error.message);
    logger.error({ err: error }, 'unexpected error answering a request');
    return sendProblem(res, 500, 'internal error');
  };
}

/** The express app: two review endpoints, health, readiness and metrics. */
export function createApp(options: WebhookServerOptions, metrics: WebhookMetrics, state: ServerState): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((_req, res, next) => {
    state.inFlight++;
    res.once('close', () => state.inFlight--);
    // While draining, tell keep-alive clients to reconnect elsewhere after this answer.
    if (state.draining) res.setHeader('Connection', 'close');
    next();
  });
  app.get('/healthz', (_req, res) => void res.type('text/plain').send('ok'));
  app.get('/readyz', (_req, res) => void (state.draining ? res.status(503).type('text/plain').send('draining') : res.type('text/plain').send('ok')));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  const json = express.json({ limit: MAX_BODY_BYTES, type: 'application/json' });
  for (const endpoint of Object.keys(handlers) as Endpoint[]) {
    app.post(`/${endpoint}`, json, reviewRoute(endpoint, options, metrics));
    app.all(`/${endpoint}`, (_req, res) => sendProblem(res, 405, `use POST with an AdmissionReview on /${endpoint}`));
  }
  app.use((_req, res) => sendProblem(res, 404, 'not found: the webhook serves POST /mutate, POST /validate, GET /healthz, /readyz and /metrics'));
  app.use(bodyErrors(options.logger));
  return app;
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
    createApp(options, metrics, state),
  );
  const stopWatching = watchTls(
    options.tls,
    options.tlsReloadIntervalMs ?? 2_000,
    (context) => {
      server.setSecureContext(context);
      options.logger.info({ certFile: options.tls.certFile }, 'serving certificate reloaded');
    },
    (error) => options.logger.error({ err: error.message }, 'new certificate or key not usable; still serving the previous one'),
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
