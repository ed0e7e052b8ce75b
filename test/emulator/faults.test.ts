import { FaultInjector } from './faults';
import { RateLimiter } from './rate-limits';

describe('FaultInjector', () => {
  it('injects nothing by default', () => {
    const faults = new FaultInjector();
    expect([
      faults.decide('CreateVpcEndpoint'),
      faults.latencyFor('CreateVpcEndpoint'),
      faults.takeDropResponse('CreateVpcEndpoint'),
    ]).toEqual([{ kind: 'none' }, 0, false]);
  });

  it('hangs before throttling before server errors, and only for the actions named', () => {
    const faults = new FaultInjector({
      hangRate: 1,
      throttleRate: 1,
      serverErrorRate: 1,
      actions: ['CreateVpcEndpoint'],
    });
    expect(faults.decide('CreateVpcEndpoint')).toEqual({ kind: 'hang' });
    expect(faults.decide('ListVpcEndpoints')).toEqual({ kind: 'none' });
    faults.set({ throttleRate: 1, serverErrorRate: 1 });
    expect(faults.decide('ListVpcEndpoints')).toMatchObject({
      kind: 'error',
      fault: 'throttle',
      error: { code: 'Throttling.User', status: 400 },
    });
    faults.set({ serverErrorRate: 1, serverErrorCode: 'InternalError' });
    expect(faults.decide('ListVpcEndpoints')).toMatchObject({
      kind: 'error',
      fault: 'server-error',
      error: { code: 'InternalError', status: 500 },
    });
  });

  it('drops each armed response once', () => {
    const faults = new FaultInjector({ dropResponseOnce: ['CreateVpcEndpoint', 'CreateVpcEndpoint'] });
    expect([
      faults.takeDropResponse('CreateVpcEndpoint'),
      faults.takeDropResponse('CreateVpcEndpoint'),
      faults.takeDropResponse('CreateVpcEndpoint'),
    ]).toEqual([true, true, false]);
  });

  it('samples a rate close to what was asked, reproducibly', () => {
    const sample = () => {
      const faults = new FaultInjector({ throttleRate: 0.3, seed: 9 });
      return Array.from({ length: 2000 }, () => faults.decide('DescribeZones').kind);
    };
    const outcomes = sample();
    const share = outcomes.filter((kind) => kind === 'error').length / outcomes.length;
    expect(share).toBeGreaterThan(0.27);
    expect(share).toBeLessThan(0.33);
    expect(sample()).toEqual(outcomes);
  });

  it('refuses rates outside 0–1', () => {
    expect(() => new FaultInjector({ hangRate: -0.1 })).toThrow('faults.hangRate must be between 0 and 1');
  });
});

describe('RateLimiter', () => {
  it('admits up to the limit per second per action, the `*` limit for the others', () => {
    const limiter = new RateLimiter({ CreateVpcEndpoint: 2, '*': 1 });
    expect([0, 100, 200].map((time) => limiter.admit('CreateVpcEndpoint', time))).toEqual([true, true, false]);
    expect(limiter.admit('CreateVpcEndpoint', 1001)).toBe(true);
    expect([
      limiter.admit('ListVpcEndpoints', 0),
      limiter.admit('ListVpcEndpoints', 10),
      limiter.admit('DescribeZones', 10),
    ]).toEqual([true, false, true]);
  });
});
