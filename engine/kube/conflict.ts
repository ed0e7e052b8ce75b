import { toKubeError } from './errors';

/** Tries of one write that keeps meeting a concurrent one (409 Conflict) before it gives up. */
export const CONFLICT_RETRIES = 5;

function isConflict(error: unknown): boolean {
  return (error as { code?: unknown }).code === 409;
}

/**
 * Optimistic concurrency: runs `attempt` (which reads what it writes afresh each time) again while
 * the API server answers 409 Conflict, at most CONFLICT_RETRIES times in all; the last conflict, or
 * any other answer of the API server, becomes a KubeError saying what was being done.
 */
export async function retryOnConflict<T>(doing: string, server: string, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (isConflict(error) && tries < CONFLICT_RETRIES) continue;
      // An API answer (a status code) is worded for the user; anything else (a failed edit) is theirs as it is.
      throw typeof (error as { code?: unknown }).code === 'number' ? toKubeError(error, doing, server) : error;
    }
  }
}
