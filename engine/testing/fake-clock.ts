import { abortReason } from '../clock';
import type { RetryClock } from '../cloud/retry';

/** A clock for tests: sleeping moves time forward at once and is recorded. */
export interface FakeClock extends RetryClock {
  /** Every sleep asked for, in milliseconds. */
  sleeps: number[];
}

/** `random` is fixed (0.5 by default) so backoff delays are exact; an aborted sleep rejects as the real one does. */
export function fakeClock(random = 0.5, start = 0): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    random: () => random,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw abortReason(signal);
      sleeps.push(ms);
      now += ms;
    },
  };
}
