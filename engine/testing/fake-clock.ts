import { CancelledError, type WaitClock } from '../provisioning/waits';

/** A clock for wait and pacing tests: sleeping advances time at once and is recorded. */
export function fakeClock(): WaitClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw new CancelledError();
      slept.push(ms);
      now += ms;
    },
  };
}
