/**
 * Time, made explicit: the retry loop, the pacer, the waits and the polls read the time and sleep
 * through a Clock, so their tests run on a fake one (engine/testing/fake-clock.ts) in no time.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with abortReason(signal) as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Why `signal` aborted, as an Error (abort() without a reason gives a DOMException, which is one). */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal));
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
