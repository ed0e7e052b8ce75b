import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, run before a large review. V8 sizes its heap from the host's memory (or the
 * container's limit), not from what the webhook needs, so without it the garbage of a few large
 * reviews piles up until the pod's memory limit instead of being reused: measured, eight 2-4 MiB
 * hostile reviews took the process to 408 MiB resident against the chart's 256Mi. Collecting before
 * each review above LARGE_REVIEW_BYTES (a real one is a few KiB) costs milliseconds on those alone.
 */
export const LARGE_REVIEW_BYTES = 512 * 1024;

function loadCollector(): () => void {
  // --expose-gc at run time, read back from a fresh context: the webhook must not depend on how node
  // was started (the image's entry point, npx, a test harness).
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

let collector: (() => void) | undefined;

/**
 * Collects the garbage of earlier reviews before a large one is parsed, so its allocations reuse that
 * memory instead of adding to it; before rather than after, because several large bodies that finish
 * arriving together are answered back to back with no turn of the event loop in between.
 */
export function collectBeforeLargeReview(): void {
  collector ??= loadCollector();
  collector();
}
