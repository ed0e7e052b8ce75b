/**
 * Time, made explicit: every wait polls with a growing interval and ends at a deadline, every
 * sleep can be cancelled, and calls to one cloud action are paced under its rate limit.
 */

/** Time as waits see it; tests pass a fake one. */
export interface WaitClock {
  now(): number;
  /** Resolves after `ms`; rejects with a CancelledError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The run was cancelled (Ctrl-C, SIGTERM): stop where it stands, undone steps stay for the next run. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(what = 'the run') {
    super(`${what} was cancelled; the next run continues where it stopped`);
  }
}

export const systemWaitClock: WaitClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new CancelledError());
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(new CancelledError());
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** The end of the whole run (`--timeout`), how to name it in a message, and what resumes the work after it. */
export interface Deadline {
  at: number;
  label: string;
  /** Said after a timeout, e.g. "run the command again to resume from here, or raise --timeout" (advice.ts). */
  resume?: string;
}

export interface WaitPolicy {
  clock: WaitClock;
  /** The first poll comes this long after the change. */
  initialMs: number;
  /** Each interval is this many times the last... */
  factor: number;
  /** ...up to this. */
  maxIntervalMs: number;
  /**
   * No single resource is waited on longer than this (Terraform's default is 5 minutes per
   * resource), whatever is left of the run's deadline.
   */
  perWaitMs: number;
}

// The emulator's transitions take 0.2-3 s and the cloud's tens of seconds: start polling fast and
// back off to a few seconds, so a quick transition is seen quickly and a slow one costs few calls.
export const defaultWaitPolicy: WaitPolicy = {
  clock: systemWaitClock,
  initialMs: 250,
  factor: 1.6,
  maxIntervalMs: 5_000,
  perWaitMs: 5 * 60_000,
};

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
}

/** A wait that reached its deadline; the message says what was awaited and what was last seen. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  constructor(
    readonly what: string,
    readonly lastSeen: string | undefined,
    readonly waitedMs: number,
    limit: string,
    resume = 'the next run resumes from here',
  ) {
    super(
      `timed out after ${formatDuration(waitedMs)} (${limit}) waiting for ${what}${lastSeen ? `; last seen: ${lastSeen}` : ''}. The cloud may be slow: ${resume}.`,
    );
  }
}

export interface PollOptions<T> {
  deadline: Deadline;
  waits: WaitPolicy;
  signal?: AbortSignal;
  /** What is awaited, for the timeout message: "endpoint ep-1 to be Active". */
  what: string;
  /** The observed state in a few words, for the timeout message. */
  describe?: (value: T) => string;
}

/**
 * Reads until `done` holds, sleeping a growing interval between reads; throws WaitTimeoutError
 * when the next read would come after the per-wait limit or the run's deadline.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions<T>,
): Promise<T> {
  const { clock } = options.waits;
  const start = clock.now();
  const perWaitEnd = start + options.waits.perWaitMs;
  const end = Math.min(perWaitEnd, options.deadline.at);
  const limit =
    end === perWaitEnd ? `the ${formatDuration(options.waits.perWaitMs)} limit per resource` : options.deadline.label;
  let interval = options.waits.initialMs;
  for (;;) {
    if (options.signal?.aborted) throw new CancelledError();
    const value = await read();
    if (done(value)) return value;
    const now = clock.now();
    if (now + interval > end)
      throw new WaitTimeoutError(options.what, options.describe?.(value), now - start, limit, options.deadline.resume);
    await clock.sleep(interval, options.signal);
    interval = Math.min(options.waits.maxIntervalMs, Math.ceil(interval * options.waits.factor));
  }
}

/** Whether the cloud refused a call with its flow control (`Throttling.User`, `Rejected.Throttling`, ...). */
function isThrottling(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.includes('Throttling');
}

/**
 * Spaces calls to each cloud action at most `perSecond` a second, and bounds how many run at once
 * overall. The cloud throttles each action beyond its own limit, which is not published: an action
 * that gets throttled is slowed to half its rate, and speeds up again by one call a second for each
 * second without throttling, back to `perSecond` (additive increase, multiplicative decrease).
 */
export class Pacer {
  /** A call still throttled after the client's own retries goes back in line this many times. */
  static readonly throttledRequeues = 3;
  private readonly nextSlot = new Map<string, number>();
  private readonly rates = new Map<string, number>();
  private readonly lastChange = new Map<string, number>();
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly clock: WaitClock,
    private readonly perSecond: number,
    private readonly maxInFlight: number,
  ) {}

  /** The current rate of an action, calls per second. */
  rateOf(action: string): number {
    return this.rates.get(action) ?? this.perSecond;
  }

  /**
   * The cloud throttled a call to `action`. At most one change a second (the cloud's counting
   * window): the calls of one burst are throttled together, and halving once per answer took 20
   * calls a second to the floor of one every 2 s after a burst of ten.
   */
  throttled(action: string): void {
    if (!this.mayChange(action)) return;
    this.rates.set(action, Math.max(0.5, this.rateOf(action) / 2));
  }

  /**
   * A call to `action` went through. One step up a second, not one per success: with 100 clusters
   * ten successes in a second put the rate straight back over the limit.
   */
  succeeded(action: string): void {
    const rate = this.rateOf(action);
    if (rate >= this.perSecond || !this.mayChange(action)) return;
    this.rates.set(action, Math.min(this.perSecond, rate + 1));
  }

  private mayChange(action: string): boolean {
    const now = this.clock.now();
    if (now - (this.lastChange.get(action) ?? -Infinity) < 1000) return false;
    this.lastChange.set(action, now);
    return true;
  }

  /**
   * Runs `call` once its action has a free slot and fewer than maxInFlight calls run. The client's
   * retries of a throttled call are not paced; one still throttled after them was not performed,
   * so it takes a new slot at the lowered rate (a bounded number of times) rather than fail a step.
   */
  async run<T>(action: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let requeues = 0; ; requeues++) {
      await this.waitForSlot(action, signal);
      await this.acquire();
      try {
        return await call();
      } catch (error) {
        if (!isThrottling(error) || requeues >= Pacer.throttledRequeues || signal?.aborted) throw error;
        this.throttled(action);
      } finally {
        this.release();
      }
    }
  }

  private async waitForSlot(action: string, signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlot.get(action) ?? 0);
    this.nextSlot.set(action, slot + 1000 / this.rateOf(action));
    if (slot > now) await this.clock.sleep(slot - now, signal);
  }

  private acquire(): Promise<void> {
    if (this.running < this.maxInFlight) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running -= 1;
  }
}
