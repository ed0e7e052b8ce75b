/**
 * What a reconcile tells its caller about coming back, as controller-runtime's Result and
 * TerminalError do: when to look again, and whether a failure is one only a change clears.
 */
import type { RecordedFailure } from '../status';

/** Come back this soon while the cloud or the mesh is still on its way (no failure, not Available). */
export const PROGRESSING_REQUEUE_MS = 10_000;
/**
 * Come back this soon when the run's hold ended a wait: the wait had already polled up to the hold,
 * so the next run's first look is about when its next poll would have been.
 */
export const HELD_REQUEUE_MS = 1_000;

export interface ReconcileResult {
  /** Look again after this long: the run left work under way (the mesh has not caught up yet). */
  requeueAfterMs?: number;
  /** What failed; a caller retries with backoff, unless `terminal`. */
  failure?: {
    message: string;
    /** Every failure stays until someone changes something (the spec, a RAM policy): retrying soon is pointless. */
    terminal: boolean;
  };
}

/** The result of a run that got to its report. */
export function resultOf(run: {
  cancelled: boolean;
  failures: RecordedFailure[];
  /** status.status as written. */
  status?: string;
  /** The run's hold ended a wait: work is under way. */
  held?: boolean;
  progressingRequeueMs?: number;
}): ReconcileResult {
  if (run.cancelled) return {};
  if (run.failures.length > 0)
    return {
      failure: {
        message: run.failures.map((failure) => failure.message).join('; '),
        terminal: run.failures.every((failure) => failure.needsChange === true),
      },
    };
  if (run.held) return { requeueAfterMs: HELD_REQUEUE_MS };
  if (run.status !== 'Available') return { requeueAfterMs: run.progressingRequeueMs ?? PROGRESSING_REQUEUE_MS };
  return {};
}
