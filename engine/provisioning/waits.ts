/**
 * Time, made explicit: every wait polls at an interval that grows with the time already waited
 * and ends at a deadline, every sleep can be cancelled. (Calls are paced at each action's rate
 * limit by engine/cloud/pacing.ts.)
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
  /** Polls come at least this far apart (the second poll comes this long after the first)... */
  initialMs: number;
  /**
   * ...and, once this fraction of the time already waited is longer, that far apart: a change is
   * then seen at most this fraction of its own duration late, however long it took...
   */
  lateFraction: number;
  /** ...but never further apart than this. */
  maxIntervalMs: number;
  /**
   * No single resource is waited on longer than this (Terraform's default is 5 minutes per
   * resource), whatever is left of the run's deadline.
   */
  perWaitMs: number;
  /** How long this run holds its waits (the controller's: it comes back instead of waiting on). */
  hold?: WaitHold;
}

/**
 * A run that does not wait to the end: a wait still unsettled after `waitMs` in this run, or once
 * `release` fires, stops with WaitHeldError and its step is left for the next run, which looks again.
 * The per-resource limit counts from the first run that waited on the resource (`began`), so a
 * resource that never settles still times out, however many runs held the wait in turn.
 */
export interface WaitHold {
  /** The longest one wait of this run sleeps before it stops (many short waits never stop a run). */
  waitMs: number;
  /** Fired when the worker is wanted elsewhere (the object changed): every wait stops at once. */
  release?: AbortSignal;
  /** When each wait (by what it awaits) began, kept across runs by the caller. */
  began?: Map<string, number>;
}

// The emulator's transitions take 0.2-3 s and the cloud's tens of seconds. Every 200 ms until
// 2.5 s, then 8% of the time waited, up to 5 s: a transition of 1-3 s is seen within 0.25 s
// (a geometric back-off saw one up to 60% of its duration late), a 2 s wait costs 11 reads and a
// 2-minute one 67 (about one read per 2 s), far under the cloud's read limits per action; with
// more than a few waits under way the reads are batched into lists anyway (polls.ts).
export const defaultWaitPolicy: WaitPolicy = {
  clock: systemClock,
  initialMs: 200,
  lateFraction: 0.08,
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

/**
 * A wait the run's hold ended before the resource settled: not a failure, the step is under way and
 * the next run looks again.
 */
export class WaitHeldError extends Error {
  override readonly name = 'WaitHeldError';
  constructor(
    readonly what: string,
    readonly lastSeen: string | undefined,
  ) {
    super(`still waiting for ${what}${lastSeen ? ` (last seen: ${lastSeen})` : ''}; the next reconcile looks again`);
  }
}

/** Remembers when a held wait began; forgets waits older than twice the per-resource limit (gone resources). */
function beganAt(waits: WaitPolicy, what: string, now: number): number {
  const began = waits.hold?.began;
  if (!began) return now;
  const start = began.get(what) ?? now;
  for (const [key, at] of began) if (at < now - 2 * waits.perWaitMs) began.delete(key);
  began.set(what, start);
  return start;
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
 * The pause before the next read, `elapsedMs` into a wait: the policy's fraction of the time
 * waited, within its bounds.
 */
function pollIntervalMs(waits: WaitPolicy, elapsedMs: number): number {
  // Rounded, not ceiled: 0.08 × 2600 is 208.00000000000003 in floating point.
  return Math.min(waits.maxIntervalMs, Math.max(waits.initialMs, Math.round(elapsedMs * waits.lateFraction)));
}

/**
 * Reads until `done` holds, sleeping between reads an interval that grows with the time already
 * waited (pollIntervalMs); throws WaitTimeoutError when the next read would come after the
 * per-wait limit or the run's deadline.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions<T>,
): Promise<T> {
  const { clock, hold } = options.waits;
  const startedHere = clock.now();
  const start = beganAt(options.waits, options.what, startedHere);
  const perWaitEnd = start + options.waits.perWaitMs;
  const end = Math.min(perWaitEnd, options.deadline.at);
  const limit =
    end === perWaitEnd ? `the ${formatDuration(options.waits.perWaitMs)} limit per resource` : options.deadline.label;
  let held = false;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new CancelledError();
      const value = await read();
      if (done(value)) return value;
      const now = clock.now();
      const interval = pollIntervalMs(options.waits, now - start);
      if (now + interval > end)
        throw new WaitTimeoutError(
          options.what,
          options.describe?.(value),
          now - start,
          limit,
          options.deadline.resume,
        );
      const heldError = () => {
        held = true;
        return new WaitHeldError(options.what, options.describe?.(value));
      };
      if (hold && (now + interval > startedHere + hold.waitMs || hold.release?.aborted)) throw heldError();
      const wake =
        hold?.release && options.signal
          ? AbortSignal.any([options.signal, hold.release])
          : (hold?.release ?? options.signal);
      await clock.sleep(interval, wake).catch((error: unknown) => {
        if (options.signal?.aborted) throw new CancelledError();
        if (hold?.release?.aborted) throw heldError();
        throw error;
      });
    }
  } finally {
    // A wait that ended (settled, timed out, failed) starts afresh next time; a held one goes on.
    if (!held) hold?.began?.delete(options.what);
  }
}
