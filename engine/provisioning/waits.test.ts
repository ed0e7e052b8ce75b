import { isHolderGone } from './lease';
import type { Clock } from '../clock';
import { CancelledError, defaultWaitPolicy, pollUntil, WaitTimeoutError } from './waits';
import { fakeClock } from '../testing/fake-clock';

const policy = (clock: Clock) => ({ clock, initialMs: 250, lateFraction: 0.5, maxIntervalMs: 1_000, perWaitMs: 5_000 });

/** The times (ms from the start) at which a wait under the default policy reads, for a change that takes `changeMs`. */
async function defaultPollTimes(changeMs: number): Promise<number[]> {
  const clock = fakeClock();
  const times: number[] = [];
  await pollUntil(
    async () => times.push(clock.now()),
    () => clock.now() >= changeMs,
    { deadline: { at: 600_000, label: '--timeout 10m' }, waits: { ...defaultWaitPolicy, clock }, what: 'x' },
  );
  return times;
}

describe('pollUntil', () => {
  test('polls at the floor, then at a fraction of the time waited, up to the ceiling, and returns what satisfied it', async () => {
    const clock = fakeClock();
    let reads = 0;
    const value = await pollUntil(
      async () => ++reads,
      (n) => n === 6,
      { deadline: { at: 60_000, label: '--timeout 1m' }, waits: policy(clock), what: 'x' },
    );
    expect(value).toBe(6);
    // Waited 0, 250, 500, 750 and 1125 ms: half of that, at least 250 and at most 1000.
    expect(clock.sleeps).toEqual([250, 250, 250, 375, 563]);
  });

  test('the default policy sees a 2 s change within 0.2 s: 11 reads, 200 ms apart', async () => {
    const times = await defaultPollTimes(2_000);
    expect(times).toEqual([0, 200, 400, 600, 800, 1_000, 1_200, 1_400, 1_600, 1_800, 2_000]);
  });

  test('the default policy sees a 3 s change within 0.25 s', async () => {
    const times = await defaultPollTimes(3_000);
    expect(times.slice(-3)).toEqual([2_600, 2_808, 3_033]);
  });

  test('the default policy reads a 2-minute change 67 times, never more than 5 s apart', async () => {
    const times = await defaultPollTimes(120_000);
    expect(times).toHaveLength(67);
    expect(times.slice(0, 15)).toEqual([
      0, 200, 400, 600, 800, 1_000, 1_200, 1_400, 1_600, 1_800, 2_000, 2_200, 2_400, 2_600, 2_808,
    ]);
    const gaps = times.slice(1).map((time, i) => time - times[i]!);
    expect(Math.max(...gaps)).toBe(5_000);
    expect(gaps.slice(-11)).toEqual(Array.from({ length: 11 }, () => 5_000));
    expect(times.at(-1)).toBe(120_901);
  });

  test('stops at the per-resource limit, saying what it waited for and what it last saw', async () => {
    const clock = fakeClock();
    const waiting = pollUntil(
      async () => 'Creating',
      () => false,
      {
        deadline: { at: 60_000, label: '--timeout 1m' },
        waits: policy(clock),
        what: 'endpoint ep-1 to be Active',
        describe: (status) => `status ${status}`,
      },
    );
    await expect(waiting).rejects.toThrow(
      new WaitTimeoutError('endpoint ep-1 to be Active', 'status Creating', 4_750, 'the 5s limit per resource'),
    );
    await expect(waiting).rejects.toThrow(
      'timed out after 5s (the 5s limit per resource) waiting for endpoint ep-1 to be Active; last seen: status Creating.',
    );
  });

  test('stops at the run deadline when that comes first, naming the flag', async () => {
    const clock = fakeClock();
    await expect(
      pollUntil(
        async () => 0,
        () => false,
        { deadline: { at: 1_000, label: '--timeout 1s' }, waits: policy(clock), what: 'x' },
      ),
    ).rejects.toThrow('(--timeout 1s)');
  });

  test('a cancelled run stops waiting', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      pollUntil(
        async () => 0,
        () => false,
        { deadline: { at: 60_000, label: '' }, waits: policy(fakeClock()), what: 'x', signal: controller.signal },
      ),
    ).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('isHolderGone', () => {
  test('only a holder on this machine whose process is gone', () => {
    expect(isHolderGone('kubectl-asmpvl@host-a/123', 'host-a', () => false)).toBe(true);
    expect(isHolderGone('kubectl-asmpvl@host-a/123', 'host-a', () => true)).toBe(false);
    expect(isHolderGone('kubectl-asmpvl@host-b/123', 'host-a', () => false)).toBe(false);
    expect(isHolderGone('someone-else', 'host-a', () => false)).toBe(false);
  });
});
