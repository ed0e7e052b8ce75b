import { isHolderGone } from './lease';
import type { Clock } from '../clock';
import { CancelledError, pollUntil, WaitTimeoutError } from './waits';
import { fakeClock } from '../testing/fake-clock';

const policy = (clock: Clock) => ({ clock, initialMs: 250, factor: 2, maxIntervalMs: 1_000, perWaitMs: 5_000 });

describe('pollUntil', () => {
  test('backs off up to the ceiling and returns what satisfied it', async () => {
    const clock = fakeClock();
    let reads = 0;
    const value = await pollUntil(
      async () => ++reads,
      (n) => n === 5,
      { deadline: { at: 60_000, label: '--timeout 1m' }, waits: policy(clock), what: 'x' },
    );
    expect(value).toBe(5);
    expect(clock.sleeps).toEqual([250, 500, 1_000, 1_000]);
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
