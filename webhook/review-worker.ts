import { constants, setPriority } from 'node:os';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { ZonePolicy } from '../core';
import { collectBeforeLargeReview, LARGE_REVIEW_BYTES } from './memory';
import { type Endpoint, judgeReviewBody, problemBody, type ReviewOutcome } from './review';

/**
 * The code a review worker runs: the webhook's own entry point, which serves reviews instead of
 * starting a server when it finds itself in a worker thread with this role. The bundle passes its own
 * file; tests running the sources pass webhook/main.ts with a TypeScript loader in `execArgv`.
 */
export interface ReviewWorkerEntry {
  filename: string;
  execArgv?: string[];
}

export const REVIEW_WORKER_ROLE = 'asmpvl-review-worker';

export interface ReviewWorkerLimits {
  /** Old-generation heap of the worker; a review that needs more is refused (413) and the worker replaced. */
  maxHeapMb: number;
  /** A review judged for longer than this is abandoned (503, retry) and the worker replaced. */
  deadlineMs: number;
}

/**
 * Large reviews are judged in a worker thread: parsing and validating a body of several MiB takes
 * hundreds of milliseconds of CPU (more under a CPU limit), during which the event loop would answer no
 * one, not even the API server's few-KiB reviews. The worker's heap has a limit of its own, so a body that
 * parses into more than it may use costs the worker, not the pod.
 */
export const DEFAULT_REVIEW_WORKER_LIMITS: ReviewWorkerLimits = { maxHeapMb: 160, deadlineMs: 10_000 };

interface Job {
  id: number;
  endpoint: Endpoint;
  body: Buffer;
  zonePolicy: ZonePolicy;
  resolve: (outcome: ReviewOutcome) => void;
}

interface JobRequest {
  id: number;
  endpoint: Endpoint;
  zonePolicy: ZonePolicy;
  body: Uint8Array;
}

interface JobAnswer {
  id: number;
  outcome: ReviewOutcome;
  error?: string;
}

/**
 * One worker thread judging large reviews one at a time, in arrival order. How many wait is bounded by
 * the server's budget for large bodies, not here. A worker that dies (out of its heap) or overruns the
 * deadline answers its review and is replaced; the reviews waiting behind it go to the new one.
 */
export class ReviewWorkerPool {
  private worker: Worker | undefined;
  private readonly waiting: Job[] = [];
  private running: { job: Job; timer: NodeJS.Timeout } | undefined;
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly entry: ReviewWorkerEntry,
    private readonly limits: ReviewWorkerLimits,
    private readonly onProblem: (message: string, error?: string) => void,
  ) {}

  /** Judges `body` in the worker; always resolves, with a 5xx outcome if the worker could not. */
  judge(endpoint: Endpoint, body: Buffer, zonePolicy: ZonePolicy): Promise<ReviewOutcome> {
    if (this.closed) return Promise.resolve(unavailable('the webhook is stopping; retry'));
    return new Promise((resolve) => {
      this.waiting.push({ id: this.nextId++, endpoint, body, zonePolicy, resolve });
      this.startNext();
    });
  }

  /** Answers every waiting review with 503 and stops the worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.resolve(unavailable('the webhook is stopping; retry'));
    if (this.running) this.finish(unavailable('the webhook is stopping; retry'));
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private startNext(): void {
    if (this.running || this.closed) return;
    const job = this.waiting.shift();
    if (job === undefined) return;
    const worker = this.worker ?? this.spawn();
    const timer = setTimeout(() => {
      this.onProblem(`a review took longer than ${this.limits.deadlineMs} ms to judge; replacing the worker`);
      this.replace(worker, unavailable('judging the review took too long; retry'));
    }, this.limits.deadlineMs);
    this.running = { job, timer };
    // The body's memory moves to the worker instead of being copied (a large body owns its whole buffer).
    const owned = job.body.byteOffset === 0 && job.body.byteLength === job.body.buffer.byteLength;
    const body = owned ? job.body : Uint8Array.prototype.slice.call(job.body);
    const request: JobRequest = { id: job.id, endpoint: job.endpoint, zonePolicy: job.zonePolicy, body };
    worker.postMessage(request, [body.buffer as ArrayBuffer]);
  }

  private spawn(): Worker {
    const worker = new Worker(this.entry.filename, {
      workerData: { role: REVIEW_WORKER_ROLE },
      ...(this.entry.execArgv ? { execArgv: this.entry.execArgv } : {}),
      // A young generation of 16 MiB instead of V8's default keeps the worker's peak low: the worst
      // bodies one after another peaked at 268 MiB resident with the default, 222 MiB with this.
      resourceLimits: { maxOldGenerationSizeMb: this.limits.maxHeapMb, maxYoungGenerationSizeMb: 16 },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    worker.on('message', (answer: JobAnswer) => {
      if (this.running?.job.id !== answer.id) return;
      if (answer.error) this.onProblem('unexpected error answering a review', answer.error);
      this.finish(answer.outcome);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (this.worker !== worker) return;
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.onProblem(outOfMemory ? 'a review needed more than the worker heap' : 'review worker failed', error.message);
      this.replace(
        worker,
        outOfMemory
          ? {
              status: 413,
              body: problemBody(413, 'body needs more memory to judge than the webhook allows one review'),
            }
          : internalError(),
      );
    });
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.replace(worker, internalError());
    });
    this.worker = worker;
    return worker;
  }

  private replace(worker: Worker, outcome: ReviewOutcome): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
    if (this.running) this.finish(outcome);
  }

  private finish(outcome: ReviewOutcome): void {
    const running = this.running;
    if (!running) return;
    clearTimeout(running.timer);
    this.running = undefined;
    running.job.resolve(outcome);
    this.startNext();
  }
}

function unavailable(message: string): ReviewOutcome {
  return { status: 503, body: problemBody(503, message) };
}

function internalError(): ReviewOutcome {
  return { status: 500, body: problemBody(500, 'internal error while answering the review') };
}

/** Whether this thread was started as a review worker. */
export function isReviewWorker(): boolean {
  return parentPort !== null && (workerData as { role?: unknown } | null)?.role === REVIEW_WORKER_ROLE;
}

/** The worker side: judges each body it is sent and posts the outcome back. */
export function serveReviewsInThisWorker(): void {
  const port = parentPort;
  if (port === null) throw new Error('serveReviewsInThisWorker runs only in a worker thread');
  yieldCpuToTheEventLoop();
  port.on('message', (request: JobRequest) => {
    const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
    let answer: JobAnswer;
    try {
      if (body.length > LARGE_REVIEW_BYTES) collectBeforeLargeReview();
      answer = { id: request.id, outcome: judgeReviewBody(request.endpoint, body, request.zonePolicy) };
    } catch (error) {
      // A bug of ours, not the client's: answer (the API server applies failurePolicy) and keep serving.
      answer = { id: request.id, outcome: internalError(), error: (error as Error).message };
    }
    port.postMessage(answer);
  });
}

/**
 * Lowers this thread's CPU priority to the lowest. Under a CPU quota the worker and the event loop share
 * the pod's CPU; at equal priority the event loop got half of it while a large body was being judged, and
 * a 3 KiB review waited up to 0.9 s. On Linux the nice value belongs to a thread (setpriority of 0 is
 * the calling one), so the event loop keeps its own; elsewhere it would lower the whole process, so
 * nothing is changed there.
 */
function yieldCpuToTheEventLoop(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(0, constants.priority.PRIORITY_LOW);
  } catch {
    // Not allowed in this sandbox: the worker runs at the event loop's priority, as before.
  }
}
