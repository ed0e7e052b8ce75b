// Leader election between replicas, in process: a Lease store that behaves as the API server does
// (resourceVersion conflicts, 404 for a missing Lease) and jest's fake timers, so the rounds, the
// durations and the clocks are exact and no API server is needed.
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { LeaseObject } from '../engine/kube/lease-object';
import { type LeaderCallbacks, type LeaderElectionOptions, LeaderElector } from './leader';

class ApiError extends Error {
  constructor(readonly code: number) {
    super(`HTTP ${code}`);
  }
}

/** One Lease, stored as the API server stores it: a write must name the current resourceVersion. */
class LeaseStore {
  lease: LeaseObject | undefined;
  private version = 0;
  /** Identities whose calls fail as an unreachable API server's would. */
  readonly cutOff = new Set<string>();
  writes = 0;

  apiFor(identity: string): CustomObjectsApi {
    const reachable = () => {
      if (this.cutOff.has(identity)) throw new Error('connect ECONNREFUSED');
    };
    const api = {
      getNamespacedCustomObject: async () => {
        reachable();
        if (!this.lease) throw new ApiError(404);
        return structuredClone(this.lease);
      },
      createNamespacedCustomObject: async ({ body }: { body: LeaseObject }) => {
        reachable();
        if (this.lease) throw new ApiError(409);
        return this.store(body);
      },
      replaceNamespacedCustomObject: async ({ body }: { body: LeaseObject }) => {
        reachable();
        if (!this.lease) throw new ApiError(404);
        if (body.metadata.resourceVersion !== this.lease.metadata.resourceVersion) throw new ApiError(409);
        return this.store(body);
      },
    };
    return api as unknown as CustomObjectsApi;
  }

  private store(body: LeaseObject): LeaseObject {
    this.writes += 1;
    this.version += 1;
    this.lease = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(this.version) } };
    return structuredClone(this.lease);
  }
}

const OPTIONS = {
  namespace: 'asmpvl-system',
  name: 'asmpvl-controller',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

interface Replica {
  elector: LeaderElector;
  events: string[];
  errors: unknown[];
  signal?: AbortSignal;
}

function replica(store: LeaseStore, identity: string, options: Partial<LeaderElectionOptions> = {}): Replica {
  const events: string[] = [];
  const errors: unknown[] = [];
  const self: Partial<Replica> = { events, errors };
  const callbacks: LeaderCallbacks = {
    onStartedLeading: (signal) => {
      self.signal = signal;
      events.push('started');
    },
    onStoppedLeading: () => events.push('stopped'),
    onNewLeader: (leader) => events.push(`leader ${leader}`),
    onError: (error) => errors.push(error),
  };
  self.elector = new LeaderElector(store.apiFor(identity), { ...OPTIONS, identity, ...options }, callbacks);
  return self as Replica;
}

beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-12-05T12:00:00Z') }));
afterEach(() => jest.useRealTimers());

test('of two replicas started together exactly one leads, and the other knows who', async () => {
  const store = new LeaseStore();
  const [a, b] = [replica(store, 'pod-a'), replica(store, 'pod-b')];
  a.elector.start();
  b.elector.start();
  await jest.advanceTimersByTimeAsync(10_000);
  expect([a.elector.isLeader, b.elector.isLeader]).toEqual([true, false]);
  expect(b.elector.leader).toBe('pod-a');
  expect(b.events).toEqual(['leader pod-a']);
  // A lost race is nobody's error.
  expect([a.errors, b.errors]).toEqual([[], []]);
  expect(store.lease?.spec).toMatchObject({ holderIdentity: 'pod-a', leaseDurationSeconds: 15, leaseTransitions: 0 });
  await a.elector.stop();
  await b.elector.stop();
});

test('a leader that stops releases the Lease, and the other takes over on its next round, not after the duration', async () => {
  const store = new LeaseStore();
  const [a, b] = [replica(store, 'pod-a'), replica(store, 'pod-b')];
  a.elector.start();
  await jest.advanceTimersByTimeAsync(0);
  b.elector.start();
  await jest.advanceTimersByTimeAsync(100);
  await a.elector.stop();
  expect(a.events).toEqual(['leader pod-a', 'started', 'stopped']);
  expect(a.signal?.aborted).toBe(true);
  expect(store.lease?.spec.holderIdentity).toBe('');
  await jest.advanceTimersByTimeAsync(OPTIONS.retryPeriodMs);
  expect(b.elector.isLeader).toBe(true);
  expect(store.lease?.spec).toMatchObject({ holderIdentity: 'pod-b', leaseTransitions: 1 });
  await b.elector.stop();
});

test('a leader cut off from the API server stops within its renew deadline; the other waits out the duration on its own clock', async () => {
  const store = new LeaseStore();
  const [a, b] = [replica(store, 'pod-a'), replica(store, 'pod-b')];
  a.elector.start();
  await jest.advanceTimersByTimeAsync(0);
  b.elector.start();
  await jest.advanceTimersByTimeAsync(4_000);
  store.cutOff.add('pod-a');
  const cutAt = Date.now();
  await jest.advanceTimersByTimeAsync(OPTIONS.renewDeadlineMs + OPTIONS.retryPeriodMs);
  expect(a.elector.isLeader).toBe(false);
  expect(a.events.at(-1)).toBe('stopped');
  expect(a.errors.length).toBeGreaterThan(0);
  // pod-a stopped before pod-b may take over: never two leaders at once.
  expect(b.elector.isLeader).toBe(false);
  await jest.advanceTimersByTimeAsync(OPTIONS.leaseDurationMs);
  expect(b.elector.isLeader).toBe(true);
  // b saw the record last change at its last renewal, before the cut, and took over once the
  // duration had passed since then (within one retry period).
  const tookOverAfter = Date.parse(store.lease!.spec.acquireTime!) - cutAt;
  expect(tookOverAfter).toBeGreaterThanOrEqual(OPTIONS.leaseDurationMs - OPTIONS.retryPeriodMs);
  expect(tookOverAfter).toBeLessThanOrEqual(OPTIONS.leaseDurationMs + OPTIONS.retryPeriodMs);
  await a.elector.stop();
  await b.elector.stop();
});

test('a holder whose clock is hours behind keeps its Lease while it renews: liveness is the record changing', async () => {
  const store = new LeaseStore();
  const hoursBehind = () => Date.now() - 3 * 60 * 60_000;
  const [a, b] = [replica(store, 'pod-a', { now: hoursBehind }), replica(store, 'pod-b')];
  a.elector.start();
  await jest.advanceTimersByTimeAsync(0);
  b.elector.start();
  await jest.advanceTimersByTimeAsync(60_000);
  // pod-a's renewTime looks three hours old to pod-b, yet it changes every round: pod-a still leads.
  expect(a.elector.isLeader).toBe(true);
  expect(b.elector.isLeader).toBe(false);
  expect(store.lease?.spec.holderIdentity).toBe('pod-a');
  await a.elector.stop();
  await b.elector.stop();
});
