import { isHolderGone } from './lease';
import { CancelledError, Pacer, pollUntil, type WaitClock, WaitTimeoutError } from './waits';
import { fakeClock } from '../testing/fake-clock';

const policy = (clock: WaitClock) => ({ clock, initialMs: 250, factor: 2, maxIntervalMs: 1_000, perWaitMs: 5_000 });

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
    expect(clock.slept).toEqual([250, 500, 1_000, 1_000]);
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

describe('Pacer', () => {
  test('spaces calls to one action by 1/rate and leaves other actions alone', async () => {
    // Time stands still here: what matters is how long each call is told to wait for its slot.
    const waits: Array<[string, number]> = [];
    let action = '';
    const clock: WaitClock = { now: () => 0, sleep: async (ms) => void waits.push([action, ms]) };
    const pacer = new Pacer(clock, 4, 8);
    const call = (name: string) => {
      action = name;
      return pacer.run(name, async () => undefined);
    };
    await Promise.all([
      call('CreateVpcEndpoint'),
      call('CreateVpcEndpoint'),
      call('GetVpcEndpointAttribute'),
      call('CreateVpcEndpoint'),
    ]);
    expect(waits).toEqual([
      ['CreateVpcEndpoint', 250],
      ['CreateVpcEndpoint', 500],
    ]);
  });

  test("halves an action's rate when the cloud throttles it (once per second), and recovers one call a second per success", () => {
    const clock = fakeClock();
    const pacer = new Pacer(clock, 20, 8);
    pacer.throttled('GetVpcEndpointAttribute');
    // Answers to calls of the same burst: no further cut.
    pacer.throttled('GetVpcEndpointAttribute');
    pacer.throttled('GetVpcEndpointAttribute');
    expect(pacer.rateOf('GetVpcEndpointAttribute')).toBe(10);
    void clock.sleep(1_000);
    pacer.throttled('GetVpcEndpointAttribute');
    expect(pacer.rateOf('GetVpcEndpointAttribute')).toBe(5);
    expect(pacer.rateOf('CreateVpcEndpoint')).toBe(20);
    // One step up per second of successes, however many.
    for (let n = 0; n < 5; n++) pacer.succeeded('GetVpcEndpointAttribute');
    expect(pacer.rateOf('GetVpcEndpointAttribute')).toBe(5);
    for (let second = 0; second < 20; second++) {
      void clock.sleep(1_000);
      pacer.succeeded('GetVpcEndpointAttribute');
      pacer.succeeded('GetVpcEndpointAttribute');
    }
    expect(pacer.rateOf('GetVpcEndpointAttribute')).toBe(20);
  });

  test("a call still throttled after the client's retries takes a new slot, a bounded number of times", async () => {
    const clock = fakeClock();
    const pacer = new Pacer(clock, 10, 8);
    let attempts = 0;
    const throttled = Object.assign(new Error('Request was denied due to user flow control.'), {
      code: 'Throttling.User',
    });
    await expect(
      pacer.run('CreateVpcEndpoint', async () => (++attempts < 3 ? Promise.reject(throttled) : 'ep-1')),
    ).resolves.toBe('ep-1');
    expect(attempts).toBe(3);
    attempts = 0;
    await expect(
      pacer.run('CreateVpcEndpoint', async () => {
        attempts += 1;
        throw throttled;
      }),
    ).rejects.toBe(throttled);
    expect(attempts).toBe(1 + Pacer.throttledRequeues);
    const failure = Object.assign(new Error('boom'), { code: 'ServiceUnavailable' });
    attempts = 0;
    await expect(
      pacer.run('CreateVpcEndpoint', async () => {
        attempts += 1;
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(attempts).toBe(1);
  });

  test('never runs more than the bound at once', async () => {
    const pacer = new Pacer(fakeClock(), 1_000, 2);
    let running = 0;
    let most = 0;
    const work = () =>
      pacer.run(`A${Math.random()}`, async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
      });
    await Promise.all(Array.from({ length: 6 }, work));
    expect(most).toBe(2);
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
