/** A failure as the status records it, from whatever a phase caught. */
import { describeCause, needsChange, StepError } from '../errors';
import type { RecordedFailure } from '../status';

/** A failure as the status records it; a StepError's own cluster wins over `clusterId`. */
export function recordFailure(area: RecordedFailure['area'], error: unknown, clusterId?: string): RecordedFailure {
  const stepError = error instanceof StepError ? error : undefined;
  return {
    area,
    clusterId: stepError?.clusterId ?? clusterId,
    reason: stepError?.reason ?? (error instanceof Error ? error.name.replace(/Error$/, '') || 'Failed' : 'Failed'),
    message: stepError?.message ?? describeCause(error),
    ...(needsChange(error) ? { needsChange: true } : {}),
  };
}

/** The failures that concern `clusterIds`: theirs, and those of no one cluster. */
export function failuresOf(failures: RecordedFailure[], clusterIds: readonly string[]): RecordedFailure[] {
  return failures.filter((failure) => failure.clusterId === undefined || clusterIds.includes(failure.clusterId));
}
