import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { describeValue, type ZonePolicy } from '../core';
import { ConnectionGuard, type ConnectionLimits, type TrackedConnection } from './connections';
import { WebhookMetrics } from './metrics';
import { type Endpoint, handlers, judgeReviewBody, problemBody, type ReviewOutcome } from './review';
import {
  DEFAULT_REVIEW_WORKER_LIMITS,
  type ReviewWorkerEntry,
  type ReviewWorkerLimits,
  ReviewWorkerPool,
} from './review-worker';
import { loadTls, type TlsFiles, watchTls } from './tls';

/**
 * Bodies above this are refused with 413. The API server caps a request body at 3 MiB and a review
 * can carry the object and the old object (plus managed fields), so 8 MiB holds any real review.
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Bodies up to this are small: judged on the event loop at once (about a millisecond), and never
 * budgeted beyond the connection cap (512 connections of 64 KiB is 32 MiB at most), so nothing large
 * bodies do can delay or refuse them. A review of the spec of 100 clusters with two vSwitches each, old
 * object included, is about 40 KiB; one whose objects carry a long status can be larger, and is judged
 * as a large one.
 */
export const SMALL_BODY_BYTES = 64 * 1024;

/**
 * Bytes of large bodies (above SMALL_BODY_BYTES) held at once, received or waiting for the review
 * worker; beyond it a large review is asked to retry (503). Only hostile clients send several at once,
 * and their parsed forms would together outgrow the pod's memory (eight hostile bodies of 1-4 MiB at
 * once: 307 MiB resident with a 32 MiB budget).
 */
export const MAX_LARGE_BUFFERED_BYTES = 12 * 1024 * 1024;

export interface WebhookServerOptions {
  port: number;
  host?: string;
  tls: TlsFiles;
  zonePolicy: ZonePolicy;
  logger: Logger;
  /** The code the worker thread for large reviews runs. */
  reviewWorker: ReviewWorkerEntry;
  /** Defaults: DEFAULT_REVIEW_WORKER_LIMITS. */
  reviewWorkerLimits?: Partial<ReviewWorkerLimits>;
  /** Bytes of large bodies held at once (default MAX_LARGE_BUFFERED_BYTES). */
  largeBodyBudgetBytes?: number;
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
  /** Open connections at most from one source address (default MAX_CONNECTIONS_PER_SOURCE). */
  maxConnectionsPerSource?: number;
  /** A connection that has sent no review is closed after this long idle (default IDLE_BEFORE_REVIEW_MS). */
  idleBeforeReviewMs?: number;
}

/**
 * The API server keeps a few keep-alive connections per replica; 512 leaves room for many API server
 * replicas and probes while bounding what idle sockets can hold (about 50 KiB each with TLS).
 */
export const MAX_CONNECTIONS = 512;

/** A quarter of the cap per source address: one client, however busy, leaves the rest to the others. */
export const MAX_CONNECTIONS_PER_SOURCE = 128;

/**
 * The API server sends its review as soon as it has connected, and the kubelet's probes close their
 * connection after one answer, so a connection that has sent no review for 5 s is only being held.
 */
export const IDLE_BEFORE_REVIEW_MS = 5_000;

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

interface ReviewContext {
  options: WebhookServerOptions;
  metrics: WebhookMetrics;
  largeBodies: BodyBudget;
  worker: ReviewWorkerPool;
}

function sendProblem(res: Response, status: number, message: string): void {
  res.status(status).type('application/json').send(problemBody(status, message));
}

function writeJson(res: ServerResponse, status: number, body: string): void {
  if (res.destroyed || res.headersSent) return;
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

/** Bytes held against a limit. */
class BodyBudget {
  private used = 0;

  constructor(private readonly limit: number) {}

  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

/**
 * Answers one AdmissionReview on the raw Node request. The review endpoints are the hot path the API
 * server calls on every write, so they skip express's router and body parser; express serves the rest.
 * Whatever the body holds, it gets an answer: a 4xx when it is not a usable review, a denial when the
 * object is not a valid ASMPvlConfig, and a 500 review (never a dropped connection) if a bug throws.
 * Small bodies are judged here at once; large ones hold a share of the large-body budget (or are asked
 * to retry) and are judged in the worker thread, so they never hold up the event loop.
 */
function serveReview(
  endpoint: Endpoint,
  req: IncomingMessage,
  res: ServerResponse,
  context: ReviewContext,
  answered: (outcome: ReviewOutcome) => void,
): void {
  const started = performance.now();
  const counts = context.metrics.endpoint(endpoint);
  const refuse = (status: number, message: string) => {
    counts.badRequest.inc();
    writeJson(res, status, problemBody(status, message));
  };
  const contentType = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    req.resume();
    refuse(415, `content type must be application/json, got ${describeValue(contentType.slice(0, 100) || 'none')}`);
    return;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  const tooLarge = `body larger than ${MAX_BODY_BYTES} bytes; no AdmissionReview is that big`;
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    refuse(413, tooLarge);
    return;
  }
  const busy = () => {
    // The rest of the body is not read: close the connection after the answer instead.
    res.setHeader('connection', 'close');
    res.setHeader('retry-after', '1');
    refuse(503, 'too many large reviews at once; retry');
  };
  // A large body declared up front holds its whole size from the start; one sent in chunks grows its share.
  let held = 0;
  if (declared > SMALL_BODY_BYTES) {
    if (!context.largeBodies.take(declared)) return busy();
    held = declared;
  }
  const release = () => {
    context.largeBodies.give(held);
    held = 0;
  };
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      refused = true;
      chunks.length = 0;
      release();
      return refuse(413, tooLarge);
    }
    if (size > SMALL_BODY_BYTES && size > held) {
      if (!context.largeBodies.take(size - held)) {
        refused = true;
        chunks.length = 0;
        release();
        return busy();
      }
      held = size;
    }
    chunks.push(chunk);
  });
  // A client that goes away mid-body frees its share at once.
  req.once('close', () => {
    if (!req.complete) release();
  });
  req.on('end', () => {
    if (refused) return;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    chunks.length = 0;
    const judged =
      body.length > SMALL_BODY_BYTES
        ? context.worker.judge(endpoint, body, context.options.zonePolicy).finally(release)
        : Promise.resolve(judgeOnEventLoop(endpoint, body, context));
    void judged.then((outcome) => {
      writeJson(res, outcome.status, outcome.body);
      record(endpoint, outcome, context, (performance.now() - started) / 1000);
      answered(outcome);
    });
  });
}

function judgeOnEventLoop(endpoint: Endpoint, body: Buffer, context: ReviewContext): ReviewOutcome {
  try {
    return judgeReviewBody(endpoint, body, context.options.zonePolicy);
  } catch (error) {
    // A bug of ours, not the client's: answer (the API server applies failurePolicy) and stay up.
    context.options.logger.error({ endpoint, err: (error as Error).message }, 'unexpected error answering a review');
    return { status: 500, body: problemBody(500, 'internal error while answering the review') };
  }
}

/**
 * Counts the outcome and logs a judged review. Denials are logged at info (someone's write was refused:
 * worth a line); allowed and patched reviews only at debug, since the API server sends one per write
 * and the metrics count them. Only short strings from the request reach the line, never the object.
 */
function record(endpoint: Endpoint, outcome: ReviewOutcome, context: ReviewContext, seconds: number): void {
  const counts = context.metrics.endpoint(endpoint);
  if (outcome.verdict === undefined) return counts.badRequest.inc();
  counts[outcome.verdict].inc();
  counts.latency.observe(seconds);
  const level = outcome.verdict === 'denied' ? 'info' : 'debug';
  const logger = context.options.logger;
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    { endpoint, ...outcome.log, verdict: outcome.verdict, latencyMs: Math.round(seconds * 100000) / 100 },
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
function requestListener(
  options: WebhookServerOptions,
  metrics: WebhookMetrics,
  state: ServerState,
  guard: ConnectionGuard,
  worker: ReviewWorkerPool,
) {
  const app = createApp(options, metrics, state);
  const context: ReviewContext = {
    options,
    metrics,
    largeBodies: new BodyBudget(options.largeBodyBudgetBytes ?? MAX_LARGE_BUFFERED_BYTES),
    worker,
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    state.inFlight++;
    const connection: TrackedConnection | undefined = guard.requestStarted(req.socket);
    let reviewed = false;
    res.once('close', () => {
      state.inFlight--;
      if (connection) guard.requestEnded(connection, reviewed);
    });
    // While draining, tell keep-alive clients to reconnect elsewhere after this answer.
    if (state.draining) res.setHeader('Connection', 'close');
    const endpoint = reviewEndpointOf(req);
    if (endpoint) serveReview(endpoint, req, res, context, (outcome) => (reviewed = outcome.status === 200));
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
  const limits: ConnectionLimits = {
    maxConnections: options.maxConnections ?? MAX_CONNECTIONS,
    maxPerSource: options.maxConnectionsPerSource ?? MAX_CONNECTIONS_PER_SOURCE,
    idleBeforeReviewMs: options.idleBeforeReviewMs ?? IDLE_BEFORE_REVIEW_MS,
  };
  const guard = new ConnectionGuard(limits, (reason) => metrics.connectionsClosed.labels(reason).inc());
  metrics.trackOpenConnections(() => guard.size);
  const worker = new ReviewWorkerPool(
    options.reviewWorker,
    { ...DEFAULT_REVIEW_WORKER_LIMITS, ...options.reviewWorkerLimits },
    (message, error) => options.logger.error({ err: error }, message),
  );
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
    requestListener(options, metrics, state, guard, worker),
  );
  // No client can starve the others by holding connections: see ConnectionGuard. Each one is also cut
  // off by the handshake, headers and keep-alive timeouts above.
  server.on('connection', (socket: Socket) => guard.admit(socket));
  server.on('secureConnection', (socket: Socket) => guard.secured(socket));
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
    guard.stop();
    await worker.close();
    await closed;
  };
  return { url: `https://${options.host ?? '127.0.0.1'}:${port}`, port, server, metrics, drain };
}
