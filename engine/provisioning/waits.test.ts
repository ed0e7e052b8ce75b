import { isHolderGone } from './lease';
import type { Clock } from '../clock';
import { CancelledError, defaultWaitPolicy, pollUntil, WaitHeldError, type WaitHold, WaitTimeoutError } from './waits';
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

describe('pollUntil under a hold (the controller)', () => {
  const held = (
    clock: ReturnType<typeof fakeClock>,
    hold: WaitHold,
    read: () => Promise<string> = async () => 'Creating',
  ) =>
    pollUntil(read, (status) => status === 'Active', {
      deadline: { at: 60_000, label: '--reconcile-timeout 1m' },
      waits: { ...policy(clock), hold },
      what: 'endpoint ep-1 to be Active',
      describe: (status) => `status ${status}`,
    });

  test('a wait unsettled after the hold stops without sleeping past it, as held, not failed', async () => {
    const clock = fakeClock();
    const error = await held(clock, { waitMs: 1_000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitHeldError);
    expect((error as Error).message).toBe(
      'still waiting for endpoint ep-1 to be Active (last seen: status Creating); the next reconcile looks again',
    );
    // Reads at 0, 250, 500 and 750 ms; the next would come after the hold.
    expect(clock.sleeps).toEqual([250, 250, 250]);
    expect(clock.now()).toBe(750);
  });

  test('the per-resource limit counts from the first run that waited, across the runs that held the wait', async () => {
    const clock = fakeClock();
    const began = new Map<string, number>();
    const outcomes: string[] = [];
    for (let run = 0; run < 10; run++) {
      const error = await held(clock, { waitMs: 1_000, began }).catch((caught: unknown) => caught);
      outcomes.push((error as Error).name);
      if (error instanceof WaitTimeoutError) break;
    }
    // 5 s per resource at about 1 s per run: held four times, then timed out, never more.
    expect(outcomes).toEqual(['WaitHeldError', 'WaitHeldError', 'WaitHeldError', 'WaitHeldError', 'WaitTimeoutError']);
    expect(began.size).toBe(0);
  });

  test('a settled wait is forgotten: the next wait on it starts its limit afresh', async () => {
    const clock = fakeClock();
    const began = new Map<string, number>();
    await held(clock, { waitMs: 500, began }).catch(() => undefined);
    expect(began.get('endpoint ep-1 to be Active')).toBe(0);
    await held(clock, { waitMs: 10_000, began }, async () => 'Active');
    expect(began.size).toBe(0);
  });

  test('a release (the object changed) ends a wait at its next poll, even far from the hold', async () => {
    const clock = fakeClock();
    const release = new AbortController();
    let reads = 0;
    const error = await held(clock, { waitMs: 60_000, release: release.signal }, async () => {
      if (++reads === 3) release.abort();
      return 'Creating';
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WaitHeldError);
    expect(reads).toBe(3);
  });

  test('a release during a sleep wakes the wait at once (the real clock)', async () => {
    const release = new AbortController();
    const waiting = pollUntil(
      async () => 'Creating',
      () => false,
      {
        deadline: { at: Date.now() + 600_000, label: 'x' },
        waits: {
          ...defaultWaitPolicy,
          initialMs: 60_000,
          hold: { waitMs: 600_000, release: release.signal },
        },
        what: 'x',
      },
    );
    setTimeout(() => release.abort(), 10);
    await expect(waiting).rejects.toBeInstanceOf(WaitHeldError);
  });

  test('a cancelled run is cancelled, not held, when both fire', async () => {
    const cancel = new AbortController();
    const release = new AbortController();
    cancel.abort();
    release.abort();
    await expect(
      pollUntil(
        async () => 0,
        () => false,
        {
          deadline: { at: 60_000, label: '' },
          waits: { ...policy(fakeClock()), hold: { waitMs: 60_000, release: release.signal } },
          what: 'x',
          signal: cancel.signal,
        },
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
