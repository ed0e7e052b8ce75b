/**
 * Time, made explicit: every wait polls with a growing interval and ends at a deadline, every
 * sleep can be cancelled. (Calls are paced at each action's rate limit by engine/cloud/pacing.ts.)
 */
import { type Clock, systemClock } from '../clock';

/** The run was cancelled (Ctrl-C, SIGTERM): stop where it stands, undone steps stay for the next run. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(what = 'the run') {
    super(`${what} was cancelled; the next run continues where it stopped`);
  }
}

/** The end of the whole run (`--timeout`), how to name it in a message, and what resumes the work after it. */
export interface Deadline {
  at: number;
  label: string;
  /** Said after a timeout, e.g. "run the command again to resume from here, or raise --timeout" (advice.ts). */
  resume?: string;
}

export interface WaitPolicy {
  clock: Clock;
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
  clock: systemClock,
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
    await clock.sleep(interval, options.signal).catch((error: unknown) => {
      throw options.signal?.aborted ? new CancelledError() : error;
    });
    interval = Math.min(options.waits.maxIntervalMs, Math.ceil(interval * options.waits.factor));
  }
}
