/** A clock for retry tests: sleeping moves time forward at once and is recorded. */
import type { Clock } from '../retry';

export interface FakeClock extends Clock {
  /** Every sleep asked for, in milliseconds. */
  sleeps: number[];
}

/** `random` is fixed (0.5 by default) so backoff delays are exact. */
export function fakeClock(random = 0.5, start = 1_000_000): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    random: () => random,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
}
