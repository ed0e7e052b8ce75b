/**
 * How every cloud call is attempted: bounded retries with exponential backoff and full jitter,
 * a per-attempt hook, and an injectable clock so tests of retries take no real time.
 *
 * Our own small loop rather than `@darabonba/typescript` RetryOptions: those match codes exactly
 * (we need "contains Throttling" and per-action lock codes), have no bound on total time, sleep on
 * the real clock and call no hook per attempt.
 */
import { type Clock, systemClock } from '../clock';
import { CloudError, type CloudProduct, isThrottling, LocalErrorCode, toCloudError } from './errors';
import { type CallPacing, currentCallPriority, type PaceTurn } from './pacing';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The backoff ceiling of the first retry; it doubles with each retry. */
  baseDelayMs: number;
  /** No single wait is longer than this. */
  maxDelayMs: number;
  /** No retry starts if it would begin later than this after the first attempt began. */
  maxElapsedMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
};

/** Time as the retry loop sees it, and the randomness of its jitter; tests pass a fake one. */
export interface RetryClock extends Clock {
  /** A number in [0, 1). */
  random(): number;
}

export const systemRetryClock: RetryClock = { ...systemClock, random: () => Math.random() };

/**
 * Full jitter: a uniform wait between 0 and min(maxDelay, baseDelay * 2^(retry-1)), where `retry`
 * counts from 1 (the wait before the second attempt).
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** What a call is, as the retry loop and the hook need to know it. */
export interface CallDescriptor {
  product: CloudProduct;
  action: string;
  /** The call changes something in the cloud. */
  mutating: boolean;
  /**
   * Repeating the call cannot do the work twice (a read, or a write with a ClientToken). A
   * non-idempotent write is retried only when the cloud certainly did not act on it: throttled,
   * or never sent.
   */
  idempotent: boolean;
  /** The id the call is about, for messages. */
  resourceId?: string;
}

/** Reported after every attempt. */
export interface CloudCallEvent {
  product: CloudProduct;
  action: string;
  mutating: boolean;
  /** 1 for the first attempt. */
  attempt: number;
  durationMs: number;
  requestId?: string;
  error?: CloudError;
  /** Set when another attempt follows after this many milliseconds. */
  retryInMs?: number;
}

export type CloudCallHook = (event: CloudCallEvent) => void;

/** Whether to make another attempt after `error`, given what was tried so far. */
export function shouldRetry(
  call: CallDescriptor,
  error: CloudError,
  attempt: number,
  nextStartMs: number,
  policy: RetryPolicy,
): boolean {
  if (!error.retryable) return false;
  if (attempt >= policy.maxAttempts) return false;
  if (nextStartMs > policy.maxElapsedMs) return false;
  if (call.mutating && !call.idempotent) return error.notSent || isThrottling(error.code);
  return true;
}

export interface CallRunnerOptions {
  retry: RetryPolicy;
  clock: RetryClock;
  onCall?: CloudCallHook;
  /** Aborting it stops waiting between attempts and fails the call with RequestCancelled. */
  signal?: AbortSignal;
  /** Checks each call before its first attempt (createCloud: it is in the catalogue); throws to refuse it. */
  admit?: (call: CallDescriptor) => void;
  /**
   * Each attempt waits for its turn at the action's rate limit (pacing.ts). A throttled attempt is
   * then sent again at its next turn rather than after a backoff, up to maxThrottledAttempts.
   */
  pacing?: CallPacing;
}

/** With pacing, a call refused by throttling is sent again at most this many times. */
export const maxThrottledAttempts = 8;

/** Runs calls with the retry policy, the hook and error mapping; one per Cloud, shared by all products. */
export class CallRunner {
  constructor(private readonly options: CallRunnerOptions) {}

  /**
   * Runs `attempt` until it succeeds, fails for good, or the policy's bounds are reached. The
   * attempt function must send the same request each time (same ClientToken), which is why the
   * clients build a request once and close over it.
   */
  async run<T>(
    call: CallDescriptor,
    attempt: () => Promise<T>,
    requestIdOf?: (result: T) => string | undefined,
  ): Promise<T> {
    const { clock, retry } = this.options;
    this.options.admit?.(call);
    const start = clock.now();
    let throttledBefore = false;
    let throttledAttempts = 0;
    for (let number = 1; ; number++) {
      this.throwIfCancelled(call, number);
      const turn = await this.turn(call, number, throttledBefore);
      const attemptStart = clock.now();
      try {
        const result = await attempt();
        turn?.finish('ok');
        this.report({
          ...eventBase(call, number),
          durationMs: clock.now() - attemptStart,
          requestId: requestIdOf?.(result),
        });
        return result;
      } catch (thrown) {
        const error = toCloudError(call, thrown);
        const now = clock.now();
        throttledBefore = isThrottling(error.code);
        turn?.finish(throttledBefore ? 'throttled' : 'failed');
        // Paced, a refused call was not performed and waits for its next turn, not a backoff.
        const paced = turn !== undefined && throttledBefore;
        if (paced) throttledAttempts += 1;
        const delay = paced ? 0 : retryDelayMs(error, number, retry, () => clock.random());
        const again = paced
          ? throttledAttempts < maxThrottledAttempts
          : shouldRetry(call, error, number, now + delay - start, retry);
        this.report({
          ...eventBase(call, number),
          durationMs: now - attemptStart,
          requestId: error.requestId,
          error,
          retryInMs: again ? delay : undefined,
        });
        if (!again) throw number > 1 ? error.withAttempts(number) : error;
        if (delay > 0) await this.sleep(call, delay, number);
      }
    }
  }

  private async turn(call: CallDescriptor, number: number, retry: boolean): Promise<PaceTurn | undefined> {
    const { pacing, signal } = this.options;
    if (!pacing) return undefined;
    try {
      return await pacing.turn(call.action, { retry, signal, priority: currentCallPriority() });
    } catch {
      throw cancelled(call, number - 1);
    }
  }

  private async sleep(call: CallDescriptor, ms: number, attempts: number): Promise<void> {
    try {
      await this.options.clock.sleep(ms, this.options.signal);
    } catch {
      throw cancelled(call, attempts);
    }
  }

  private throwIfCancelled(call: CallDescriptor, attempts: number): void {
    if (this.options.signal?.aborted) throw cancelled(call, attempts - 1);
  }

  private report(event: CloudCallEvent): void {
    try {
      this.options.onCall?.(event);
    } catch {
      // A broken progress display must never fail a cloud call.
    }
  }
}

function eventBase(call: CallDescriptor, attempt: number) {
  return { product: call.product, action: call.action, mutating: call.mutating, attempt };
}

// A throttled answer may say when to come back (openapi-core's `retryAfter`, from the
// x-acs-retry-after header; milliseconds, UNCONFIRMED): wait at least that, within maxDelayMs.
function retryDelayMs(error: CloudError, attempt: number, policy: RetryPolicy, random: () => number): number {
  const jittered = backoffDelayMs(attempt, policy, random);
  const cause = error.cause as { retryAfter?: unknown } | undefined;
  const retryAfter = typeof cause?.retryAfter === 'number' && cause.retryAfter > 0 ? cause.retryAfter : 0;
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfter));
}

function cancelled(call: CallDescriptor, attempts: number): CloudError {
  return new CloudError({
    product: call.product,
    action: call.action,
    resourceId: call.resourceId,
    code: LocalErrorCode.cancelled,
    message: 'cancelled before the call completed; run the command again to continue where it stopped',
    retryable: false,
    attempts: Math.max(1, attempts),
  });
}
