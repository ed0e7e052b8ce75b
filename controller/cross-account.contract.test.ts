// The controller's Reconcile across accounts, over an in-memory store and the cloud emulator (real
// SDKs and signing): the mesh in account A, its clusters in B (or in B and C), each cluster account
// reached through a RAM role assumed with STS. Each side's resources are created in its own
// account, each service allowlists exactly the account that connects to it, and deletion leaves
// nothing in any account.
import type { RunningEmulator } from '../test/emulator';
import { startEmulator } from '../test/emulator';
import { CROSS_ACCOUNT, crossAccountWorld } from '../test/emulator/testing/worlds';
import { type AccountClouds, createAccountClouds } from '../engine/cloud';
import { FAST_DELAYS } from '../engine/cloud/testkit/emulated-cloud';
import { fakeClock } from '../engine/testing/fake-clock';
import { provisioningCloud, RunReads } from '../engine/provisioning/cloud-port';
import { defaultWaitPolicy } from '../engine/provisioning/waits';
import { MemoryStore } from '../engine/testing/memory-store';
import type { ASMPvlConfig } from '../core';
import { Reconciler } from './reconciler';

const C1 = 'c84974f524e2045c87dccadff91a71708';
const C2 = 'cab1659d273777fbbeb08d1f747ad55b7';
const MESH = 'cf9171d03515f8f0920a4425eca656495';
const A = CROSS_ACCOUNT.mesh.accountId;
const B = CROSS_ACCOUNT.clusters;
const C = CROSS_ACCOUNT.third;

function spec(): ASMPvlConfig {
  return {
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'ASMPvlConfig',
    metadata: { name: 'default', annotations: { 'asmpvl.io/mesh-id': MESH } },
    spec: {
      ackVpcEndpoint: [
        { clusterId: C1, vSwitches: [{ vSwitchId: 'vsw-bp10gkryrkhgg8t0t3q45', zoneId: 'cn-hangzhou-j' }] },
        { clusterId: C2, vSwitches: [{ vSwitchId: 'vsw-bp1ta6xjvp98ptjwml7er', zoneId: 'cn-hangzhou-k' }] },
      ],
      asmVpcEndpoint: {
        vSwitches: [
          { vSwitchId: 'vsw-bp10w1gdt1pw6srb8dy0i', zoneId: 'cn-hangzhou-j' },
          { vSwitchId: 'vsw-bp1cofkccijnjju314wym', zoneId: 'cn-hangzhou-k' },
        ],
      },
      sanSync: 'Enabled',
      deletionPolicy: 'Delete',
    },
  } as ASMPvlConfig;
}

function accountsFor(emulator: RunningEmulator, clusterRoles: Record<string, string>): AccountClouds {
  return createAccountClouds({
    region: emulator.regionId,
    cloudEndpoint: emulator.url,
    credentials: emulator.credentials,
    clock: fakeClock(),
    timeouts: { connectMs: 2_000, readMs: 3_000 },
    clusterRoles,
  });
}

function reconcilerFor(store: MemoryStore, accounts: AccountClouds): Reconciler {
  return new Reconciler({
    store,
    env: {},
    leaseRef: 'asmpvl-system/asmpvl-controller',
    progressingRequeueMs: 50,
    openRun: () => {
      const reads = new RunReads();
      return {
        cloud: provisioningCloud(accounts, { reads }),
        reportCloud: provisioningCloud(accounts, { reads }),
        deadline: { at: Date.now() + 60_000, label: 'the reconcile deadline (1m)' },
        signal: new AbortController().signal,
        waits: { ...defaultWaitPolicy, initialMs: 20, maxIntervalMs: 100 },
      };
    },
  });
}

async function converge(reconciler: Reconciler, store: MemoryStore): Promise<void> {
  for (let pass = 0; pass < 30; pass++) {
    const result = await reconciler.reconcile();
    if (result.result === 'failed') throw new Error(result.error);
    if ((await store.getConfig())?.status?.status === 'Available') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not Available: ${JSON.stringify((await store.getConfig())?.status?.conditions)}`);
}

const tagOf = (item: { tags: Array<{ key: string; value: string }> }, key: string) =>
  item.tags.find((tag) => tag.key === key)?.value;

describe.each([
  [
    'clusters in B',
    ['B', 'B'] as const,
    { [C1]: B.roleArn, [C2]: B.roleArn },
    { [C1]: B.accountId, [C2]: B.accountId },
  ],
  [
    'clusters in B and C',
    ['B', 'C'] as const,
    { [C1]: B.roleArn, [C2]: C.roleArn },
    { [C1]: B.accountId, [C2]: C.accountId },
  ],
])('mesh in A, %s', (_, layout, roles, accountOf: Record<string, string>) => {
  let emulator: RunningEmulator;
  beforeEach(async () => {
    emulator = await startEmulator({ world: crossAccountWorld([...layout]), delays: FAST_DELAYS, seed: 7 });
  });
  afterEach(() => emulator.stop());

  test('connects, each side in its own account with the other allowlisted, repairs, and deletes everything', async () => {
    const store = new MemoryStore(spec());
    const reconciler = reconcilerFor(store, accountsFor(emulator, roles));
    await converge(reconciler, store);

    const state = emulator.state();
    const services = state.endpointServices.filter((service) => service.serviceStatus !== 'Deleting');
    const endpoints = state.endpoints.filter((endpoint) => endpoint.endpointStatus !== 'Deleting');
    const pilot = services.find((service) => tagOf(service, 'asmpvl.io/link') === 'pilot')!;
    // The Pilot service is A's and allows each cluster account; each API-server service is its
    // cluster's account's and allows A.
    expect(pilot.ownerAccountId).toBe(A);
    expect([...pilot.allowedUserIds].sort()).toEqual([...new Set(Object.values(accountOf))].sort());
    for (const clusterId of [C1, C2]) {
      const apiServer = services.find(
        (service) =>
          tagOf(service, 'asmpvl.io/link') === 'apiserver' && tagOf(service, 'asmpvl.io/cluster') === clusterId,
      )!;
      expect([apiServer.ownerAccountId, apiServer.allowedUserIds]).toEqual([accountOf[clusterId], [A]]);
      const owners = endpoints
        .filter((endpoint) => tagOf(endpoint, 'asmpvl.io/cluster') === clusterId)
        .map((endpoint) => `${tagOf(endpoint, 'asmpvl.io/link')}:${endpoint.ownerAccountId}`)
        .sort();
      expect(owners).toEqual([`apiserver:${A}`, `pilot:${accountOf[clusterId]}`]);
    }
    // Cluster calls were signed by the roles' STS credentials, the mesh's by A's own key.
    const requests = emulator.requests();
    expect(requests.filter((entry) => entry.action === 'AssumeRole').length).toBeGreaterThanOrEqual(1);
    const clusterReads = requests.filter((entry) => entry.action === 'DescribeClusterDetail');
    expect(clusterReads.length).toBeGreaterThan(0);
    expect(clusterReads.every((entry) => entry.accessKeyId?.startsWith('STS.'))).toBe(true);
    expect(
      requests
        .filter((entry) => entry.action === 'DescribeServiceMeshDetail')
        .every((entry) => entry.accessKeyId === emulator.credentials.accessKeyId),
    ).toBe(true);
    // The status contract is the same as in one account.
    const status = (await store.getConfig())!.status!;
    expect(status.status).toBe('Available');
    expect(status.clusters?.map((cluster) => cluster.clusterId).sort()).toEqual([C1, C2].sort());
    expect(status.pilot?.clusters?.every((cluster) => cluster.pvlEndpoint?.connectionStatus === 'Connected')).toBe(
      true,
    );

    // Repair: the Pilot endpoint of C2, deleted in its own account behind our back, comes back there.
    const clusterCloud = accountsFor(emulator, roles).forCluster(C2);
    const pilotEndpoint = endpoints.find(
      (endpoint) => tagOf(endpoint, 'asmpvl.io/link') === 'pilot' && tagOf(endpoint, 'asmpvl.io/cluster') === C2,
    )!;
    await clusterCloud.privateLink.endpoints.deleteVpcEndpoint(pilotEndpoint.endpointId);
    for (let tries = 0; emulator.state().endpoints.some((e) => e.endpointId === pilotEndpoint.endpointId); tries++) {
      if (tries > 200) throw new Error('the endpoint was not deleted');
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await converge(reconciler, store);
    const repaired = emulator
      .state()
      .endpoints.filter(
        (endpoint) => tagOf(endpoint, 'asmpvl.io/link') === 'pilot' && tagOf(endpoint, 'asmpvl.io/cluster') === C2,
      );
    expect(repaired.map((endpoint) => endpoint.ownerAccountId)).toEqual([accountOf[C2]]);
    expect(repaired[0]!.endpointId).not.toBe(pilotEndpoint.endpointId);

    // Deletion leaves nothing in any account.
    store.markDeleted();
    expect(await reconciler.reconcile()).toEqual({ result: 'deleted' });
    const after = emulator.state();
    expect(after.endpoints.filter((endpoint) => endpoint.endpointStatus !== 'Deleting')).toEqual([]);
    expect(after.endpointServices.filter((service) => service.serviceStatus !== 'Deleting')).toEqual([]);
  });

  test('without the roles, the mesh account cannot see the clusters: the run fails and says which', async () => {
    const store = new MemoryStore(spec());
    const reconciler = reconcilerFor(store, accountsFor(emulator, {}));
    await reconciler.reconcile();
    const conditions = JSON.stringify((await store.getConfig())?.status);
    expect(conditions).toContain(C1);
    expect(conditions).toMatch(/ErrorClusterNotFound|not found/i);
    expect(emulator.state().endpointServices.filter((service) => service.ownerAccountId !== A)).toEqual([]);
  });
});
