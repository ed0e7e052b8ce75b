import type { Clock } from '../clock';
import { currentCallPriority, type PaceTurn, Pacer, pacingCeiling, withCallPriority } from './pacing';

/** Virtual time: sleeps resolve only when the test advances the clock past their end. */
function manualClock(): Clock & { advance(ms: number): Promise<void> } {
  let now = 0;
  const timers: Array<{ at: number; resolve(): void }> = [];
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const timer = { at: now + ms, resolve };
        timers.push(timer);
        signal?.addEventListener('abort', () => {
          timers.splice(timers.indexOf(timer), 1);
          reject(new Error('aborted'));
        });
      }),
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await settle();
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > end) break;
        timers.shift();
        now = next.at;
        next.resolve();
      }
      now = end;
      await settle();
    },
  };
}

/** Asks for `count` turns of `action`, recording each grant's time; each call is answered at once. */
function ask(pacer: Pacer, clock: Clock, action: string, count: number, granted: number[]) {
  return Array.from({ length: count }, () =>
    pacer.turn(action).then((turn) => {
      granted.push(clock.now());
      turn.finish('ok');
    }),
  );
}

describe('Pacer', () => {
  test('sends at most the limit per window for one action, and leaves other actions alone', async () => {
    const clock = manualClock();
    const pacer = new Pacer({ ceiling: 5, maxInFlight: 100, windowMs: 1_000, clock });
    const granted: number[] = [];
    const turns = ask(pacer, clock, 'CreateVpcEndpoint', 12, granted);
    const other: number[] = [];
    const others = ask(pacer, clock, 'ListVpcEndpoints', 3, other);
    await clock.advance(0);
    expect(granted).toEqual([0, 0, 0, 0, 0]);
    expect(other).toEqual([0, 0, 0]);
    await clock.advance(999);
    expect(granted).toHaveLength(5);
    await clock.advance(1);
    expect(granted).toHaveLength(10);
    await clock.advance(1_000);
    expect(granted).toEqual([0, 0, 0, 0, 0, 1_000, 1_000, 1_000, 1_000, 1_000, 2_000, 2_000]);
    await Promise.all([...turns, ...others]);
  });

  test('a call counts from its answer: one on the wire holds its place until it is answered', async () => {
    const clock = manualClock();
    const pacer = new Pacer({ ceiling: 1, maxInFlight: 10, windowMs: 1_000, clock });
    const slow = await pacer.turn('ModifyCluster');
    let granted = -1;
    const next = pacer.turn('ModifyCluster').then((turn) => {
      granted = clock.now();
      turn.finish('ok');
    });
    await clock.advance(1_500);
    expect(granted).toBe(-1);
    slow.finish('ok');
    await clock.advance(999);
    expect(granted).toBe(-1);
    await clock.advance(1);
    expect(granted).toBe(2_500);
    await next;
  });

  test.each([
    [10, 3, 30],
    [20, 10, 100],
  ])(
    "learns the cloud's limit from its refusals, once per burst (ceiling %i, cloud %i, %i calls)",
    async (ceiling, cloudLimit, count) => {
      const clock = manualClock();
      const pacer = new Pacer({ ceiling, maxInFlight: 8, windowMs: 1_000, clock });
      // A cloud that admits `cloudLimit` calls a second and refuses the rest.
      const admittedAt: number[] = [];
      const cloud = (): 'ok' | 'throttled' => {
        const recent = admittedAt.filter((time) => time > clock.now() - 1_000);
        if (recent.length >= cloudLimit) return 'throttled';
        admittedAt.push(clock.now());
        return 'ok';
      };
      let refusals = 0;
      let done = 0;
      const call = async () => {
        for (let retry = false; ; retry = true) {
          const turn: PaceTurn = await pacer.turn('AddClusterIntoServiceMesh', { retry });
          // The call reaches the cloud when sent; its answer comes back a turn of the event loop later.
          const outcome = cloud();
          await new Promise((resolve) => setImmediate(resolve));
          turn.finish(outcome);
          if (outcome === 'ok') return void (done += 1);
          refusals += 1;
        }
      };
      const calls = Array.from({ length: count }, call);
      for (let step = 0; step < 600 && done < count; step++) await clock.advance(100);
      await Promise.all(calls);
      expect(done).toBe(count);
      expect(pacer.limitOf('AddClusterIntoServiceMesh')).toBe(cloudLimit);
      // At most the first window's excess: a refusal does not free a place for another call to be
      // refused, and the calls still waiting for a place in flight go out under the learned limit.
      expect(refusals).toBeGreaterThan(0);
      expect(refusals).toBeLessThanOrEqual(ceiling - cloudLimit);
      expect(pacer.throttledAnswers).toBe(refusals);
      // At the limit: the last call goes out in the window the rate allows.
      expect(Math.max(...admittedAt)).toBeLessThanOrEqual((Math.ceil(count / cloudLimit) - 1) * 1_000 + 100);
    },
  );

  test('a refused call goes before the calls not sent yet', async () => {
    const clock = manualClock();
    const pacer = new Pacer({ ceiling: 2, maxInFlight: 100, windowMs: 1_000, clock });
    const order: string[] = [];
    const first = await pacer.turn('ModifyCluster');
    const second = await pacer.turn('ModifyCluster');
    const answer = (name: string) => (turn: PaceTurn) => {
      order.push(name);
      turn.finish('ok');
    };
    const waiting = pacer.turn('ModifyCluster').then(answer('new'));
    second.finish('ok');
    first.finish('throttled');
    const retried = pacer.turn('ModifyCluster', { retry: true }).then(answer('retry'));
    await clock.advance(1_000);
    await clock.advance(1_000);
    expect(order).toEqual(['retry', 'new']);
    await Promise.all([retried, waiting]);
  });

  test('a higher priority goes first among calls not sent yet, in the order asked; refused calls before both', async () => {
    const clock = manualClock();
    const pacer = new Pacer({ ceiling: 1, maxInFlight: 100, windowMs: 1_000, clock });
    const order: string[] = [];
    const first = await pacer.turn('CreateVpcEndpoint');
    const ask = (name: string, options: { priority?: number; retry?: boolean }) =>
      pacer.turn('CreateVpcEndpoint', options).then((turn) => {
        order.push(name);
        turn.finish('ok');
      });
    const waiting = [
      ask('pilot-1', {}),
      ask('apiserver-1', { priority: 1 }),
      ask('pilot-2', {}),
      ask('apiserver-2', { priority: 1 }),
      ask('refused', { retry: true }),
    ];
    first.finish('ok');
    for (let second = 0; second < 6; second++) await clock.advance(1_000);
    await Promise.all(waiting);
    expect(order).toEqual(['refused', 'apiserver-1', 'apiserver-2', 'pilot-1', 'pilot-2']);
  });

  test('withCallPriority sets the priority of the calls made inside it, however deep', async () => {
    expect(currentCallPriority()).toBe(0);
    const seen = await withCallPriority(1, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return currentCallPriority();
    });
    expect(seen).toBe(1);
    expect(currentCallPriority()).toBe(0);
  });

  test('tries one more per window after probeMs of calls waiting without a refusal, up to the ceiling', async () => {
    const clock = manualClock();
    const pacer = new Pacer({ ceiling: 4, maxInFlight: 100, windowMs: 1_000, probeMs: 3_000, clock });
    const [a, b, c, d] = await Promise.all([0, 1, 2, 3].map(() => pacer.turn('CreateVpcEndpointService')));
    d!.finish('throttled');
    expect(pacer.limitOf('CreateVpcEndpointService')).toBe(3);
    for (const turn of [a, b, c]) turn!.finish('ok');
    let granted = 0;
    const more = Array.from({ length: 40 }, () =>
      pacer.turn('CreateVpcEndpointService').then((turn) => {
        granted += 1;
        turn.finish('ok');
      }),
    );
    await clock.advance(2_500);
    expect(pacer.limitOf('CreateVpcEndpointService')).toBe(3);
    await clock.advance(1_000);
    expect(pacer.limitOf('CreateVpcEndpointService')).toBe(4);
    await clock.advance(20_000);
    await Promise.all(more);
    expect(granted).toBe(40);
    expect(pacer.limitOf('CreateVpcEndpointService')).toBe(4);
  });

  test('never has more than maxInFlight attempts on the wire, and a turn is freed by its answer', async () => {
    const clock = manualClock();
    const pacer = new Pacer({ ceiling: 100, maxInFlight: 2, clock });
    const granted: PaceTurn[] = [];
    const turns = ['A', 'B', 'C', 'D'].map((action) => pacer.turn(action).then((turn) => void granted.push(turn)));
    await clock.advance(0);
    expect(granted).toHaveLength(2);
    granted[0]!.finish('failed');
    granted[0]!.finish('failed');
    await clock.advance(0);
    expect(granted).toHaveLength(3);
    granted[1]!.finish('ok');
    await Promise.all(turns);
    expect(granted).toHaveLength(4);
  });

  test('an aborted wait leaves the line and rejects with the reason', async () => {
    const clock = manualClock();
    const pacer = new Pacer({ ceiling: 1, maxInFlight: 10, clock });
    const first = await pacer.turn('DeleteVpcEndpoint');
    const controller = new AbortController();
    const waiting = pacer.turn('DeleteVpcEndpoint', { signal: controller.signal });
    controller.abort(new Error('Ctrl-C'));
    await expect(waiting).rejects.toThrow('Ctrl-C');
    await expect(pacer.turn('DeleteVpcEndpoint', { signal: controller.signal })).rejects.toThrow('Ctrl-C');
    first.finish('ok');
    const next = pacer.turn('DeleteVpcEndpoint');
    await clock.advance(2_000);
    (await next).finish('ok');
  });

  test('the ceiling comes from ASMPVL_CLOUD_RATE, 20 when unset or not a positive number', () => {
    expect(pacingCeiling({})).toBe(20);
    expect(pacingCeiling({ ASMPVL_CLOUD_RATE: '7' })).toBe(7);
    expect(pacingCeiling({ ASMPVL_CLOUD_RATE: '0' })).toBe(20);
    expect(pacingCeiling({ ASMPVL_CLOUD_RATE: 'fast' })).toBe(20);
    expect(() => new Pacer({ ceiling: 0, maxInFlight: 1 })).toThrow('at least 1');
  });
});
