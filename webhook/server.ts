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
  describeValue,
  reviewOf,
} from './admission';
import { parseBoundedJson, REVIEW_JSON_LIMITS } from './bounded-json';
import { collectBeforeLargeReview, LARGE_REVIEW_BYTES } from './memory';
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
  /** A TLS handshake not finished after this is cut off (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Open connections at most (default MAX_CONNECTIONS). */
  maxConnections?: number;
}

/**
 * The API server keeps a few keep-alive connections per replica; 512 leaves room for many API server
 * replicas and probes while bounding what idle sockets can hold (about 50 KiB each with TLS).
 */
export const MAX_CONNECTIONS = 512;

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

type Verdict = 'allowed' | 'patched' | 'denied';

interface ReviewContext {
  options: WebhookServerOptions;
  metrics: WebhookMetrics;
  budget: BodyBudget;
}

function verdictOf(response: AdmissionResponse): Verdict {
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
 * Bytes of review bodies held at once across all requests; beyond it a review is asked to retry (503).
 * Real reviews are a few KiB, so this only ever holds back several huge bodies at once, whose parsed
 * forms would together outgrow the pod's memory (eight hostile bodies of 1-4 MiB at once: 307 MiB
 * resident with a 32 MiB budget).
 */
export const MAX_BUFFERED_BYTES = 12 * 1024 * 1024;

interface BodyBudget {
  buffered: number;
}

/**
 * Answers one AdmissionReview on the raw Node request. The review endpoints are the hot path the API
 * server calls on every write, so they skip express's router and body parser; express serves the rest.
 * Whatever the body holds, it gets an answer: a 4xx when it is not a usable review, a denial when the
 * object is not a valid ASMPvlConfig, and a 500 review (never a dropped connection) if a bug throws.
 */
function serveReview(endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, context: ReviewContext): void {
  const started = performance.now();
  const counts = context.metrics.endpoint(endpoint);
  const refuse = (status: number, message: string, headers: Record<string, string> = {}) => {
    counts.badRequest.inc();
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    writeJson(res, status, problemBody(status, message));
  };
  const contentType = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    req.resume();
    refuse(415, `content type must be application/json, got ${describeValue(contentType.slice(0, 100) || 'none')}`);
    return;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    refuse(413, `body larger than ${MAX_BODY_BYTES} bytes; no AdmissionReview is that big`);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  const release = () => {
    context.budget.buffered -= size;
    size = 0;
    chunks.length = 0;
  };
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    if (size + chunk.length > MAX_BODY_BYTES) {
      refused = true;
      release();
      return refuse(413, `body larger than ${MAX_BODY_BYTES} bytes; no AdmissionReview is that big`);
    }
    if (context.budget.buffered + chunk.length > MAX_BUFFERED_BYTES) {
      refused = true;
      release();
      return refuse(503, 'too many large reviews at once; retry', { 'retry-after': '1' });
    }
    size += chunk.length;
    context.budget.buffered += chunk.length;
    chunks.push(chunk);
  });
  req.once('close', release);
  req.on('end', () => {
    if (refused) return;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    release();
    if (body.length > LARGE_REVIEW_BYTES) collectBeforeLargeReview();
    try {
      answerReview(endpoint, body, res, context, started);
    } catch (error) {
      // A bug of ours, not the client's: answer (the API server applies failurePolicy) and stay up.
      context.options.logger.error({ endpoint, err: (error as Error).message }, 'unexpected error answering a review');
      counts.badRequest.inc();
      writeJson(res, 500, problemBody(500, 'internal error while answering the review'));
    }
  });
}

function answerReview(
  endpoint: Endpoint,
  body: Buffer,
  res: ServerResponse,
  context: ReviewContext,
  started: number,
): void {
  const counts = context.metrics.endpoint(endpoint);
  const parsed = parseBoundedJson(body, REVIEW_JSON_LIMITS);
  if ('problem' in parsed) {
    counts.badRequest.inc();
    const status = parsed.tooLarge ? 413 : 400;
    return writeJson(res, status, problemBody(status, `body is ${parsed.problem}`));
  }
  const problem = admissionReviewProblem(parsed.value);
  if (problem !== undefined) {
    counts.badRequest.inc();
    return writeJson(res, 400, problemBody(400, `not an admission.k8s.io/v1 AdmissionReview: ${problem}`));
  }
  const request = (parsed.value as AdmissionReview).request as AdmissionRequest;
  const response = handlers[endpoint](request, { zonePolicy: context.options.zonePolicy });
  writeJson(res, 200, JSON.stringify(reviewOf(response)));
  const seconds = (performance.now() - started) / 1000;
  const verdict = verdictOf(response);
  counts[verdict].inc();
  counts.latency.observe(seconds);
  logReview(context.options.logger, endpoint, request, response, verdict, seconds);
}

// What a client sent, fit for a log line: text cut short, anything else dropped.
function loggable(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, 256) : undefined;
}

/**
 * Denials are logged at info (someone's write was refused: worth a line); allowed and patched reviews
 * only at debug, since the API server sends one per write and the metrics count them. Only short
 * strings from the request reach the line, never the object.
 */
function logReview(
  logger: Logger,
  endpoint: Endpoint,
  request: AdmissionRequest,
  response: AdmissionResponse,
  verdict: Verdict,
  seconds: number,
): void {
  const level = verdict === 'denied' ? 'info' : 'debug';
  if (!logger.isLevelEnabled(level)) return;
  const object = request.object as { metadata?: { name?: unknown } } | null | undefined;
  const metadata = typeof object === 'object' && object !== null ? object.metadata : undefined;
  logger[level](
    {
      endpoint,
      uid: loggable(request.uid),
      kind: loggable((request.kind as { kind?: unknown } | undefined)?.kind),
      name:
        loggable(typeof metadata === 'object' && metadata !== null ? metadata.name : undefined) ??
        loggable(request.name),
      operation: loggable(request.operation),
      dryRun: request.dryRun === true,
      user: loggable((request.userInfo as { username?: unknown } | undefined)?.username),
      verdict,
      latencyMs: Math.round(seconds * 100000) / 100,
      ...(response.status ? { reason: response.status.message.slice(0, 2048) } : {}),
      ...(response.warnings ? { warnings: response.warnings.length } : {}),
    },
    'admission review',
  );
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
  const context: ReviewContext = { options, metrics, budget: { buffered: 0 } };
  return (req: IncomingMessage, res: ServerResponse) => {
    state.inFlight++;
    res.once('close', () => state.inFlight--);
    // While draining, tell keep-alive clients to reconnect elsewhere after this answer.
    if (state.draining) res.setHeader('Connection', 'close');
    const endpoint = reviewEndpointOf(req);
    if (endpoint) serveReview(endpoint, req, res, context);
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
      // A client that connects and never finishes the TLS handshake is cut off (Node waits 120 s).
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
    },
    requestListener(options, metrics, state),
  );
  // Idle or stalled sockets cannot starve real reviews: beyond the cap new connections are closed at
  // once, and every one is cut off by the handshake, headers and keep-alive timeouts above.
  server.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
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
