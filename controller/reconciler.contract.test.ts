// The controller's Reconcile and the engine's reconcile entry point over an in-memory store and the
// cloud emulator (real SDKs and signing): converge, repair what was deleted behind our back (the
// emulator replays ClientTokens as the cloud does), remove a cluster, refuse a foreign manager, and
// clean up or orphan on deletion.
import { randomUUID } from 'node:crypto';
import type { RunningEmulator } from '../test/emulator';
import type { Cloud } from '../engine/cloud';
import { cloudFor, startTwoClusterEmulator } from '../engine/cloud/testkit/emulated-cloud';
import { provisioningCloud, RunReads } from '../engine/provisioning/cloud-port';
import { defaultWaitPolicy } from '../engine/provisioning/waits';
import { MemoryStore } from '../engine/testing/memory-store';
import type { ASMPvlConfig } from '../core';
import { ANNOTATION_ADOPT, FINALIZER, Reconciler, type ReconcilerOptions } from './reconciler';

const C1 = 'c84974f524e2045c87dccadff91a71708';
const MESH = 'cf9171d03515f8f0920a4425eca656495';

function spec(clusterIds: string[], deletionPolicy: 'Delete' | 'Orphan' = 'Delete'): ASMPvlConfig {
  const clusters: Record<string, Array<{ vSwitchId: string; zoneId: string }>> = {
    [C1]: [{ vSwitchId: 'vsw-bp10gkryrkhgg8t0t3q45', zoneId: 'cn-hangzhou-j' }],
  };
  return {
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'ASMPvlConfig',
    metadata: { name: 'default', annotations: { 'asmpvl.io/mesh-id': MESH } },
    spec: {
      ackVpcEndpoint: clusterIds.map((clusterId) => ({ clusterId, vSwitches: clusters[clusterId] ?? [] })),
      asmVpcEndpoint: {
        vSwitches: [
          { vSwitchId: 'vsw-bp10w1gdt1pw6srb8dy0i', zoneId: 'cn-hangzhou-j' },
          { vSwitchId: 'vsw-bp1cofkccijnjju314wym', zoneId: 'cn-hangzhou-k' },
        ],
      },
      sanSync: 'Enabled',
      deletionPolicy,
    },
  } as ASMPvlConfig;
}

let emulator: RunningEmulator;
let cloud: Cloud;

beforeEach(async () => {
  emulator = await startTwoClusterEmulator();
  cloud = cloudFor(emulator);
});

afterEach(async () => {
  await emulator.stop();
});

interface ReconcilerTestOptions {
  fullResyncMs?: number;
  now?: () => number;
  leaseRef?: string;
  readControllerLease?: ReconcilerOptions['readControllerLease'];
  waitHoldMs?: number;
}

function reconcilerFor(store: MemoryStore, options: ReconcilerTestOptions = {}): Reconciler {
  return new Reconciler({
    ...options,
    store,
    env: {},
    leaseRef: options.leaseRef ?? 'asmpvl-system/asmpvl-controller',
    progressingRequeueMs: 50,
    openRun: () => {
      const reads = new RunReads();
      const signal = new AbortController().signal;
      return {
        cloud: provisioningCloud(cloud, { reads }),
        reportCloud: provisioningCloud(cloud, { reads }),
        deadline: { at: Date.now() + 60_000, label: 'the reconcile deadline (1m)' },
        signal,
        waits: { ...defaultWaitPolicy, initialMs: 20, maxIntervalMs: 100 },
      };
    },
  });
}

/** Reconciles until the status is Available (the mesh takes a moment to report a new cluster running). */
async function converge(reconciler: Reconciler, store: MemoryStore, passes = 20): Promise<void> {
  for (let pass = 0; pass < passes; pass++) {
    const result = await reconciler.reconcile();
    if (result.result === 'failed') throw new Error(result.error);
    if ((await store.getConfig())?.status?.status === 'Available') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not Available: ${JSON.stringify((await store.getConfig())?.status?.conditions)}`);
}

const live = <T extends { tags: Array<{ key: string; value: string }> }>(items: T[], status: (item: T) => string) =>
  items.filter((item) => status(item) !== 'Deleting');
const tagOf = (item: { tags: Array<{ key: string; value: string }> }, key: string) =>
  item.tags.find((tag) => tag.key === key)?.value;

test('apply alone converges: finalizer, both links Available, mesh joined, SAN appended, one Provisioned event', async () => {
  const store = new MemoryStore(spec([C1]));
  await converge(reconcilerFor(store), store);
  const stored = (await store.getConfig())!;
  expect(stored.metadata.finalizers).toEqual([FINALIZER]);
  expect(stored.metadata.annotations?.['asmpvl.io/controller']).toBe('asmpvl-system/asmpvl-controller');
  expect(stored.status?.observedGeneration).toBe(stored.metadata.generation);
  const state = emulator.state();
  expect(live(state.endpointServices, (service) => service.serviceStatus)).toHaveLength(2);
  expect(live(state.endpoints, (endpoint) => endpoint.endpointStatus)).toHaveLength(2);
  expect(store.events.map((event) => `${event.type}/${event.reason}`)).toEqual(['Normal/Provisioned']);
  expect(store.events[0]!.message).toMatch(/^\d+ change\(s\): .*add cluster .* to service mesh/);
  // Neutral words: the controller never tells anyone to pass a flag.
  expect(JSON.stringify(stored.status)).not.toMatch(/--timeout|kubectl asmpvl/);
});

test.each([
  ['endpoint', 'pilot'],
  ['endpoint', 'apiserver'],
  ['endpoint service', 'apiserver'],
])('a deleted %s (%s link) is recreated with a new ClientToken, not the replayed answer', async (kind, link) => {
  const store = new MemoryStore(spec([C1]));
  const reconciler = reconcilerFor(store);
  await converge(reconciler, store);
  const before = emulator.state();
  const endpoint = before.endpoints.find((candidate) => tagOf(candidate, 'asmpvl.io/link') === link)!;
  const service = before.endpointServices.find((candidate) => tagOf(candidate, 'asmpvl.io/link') === link)!;
  await cloud.privateLink.endpoints.deleteVpcEndpoint(endpoint.endpointId, { clientToken: randomUUID() });
  if (kind === 'endpoint service') {
    await waitUntil(() => !emulator.state().endpoints.some((e) => e.endpointId === endpoint.endpointId));
    for (const resource of service.resources) {
      await cloud.privateLink.services.detachResourceFromVpcEndpointService({
        serviceId: service.serviceId,
        ...resource,
      });
    }
    await cloud.privateLink.services.deleteVpcEndpointService(service.serviceId, { clientToken: randomUUID() });
  }
  const gone = kind === 'endpoint' ? endpoint.endpointId : service.serviceId;
  await waitUntil(
    () =>
      !emulator.state().endpoints.some((e) => e.endpointId === gone) &&
      !emulator.state().endpointServices.some((s) => s.serviceId === gone),
  );
  await converge(reconciler, store);
  const after = emulator.state();
  const again =
    kind === 'endpoint'
      ? after.endpoints.filter((candidate) => tagOf(candidate, 'asmpvl.io/link') === link)
      : after.endpointServices.filter((candidate) => tagOf(candidate, 'asmpvl.io/link') === link);
  expect(again).toHaveLength(1);
  expect(JSON.stringify(again[0])).not.toContain(gone);
  const repaired = store.events.filter((event) => event.reason === 'Repaired');
  expect(repaired).toHaveLength(1);
  expect(repaired[0]!.message).toMatch(kind === 'endpoint' ? /create the .* endpoint/i : /create the .* service/i);
});

test('a converged resync costs three list calls whatever the cluster count; a full pass comes once fullResyncMs passed', async () => {
  let now = 1_000_000;
  const store = new MemoryStore(spec([C1]));
  const reconciler = reconcilerFor(store, { fullResyncMs: 60_000, now: () => now });
  await converge(reconciler, store);
  const writes = store.statusWrites;
  let since = emulator.requests().length;
  expect(await reconciler.reconcile()).toEqual({ result: 'converged' });
  expect(
    emulator
      .requests()
      .slice(since)
      .map((entry) => entry.action)
      .sort(),
  ).toEqual(['DescribeClustersInServiceMesh', 'ListVpcEndpointServices', 'ListVpcEndpoints']);
  expect(store.statusWrites).toBe(writes);
  now += 60_000;
  since = emulator.requests().length;
  expect(await reconciler.reconcile()).toEqual({ result: 'converged' });
  expect(emulator.requests().length - since).toBeGreaterThan(3);
});

test('removing a cluster from the spec removes its links and keeps the SANs', async () => {
  const store = new MemoryStore(spec([C1]));
  const reconciler = reconcilerFor(store);
  await converge(reconciler, store);
  const sansBefore = (await cloud.ack.describeClusterDetail(C1)).apiServerCertSans;
  await store.updateSpec((current) => ({ ...current!, spec: { ...current!.spec, ackVpcEndpoint: [] } }));
  await reconciler.reconcile();
  await waitUntil(() => live(emulator.state().endpoints, (endpoint) => endpoint.endpointStatus).length === 0);
  expect(live(emulator.state().endpointServices, (service) => service.serviceStatus)).toHaveLength(0);
  expect((await cloud.ack.describeClusterDetail(C1)).apiServerCertSans).toEqual(sansBefore);
});

test('deletion under Delete removes every tagged resource, then the finalizer, then the object', async () => {
  const store = new MemoryStore(spec([C1]));
  const reconciler = reconcilerFor(store);
  await converge(reconciler, store);
  store.markDeleted();
  expect(await reconciler.reconcile()).toEqual({ result: 'deleted' });
  expect(await store.getConfig()).toBeUndefined();
  expect(live(emulator.state().endpoints, (endpoint) => endpoint.endpointStatus)).toHaveLength(0);
  expect(live(emulator.state().endpointServices, (service) => service.serviceStatus)).toHaveLength(0);
  expect(store.events.at(-1)?.reason).toBe('CleanedUp');
});

test('deletion under Orphan keeps the cloud resources and lets the object go', async () => {
  const store = new MemoryStore(spec([C1], 'Orphan'));
  const reconciler = reconcilerFor(store);
  await converge(reconciler, store);
  store.markDeleted();
  expect(await reconciler.reconcile()).toEqual({ result: 'deleted' });
  expect(await store.getConfig()).toBeUndefined();
  expect(live(emulator.state().endpoints, (endpoint) => endpoint.endpointStatus)).toHaveLength(2);
  expect(store.events.at(-1)?.reason).toBe('Orphaned');
});

test('a cloud that cannot be reached keeps the finalizer and says why', async () => {
  const store = new MemoryStore(spec([C1]));
  const reconciler = reconcilerFor(store);
  await converge(reconciler, store);
  store.markDeleted();
  await emulator.stop();
  const result = await reconciler.reconcile();
  expect(result.result).toBe('failed');
  const stored = (await store.getConfig())!;
  expect(stored.metadata.finalizers).toEqual([FINALIZER]);
  expect(store.events.at(-1)).toMatchObject({ type: 'Warning', reason: 'CleanupFailed' });
  emulator = await startTwoClusterEmulator();
});

test('a mesh the cloud does not have: Ready False and Stalled for this spec, status Failed, a Warning; the right mesh clears it', async () => {
  const unknownMesh = { name: 'default', annotations: { 'asmpvl.io/mesh-id': 'c0123456789abcdef0123456789abcdef' } };
  const store = new MemoryStore({ ...spec([C1]), metadata: unknownMesh });
  const reconciler = reconcilerFor(store);
  expect((await reconciler.reconcile()).result).toBe('failed');
  const stored = (await store.getConfig())!;
  expect(stored.status?.conditions?.map(({ type, status, reason }) => [type, status, reason])).toEqual([
    ['Ready', 'False', 'ReconcileFailed'],
    ['Stalled', 'True', 'ReconcileFailed'],
  ]);
  expect(stored.status?.conditions?.[1]?.message).toContain('ServiceMesh.NotFound');
  // kstatus reads Stalled only once status.observedGeneration is the spec's generation.
  expect(stored.status).toMatchObject({ status: 'Failed', observedGeneration: stored.metadata.generation });
  expect(store.events.map(({ type, reason }) => [type, reason])).toEqual([['Warning', 'ReconcileFailed']]);
  await store.updateSpec((current) => ({
    ...current!,
    metadata: { ...current!.metadata, annotations: { ...current!.metadata.annotations, 'asmpvl.io/mesh-id': MESH } },
  }));
  await converge(reconciler, store);
  const types = (await store.getConfig())!.status?.conditions?.map((condition) => condition.type);
  expect(types).toContain('Ready');
  expect(types).not.toContain('Stalled');
  expect(types).not.toContain('Reconciling');
});

test('a status written by an unknown manager: refuses, one Warning, a Controller condition; adopts when annotated', async () => {
  const store = new MemoryStore(spec([C1]));
  const object = (await store.getConfig())!;
  object.metadata.managedFields = [
    { manager: 'asm-pvl-managed-controller', operation: 'Update', subresource: 'status', time: '2026-11-01T00:00:00Z' },
  ];
  const foreign = new MemoryStore({ ...object });
  await foreign.updateMetadata((metadata) => ({ ...metadata, managedFields: object.metadata.managedFields }));
  const reconciler = reconcilerFor(foreign);
  expect((await reconciler.reconcile()).result).toBe('refused');
  expect((await reconciler.reconcile()).result).toBe('refused');
  expect(foreign.events.map((event) => event.reason)).toEqual(['ForeignManager']);
  expect(foreign.events[0]!.message).toContain('asm-pvl-managed-controller');
  const condition = (await foreign.getConfig())!.status?.conditions?.find((c) => c.type === 'Controller');
  expect(condition).toMatchObject({ status: 'False', reason: 'ForeignManager' });
  expect(emulator.requests().filter((entry) => entry.mutating)).toEqual([]);
  await foreign.updateMetadata((metadata) => ({
    ...metadata,
    annotations: { ...metadata.annotations, [ANNOTATION_ADOPT]: 'true' },
  }));
  await converge(reconciler, foreign);
});

test('a refused finalizer removal says who refused in a Warning, keeps the object, and succeeds once allowed', async () => {
  const store = new MemoryStore(spec([C1]));
  const reconciler = reconcilerFor(store);
  await converge(reconciler, store);
  store.markDeleted();
  const denial =
    'admission webhook "validate.asmpvlconfigs.istio.alibabacloud.com" denied the request: ASMPvlConfig "default" is invalid';
  const allow = store.updateMetadata.bind(store);
  store.updateMetadata = async () => {
    throw new Error(denial);
  };
  expect((await reconciler.reconcile()).result).toBe('failed');
  const warning = store.events.at(-1)!;
  expect(warning).toMatchObject({ type: 'Warning', reason: 'FinalizerRemovalRefused' });
  expect(warning.message).toContain(denial);
  expect((await store.getConfig())!.metadata.finalizers).toEqual([FINALIZER]);
  store.updateMetadata = allow;
  expect(await reconciler.reconcile()).toEqual({ result: 'deleted' });
  expect(await store.getConfig()).toBeUndefined();
});

describe('the controller never holds its worker in a wait', () => {
  // A hold of 1 ms: every wait reads once and the pass ends, so each pass moves each chain one step.
  const impatient = (store: MemoryStore) => reconcilerFor(store, { waitHoldMs: 1 });

  test('a pass whose waits outlast the hold requeues soon, says Provisioning (Reconciling) without a failure, and the passes converge', async () => {
    const store = new MemoryStore(spec([C1]));
    const reconciler = impatient(store);
    const first = await reconciler.reconcile();
    expect(first).toEqual({ result: 'progressing', requeueAfterMs: 1_000 });
    const status = (await store.getConfig())!.status!;
    expect(status.status).toBe('Provisioning');
    const condition = (type: string) => status.conditions?.find((candidate) => candidate.type === type);
    expect(condition('Ready')?.status).toBe('False');
    expect(condition('Reconciling')?.status).toBe('True');
    expect(condition('Stalled')?.status).not.toBe('True');
    expect(JSON.stringify(status)).not.toMatch(/failed|timed out/);
    await converge(reconciler, store, 60);
    const state = emulator.state();
    expect(live(state.endpointServices, (service) => service.serviceStatus)).toHaveLength(2);
    expect(live(state.endpoints, (endpoint) => endpoint.endpointStatus)).toHaveLength(2);
    // Every change is told once, in the pass that made it, however many passes the waits took.
    const changes = store.events
      .filter((event) => event.reason === 'Provisioned')
      .flatMap((event) => event.message.replace(/^\d+ change\(s\): /, '').split('; '));
    expect(changes.length).toBeGreaterThan(4);
    expect(new Set(changes).size).toBe(changes.length);
    expect(store.events.filter((event) => event.type === 'Warning')).toEqual([]);
    expect(changes.filter((change) => change.startsWith('append ')).length).toBe(1);
  });

  test('a released pass (the object changed) starts no step and requeues; the passes converge, and deletion cleans up through held passes', async () => {
    const store = new MemoryStore(spec([C1]));
    const released = new AbortController();
    released.abort();
    const reconciler = reconcilerFor(store, { waitHoldMs: 1 });
    expect(await reconciler.reconcile(released.signal)).toEqual({ result: 'progressing', requeueAfterMs: 1_000 });
    // Released before any step started: none did; the next passes take them up.
    expect(emulator.state().endpoints).toEqual([]);
    await converge(reconciler, store, 60);
    store.markDeleted();
    const results: string[] = [];
    for (let pass = 0; pass < 60 && results.at(-1) !== 'deleted'; pass++)
      results.push((await reconciler.reconcile()).result);
    expect(results.at(-1)).toBe('deleted');
    expect(results.slice(0, -1).every((result) => result === 'progressing')).toBe(true);
    expect(await store.getConfig()).toBeUndefined();
    expect(live(emulator.state().endpoints, (endpoint) => endpoint.endpointStatus)).toHaveLength(0);
    expect(live(emulator.state().endpointServices, (service) => service.serviceStatus)).toHaveLength(0);
    expect(store.events.filter((event) => event.type === 'Warning')).toEqual([]);
  });
});

describe('a second asmpvl-controller (another install, another Lease) on the same object', () => {
  const FIRST = 'asmpvl-system/asmpvl-controller';
  const SECOND = 'team-b/asmpvl-controller';
  let now = 1_000_000;
  let renewals = 0;
  let leaseExists = true;
  // The first install's Lease as the second would read it: renewed on every read while "alive".
  const firstLease: ReconcilerOptions['readControllerLease'] = async () =>
    leaseExists
      ? {
          lease: FIRST,
          spec: { holderIdentity: 'first-pod', leaseDurationSeconds: 15, renewTime: `renewal-${renewals}` },
        }
      : undefined;

  beforeEach(() => {
    now = 1_000_000;
    renewals = 0;
    leaseExists = true;
  });

  test("refuses while the first one's Lease is renewed: no cloud call, no metadata write, one Warning", async () => {
    const store = new MemoryStore(spec([C1]));
    await converge(reconcilerFor(store, { leaseRef: FIRST }), store);
    const version = (await store.getConfig())!.metadata.resourceVersion;
    const since = emulator.requests().length;
    const second = reconcilerFor(store, { leaseRef: SECOND, now: () => now, readControllerLease: firstLease });
    for (let pass = 0; pass < 5; pass++) {
      renewals += 1;
      now += 5_000;
      const result = await second.reconcile();
      expect(result).toMatchObject({ result: 'refused', requeueAfterMs: 15_000 });
    }
    expect(emulator.requests().length).toBe(since);
    const stored = (await store.getConfig())!;
    expect(stored.metadata.annotations?.['asmpvl.io/controller']).toBe(FIRST);
    // One status write for the condition, then nothing: the object's versions stay bounded.
    expect(Number(stored.metadata.resourceVersion) - Number(version)).toBe(1);
    const warnings = store.events.filter((event) => event.reason === 'AnotherController');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain(`Lease ${FIRST}`);
    expect(stored.status?.conditions?.find((condition) => condition.type === 'Controller')).toMatchObject({
      status: 'False',
      reason: 'AnotherController',
    });
  });

  test('does not clean up on deletion while the first one is alive, and does once its Lease expired', async () => {
    const store = new MemoryStore(spec([C1]));
    await converge(reconcilerFor(store, { leaseRef: FIRST }), store);
    store.markDeleted();
    const since = emulator.requests().length;
    const second = reconcilerFor(store, { leaseRef: SECOND, now: () => now, readControllerLease: firstLease });
    expect((await second.reconcile()).result).toBe('refused');
    expect(emulator.requests().length).toBe(since);
    // Not renewed for longer than its duration: the first install is gone.
    now += 16_000;
    expect(await second.reconcile()).toEqual({ result: 'deleted' });
    expect(await store.getConfig()).toBeUndefined();
    expect(live(emulator.state().endpoints, (endpoint) => endpoint.endpointStatus)).toHaveLength(0);
  });

  test('takes over a claim whose Lease no longer exists', async () => {
    const store = new MemoryStore(spec([C1]));
    await converge(reconcilerFor(store, { leaseRef: FIRST }), store);
    leaseExists = false;
    const second = reconcilerFor(store, { leaseRef: SECOND, now: () => now, readControllerLease: firstLease });
    await converge(second, store);
    expect((await store.getConfig())!.metadata.annotations?.['asmpvl.io/controller']).toBe(SECOND);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
