// The pipeline's phases over an in-memory store and the cloud emulator (real SDKs and signing):
// observe reads, plan is pure, act changes the cloud, report writes the status; reconcile runs them
// in that order and a second run over a converged cloud plans nothing.
import type { ASMPvlConfig } from '../../../core';
import type { RunningEmulator } from '../../../test/emulator';
import type { Cloud } from '../../cloud';
import { cloudFor, eventually, startTwoClusterEmulator } from '../../cloud/testkit/emulated-cloud';
import { MemoryStore } from '../../testing/memory-store';
import { CONTROLLER_ADVICE } from '../advice';
import { type ProvisioningCloud, provisioningCloud, RunReads } from '../cloud-port';
import { ProvisioningInputError } from '../errors';
import { defaultWaitPolicy } from '../waits';
import { dryRun, reconcile, refresh, sanSync } from './index';
import type { ReconcileContext } from './context';
import { membershipSettled, observeMembership } from './mesh-membership';
import { observe } from './observe';
import { plan } from './plan';

const C1 = 'c84974f524e2045c87dccadff91a71708';
const C2 = 'cab1659d273777fbbeb08d1f747ad55b7';
const MESH = 'cf9171d03515f8f0920a4425eca656495';
const SILENT = { start() {}, succeed() {}, fail() {}, info() {} };

function spec(clusterIds: string[]): ASMPvlConfig {
  const vSwitches: Record<string, Array<{ vSwitchId: string; zoneId: string }>> = {
    [C1]: [{ vSwitchId: 'vsw-bp10gkryrkhgg8t0t3q45', zoneId: 'cn-hangzhou-j' }],
    [C2]: [{ vSwitchId: 'vsw-bp1ta6xjvp98ptjwml7er', zoneId: 'cn-hangzhou-k' }],
  };
  return {
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'ASMPvlConfig',
    metadata: { name: 'default', annotations: { 'asmpvl.io/mesh-id': MESH } },
    spec: {
      ackVpcEndpoint: clusterIds.map((clusterId) => ({ clusterId, vSwitches: vSwitches[clusterId]! })),
      asmVpcEndpoint: {
        vSwitches: [
          { vSwitchId: 'vsw-bp10w1gdt1pw6srb8dy0i', zoneId: 'cn-hangzhou-j' },
          { vSwitchId: 'vsw-bp1cofkccijnjju314wym', zoneId: 'cn-hangzhou-k' },
        ],
      },
      sanSync: 'Enabled',
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

function contextFor(store: MemoryStore): ReconcileContext {
  const reads = new RunReads();
  return {
    store,
    cloud: provisioningCloud(cloud, { reads }),
    reportCloud: provisioningCloud(cloud, { reads }),
    deadline: { at: Date.now() + 60_000, label: 'the test deadline (1m)' },
    signal: new AbortController().signal,
    progress: SILENT,
    advice: CONTROLLER_ADVICE,
    waits: { ...defaultWaitPolicy, initialMs: 20, maxIntervalMs: 100 },
  };
}

const OPTIONS = { meshId: MESH, wait: true, addToMesh: true, awaitMesh: true };

test('observe reads the clusters and finds nothing of ours; plan (pure) creates both links of the cluster in scope', async () => {
  const target = spec([C1]);
  const observation = await observe(provisioningCloud(cloud), target, 'all', { meshId: MESH });
  expect(observation.failures).toEqual([]);
  expect(observation.unreadable).toEqual([]);
  expect(Object.keys(observation.facts)).toEqual([C1]);
  expect(observation.inventory.services).toEqual([]);
  expect(observation.inventory.endpoints).toEqual([]);
  const requestsBefore = emulator.requests().length;
  const planned = plan(observation, target, 'all', MESH);
  expect(emulator.requests()).toHaveLength(requestsBefore);
  const creates = planned.plan.actions.filter((action) => action.kind.startsWith('create')).map((a) => a.kind);
  expect(creates.sort()).toEqual(['createEndpoint', 'createEndpoint', 'createService', 'createService']);
  expect(planned.plan.actions.every((action) => action.clusterId === undefined || action.clusterId === C1)).toBe(true);
});

test('reconcile runs the phases to Available in one pass; a second pass plans nothing and changes nothing', async () => {
  const store = new MemoryStore(spec([C1]));
  const first = await reconcile(contextFor(store), (await store.getConfig())!, 'all', OPTIONS);
  expect(first.failures).toEqual([]);
  expect(first.status.status).toBe('Available');
  expect(first.changed).toBe(true);
  expect(first.changes[0]).toBe(`add cluster ${C1} to service mesh ${MESH} (ASM AddClusterIntoServiceMesh)`);
  expect(first.changes.at(-1)).toMatch(new RegExp(`^append .* to the API server certificate SANs of ${C1}$`));
  expect(first.meshVerdicts?.map((verdict) => [verdict.clusterId, verdict.phase])).toEqual([[C1, 'running']]);
  expect((await store.getConfig())?.status?.status).toBe('Available');
  const second = await reconcile(contextFor(store), (await store.getConfig())!, 'all', OPTIONS);
  expect(second.plan.actions).toEqual([]);
  expect(second.changed).toBe(false);
  expect(second.changes).toEqual([]);
  expect(second.status.status).toBe('Available');
});

test('a cluster the mesh lacks stops the run before anything changes when adding is not allowed', async () => {
  const store = new MemoryStore(spec([C2]));
  const run = reconcile(contextFor(store), (await store.getConfig())!, 'all', { ...OPTIONS, addToMesh: false });
  await expect(run).rejects.toThrow(ProvisioningInputError);
  await expect(run).rejects.toThrow(`cluster ${C2} is not in service mesh ${MESH}, and --no-add-to-mesh was given`);
  expect(emulator.state().endpointServices).toEqual([]);
  // The run that stopped says so in the status.
  const ready = (await store.getConfig())?.status?.conditions?.find((condition) => condition.type === 'Ready');
  expect(ready?.status).toBe('False');
});

test('membership: observe names the clusters to add; settled means running, unlisted or stuck on a gap of ours', async () => {
  const membership = await observeMembership({ cloud: provisioningCloud(cloud), progress: SILENT }, MESH, [C1, C2], {
    addToMesh: true,
  });
  expect(membership.toAdd).toEqual([C1, C2]);
  const verdict = (phase: 'running' | 'joining' | 'notInMesh' | 'notRunning', gaps: number) =>
    ({ clusterId: C1, phase, gaps: Array.from({ length: gaps }, () => ({ gap: 'san' })) }) as never;
  expect(membershipSettled([verdict('running', 0), verdict('notInMesh', 0)])).toBe(true);
  expect(membershipSettled([verdict('notRunning', 1)])).toBe(true);
  expect(membershipSettled([verdict('joining', 1)])).toBe(false);
  expect(membershipSettled([verdict('notRunning', 0)])).toBe(false);
});

const mutatingCalls = () => emulator.requests().filter((request) => request.mutating).length;

test('dryRun stops after plan: the same plan reconcile would run, no change in the cloud, no status written', async () => {
  const store = new MemoryStore(spec([C1]));
  const planned = await dryRun(
    provisioningCloud(cloud),
    (await store.getConfig())!,
    { clusterIds: [C1] },
    { meshId: MESH },
  );
  expect(planned.plan.actions.length).toBeGreaterThan(0);
  expect(mutatingCalls()).toBe(0);
  expect(store.statusWrites).toBe(0);
});

test('the drift check ends a converged run before the full observe, writing nothing; drift sends it on', async () => {
  const store = new MemoryStore(spec([C1]));
  await reconcile(contextFor(store), (await store.getConfig())!, 'all', OPTIONS);
  const writes = store.statusWrites;
  const reads = emulator.requests().length;
  const drifts: string[] = [];
  const options = { ...OPTIONS, driftCheck: { onDrift: (drift: string) => void drifts.push(drift) } };
  const quiet = await reconcile(contextFor(store), (await store.getConfig())!, 'all', options);
  expect(quiet.stoppedBefore).toBe('converged');
  expect(emulator.requests().length - reads).toBe(3);
  expect(store.statusWrites).toBe(writes);
  expect(drifts).toEqual([]);
  const endpoint = emulator.state().endpoints[0]!;
  await cloud.privateLink.endpoints.deleteVpcEndpoint(endpoint.endpointId, { clientToken: 'drift-test' });
  const repaired = await reconcile(contextFor(store), (await store.getConfig())!, 'all', options);
  expect(repaired.stoppedBefore).toBeUndefined();
  expect(drifts).toHaveLength(1);
  expect(repaired.changes.length).toBeGreaterThan(0);
  expect(repaired.status.status).toBe('Available');
});

test('refresh observes and reports, acting on nothing; sanSync appends only the SANs', async () => {
  const store = new MemoryStore(spec([C1]));
  await reconcile(contextFor(store), (await store.getConfig())!, 'all', OPTIONS);
  const domain = (await store.getConfig())!.status!.clusters![0]!.pvlEndpoint!.domainName!;
  emulator.setClusterSans(C1, ['10.0.0.1']);
  const before = mutatingCalls();
  const refreshed = await refresh(contextFor(store), (await store.getConfig())!, { meshId: MESH });
  expect(mutatingCalls()).toBe(before);
  expect(refreshed.clusters?.map((cluster) => cluster.clusterId)).toEqual([C1]);
  const synced = await sanSync(contextFor(store), (await store.getConfig())!, [C1], { meshId: MESH, dryRun: false });
  expect(synced.failures).toEqual([]);
  expect(synced.san.results.map((result) => [result.clusterId, result.after])).toEqual([[C1, ['10.0.0.1', domain]]]);
  const writes = emulator
    .requests()
    .filter((request) => request.mutating)
    .slice(before)
    .map((request) => request.action);
  // ModifyCluster is how ACK takes the API server certificate's SANs.
  expect(new Set(writes)).toEqual(new Set(['ModifyCluster']));
});

/** The context's cloud, with `describeCluster` of `clusterId`'s discovery (its first read) replaced. */
function withDiscovery(
  context: ReconcileContext,
  clusterId: string,
  discover: (
    read: () => ReturnType<ProvisioningCloud['describeCluster']>,
  ) => ReturnType<ProvisioningCloud['describeCluster']>,
): ReconcileContext {
  const base = context.cloud;
  let discovered = false;
  const cloud: ProvisioningCloud = {
    ...base,
    describeCluster: (id, options) => {
      if (id !== clusterId || discovered) return base.describeCluster(id, options);
      discovered = true;
      return discover(() => base.describeCluster(id, options));
    },
  };
  return { ...context, cloud };
}

const inventoryOf = () => ({
  services: emulator.state().endpointServices.length,
  endpoints: emulator.state().endpoints.length,
});

test("a cluster whose discovery is slow does not hold another cluster's writes, and the run ends as one whole run", async () => {
  const store = new MemoryStore(spec([C1, C2]));
  let writesBeforeC2Read: string[] = [];
  // C2's facts come in only once C1's endpoints are being created: a run that plans only when
  // every fact is in never gets there (the wait then gives up and C2 is unreadable).
  const context = withDiscovery(contextFor(store), C2, async (read) => {
    const requests = await eventually(
      async () => emulator.requests(),
      (seen) => seen.some((request) => request.action === 'CreateVpcEndpoint'),
      10_000,
    );
    writesBeforeC2Read = requests.filter((request) => request.mutating).map((request) => request.action);
    return read();
  });
  const run = await reconcile(context, (await store.getConfig())!, 'all', OPTIONS);
  expect(writesBeforeC2Read).toContain('CreateVpcEndpointService');
  expect(writesBeforeC2Read).toContain('CreateVpcEndpoint');
  expect(run.failures).toEqual([]);
  expect(run.status.status).toBe('Available');
  expect(run.status.clusters?.map((cluster) => [cluster.clusterId, cluster.pvlEndpoint?.connectionStatus])).toEqual([
    [C1, 'Connected'],
    [C2, 'Connected'],
  ]);
  // One Pilot service and one API-server service per cluster, one endpoint per link: nothing twice.
  expect(inventoryOf()).toEqual({ services: 3, endpoints: 4 });
  // The outcome tells the whole plan, and each change once, in the whole plan's order.
  const planned = run.plan.actions.filter((action) => action.mutating).map((action) => action.description);
  const stepChanges = run.changes.filter((change) => planned.includes(change));
  expect(stepChanges).toEqual(planned);
  expect(new Set(run.plan.actions.map((action) => action.clusterId))).toEqual(new Set([undefined, C1, C2]));
}, 20_000);

test('a cluster whose discovery fails does not stop the others; nothing of it is planned', async () => {
  const store = new MemoryStore(spec([C1, C2]));
  const context = withDiscovery(contextFor(store), C2, () => Promise.reject(new Error('ACK answered 503 three times')));
  const run = await reconcile(context, (await store.getConfig())!, 'all', OPTIONS);
  expect(run.failures.map((failure) => [failure.area, failure.clusterId])).toEqual([['discovery', C2]]);
  expect(run.failures[0]!.message).toContain(`read cluster ${C2} (ACK DescribeClusterDetail)`);
  expect(run.plan.actions.some((action) => action.clusterId === C2)).toBe(false);
  expect(inventoryOf()).toEqual({ services: 2, endpoints: 2 });
  const c1 = run.status.clusters?.find((cluster) => cluster.clusterId === C1);
  expect(c1?.pvlEndpoint?.connectionStatus).toBe('Connected');
  expect(run.status.status).not.toBe('Available');
});

test('with a plan to approve, nothing starts before it is approved', async () => {
  const store = new MemoryStore(spec([C1, C2]));
  let writesWhenAsked = -1;
  const declined = await reconcile(contextFor(store), (await store.getConfig())!, 'all', {
    ...OPTIONS,
    proceed: (planned) => {
      writesWhenAsked = mutatingCalls();
      return planned.plan.actions.length === 0;
    },
  });
  expect(declined.stoppedBefore).toBe('declined');
  expect(writesWhenAsked).toBe(0);
  expect(mutatingCalls()).toBe(0);
});

test('a refused preflight stops the run before any change, though the first steps were planned early', async () => {
  const store = new MemoryStore(spec([C1, C2]));
  const lines: string[] = [];
  const context: ReconcileContext = {
    ...contextFor(store),
    progress: {
      ...SILENT,
      start: (text: string) => void lines.push(text),
      info: (text: string) => void lines.push(text),
    },
    preflight: () => Promise.reject(new ProvisioningInputError('the credentials may not call vpc:CreateVpcEndpoint')),
  };
  const run = reconcile(context, (await store.getConfig())!, 'all', OPTIONS);
  await expect(run).rejects.toThrow('the credentials may not call vpc:CreateVpcEndpoint');
  expect(mutatingCalls()).toBe(0);
  // Neither a step nor a mesh add was started or told: only the membership read and what it found.
  const told = lines.filter((line) => !line.startsWith('read the clusters of service mesh'));
  expect(told).toEqual([C1, C2].map((clusterId) => `cluster ${clusterId} is not in service mesh ${MESH}: adding it`));
});
