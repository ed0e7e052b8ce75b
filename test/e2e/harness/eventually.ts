import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Retries `check` until it stops throwing, and rethrows its last error once `timeoutMs` has
 * passed. For what the API server does asynchronously: publishing a CRD's OpenAPI, noticing a
 * new webhook configuration.
 */
export async function eventually<T>(check: () => Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await sleep(options.intervalMs ?? 250);
  }
}
