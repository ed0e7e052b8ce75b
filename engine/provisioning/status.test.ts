import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterFacts, Inventory } from './model';
import {
  type AsmPvlStatus,
  buildStatus,
  failedRunStatus,
  type RecordedFailure,
  setCondition,
  startedConditions,
  type StatusInputs,
} from './status';

const FIXTURES = join(__dirname, 'fixtures');
const read = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as T;
const C1 = 'c84974f524e2045c87dccadff91a71708';
const C2 = 'cab1659d273777fbbeb08d1f747ad55b7';
const MESH_ID = 'cf9171d03515f8f0920a4425eca656495';
const NOW = new Date('2026-11-25T12:00:00.000Z');
const EARLIER = '2026-11-25T11:00:00Z';
const DOMAIN_1 = 'ep-apic10000000000001.epsrv-apic1000000000001.cn-hangzhou.privatelink.aliyuncs.com';
const DOMAIN_2 = 'ep-apic20000000000001.epsrv-apic2000000000001.cn-hangzhou.privatelink.aliyuncs.com';

function syncedFacts(): Record<string, ClusterFacts> {
  return {
    [C1]: { clusterId: C1, certSans: ['api.ack-hz-1.example.com', DOMAIN_1] },
    [C2]: { clusterId: C2, certSans: [DOMAIN_2] },
  };
}

function inputs(overrides: Partial<StatusInputs> = {}): StatusInputs {
  return {
    clusterIds: [C1, C2],
    inventory: read<Inventory>('inventory-converged'),
    clusterFacts: syncedFacts(),
    sanSync: 'Enabled',
    failures: [],
    inProgress: false,
    problems: [],
    generation: 3,
    mesh: {
      meshId: MESH_ID,
      clusters: [
        { clusterId: C1, state: 'running' },
        { clusterId: C2, state: 'running' },
      ],
    },
    now: NOW,
    ...overrides,
  };
}

const conditionOf = (status: AsmPvlStatus, type: string) =>
  status.conditions?.find((condition) => condition.type === type);

describe('buildStatus', () => {
  test('a converged system: the vendor fields exactly, Available, every condition True', () => {
    expect(buildStatus(inputs())).toEqual(read('status-converged'));
  });

  test('an endpoint still being created during a run is Provisioning, and says which', () => {
    const inventory = read<Inventory>('inventory-converged');
    inventory.endpoints[2]!.status = 'Creating';
    inventory.endpoints[2]!.connectionStatus = 'Disconnected';
    const status = buildStatus(inputs({ inventory, inProgress: true }));
    expect(status.status).toBe('Provisioning');
    expect(conditionOf(status, 'APIServerLinks')).toMatchObject({
      status: 'False',
      reason: 'Provisioning',
      message: `${C2}: endpoint ep-apic20000000000001 is Creating`,
    });
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'False', reason: 'Provisioning' });
    expect(status.clusters?.[1]?.pvlEndpoint).toEqual({
      connectionStatus: 'Disconnected',
      domainName: DOMAIN_2,
      id: 'ep-apic20000000000001',
      status: 'Creating',
    });
  });

  test('a failed step with another cluster connected is Degraded; the condition carries the step and request id', () => {
    const inventory = read<Inventory>('inventory-converged');
    inventory.endpoints = inventory.endpoints.filter(
      (endpoint) => endpoint.clusterId !== C2 || endpoint.link !== 'apiserver',
    );
    const message = `create the API-server endpoint of ${C2} failed: PrivateLink CreateVpcEndpoint for epsrv-apic2000000000001 failed: QuotaExceeded.Endpoint (HTTP 400, request id 5C3A-1): quota reached.`;
    const status = buildStatus(
      inputs({ inventory, failures: [{ area: 'apiserver', clusterId: C2, reason: 'QuotaExceededEndpoint', message }] }),
    );
    expect(status.status).toBe('Degraded');
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'False', reason: 'PartlyFailed', message });
    expect(conditionOf(status, 'APIServerLinks')).toMatchObject({
      status: 'False',
      reason: 'QuotaExceededEndpoint',
      message: `${C2}: no endpoint (service epsrv-apic2000000000001 is Active)\n${message}`,
    });
    expect(conditionOf(status, 'PilotLinks')).toMatchObject({ status: 'True' });
    expect(status.clusters?.[1]).toEqual({
      clusterId: C2,
      pvlEndpointService: {
        id: 'epsrv-apic2000000000001',
        name: 'com.aliyuncs.privatelink.cn-hangzhou.epsrv-apic2000000000001',
        status: 'Active',
      },
    });
  });

  test('a failure with no cluster connected is Failed', () => {
    const message = 'read service mesh cf9171d03515f8f0920a4425eca656495 (ASM DescribeServiceMeshDetail) failed: ...';
    const status = buildStatus(
      inputs({
        inventory: { services: [], endpoints: [] },
        failures: [{ area: 'discovery', reason: 'ServiceMeshNotFound', message }],
      }),
    );
    expect(status.status).toBe('Failed');
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'False', reason: 'ProvisioningFailed', message });
    expect(status.pilot).toEqual({ clusters: [{ clusterId: C1 }, { clusterId: C2 }] });
  });

  test('links never provisioned, outside any run, are Degraded and say so', () => {
    const status = buildStatus(inputs({ inventory: { services: [], endpoints: [] }, clusterFacts: {} }));
    expect(status.status).toBe('Degraded');
    expect(conditionOf(status, 'APIServerLinks')).toMatchObject({
      reason: 'NotProvisioned',
      message: `${C1}: no endpoint service\n${C2}: no endpoint service`,
    });
  });

  test('a SAN missing on a connected cluster: SANSynced False with what to run; the links stay Available', () => {
    const facts = syncedFacts();
    facts[C2]!.certSans = [];
    const status = buildStatus(inputs({ clusterFacts: facts }));
    expect(status.status).toBe('Available');
    expect(conditionOf(status, 'SANSynced')).toMatchObject({
      status: 'False',
      reason: 'Missing',
      message: `${C2} lacks ${DOMAIN_2}. Next: run kubectl asmpvl sync-san.`,
    });
    const disabled = buildStatus(inputs({ clusterFacts: facts, sanSync: 'Disabled' }));
    expect(conditionOf(disabled, 'SANSynced')).toMatchObject({ status: 'False', reason: 'SanSyncDisabled' });
  });

  test('a condition keeps its lastTransitionTime while its status holds, and moves when it changes', () => {
    const previous = buildStatus(inputs({ now: new Date(EARLIER) }));
    const same = buildStatus(inputs({ previous }));
    expect(conditionOf(same, 'Ready')?.lastTransitionTime).toBe(EARLIER);
    const inventory = read<Inventory>('inventory-converged');
    inventory.endpoints[0]!.connectionStatus = 'Disconnected';
    const changed = buildStatus(inputs({ previous, inventory }));
    expect(conditionOf(changed, 'Ready')).toMatchObject({
      status: 'False',
      lastTransitionTime: '2026-11-25T12:00:00Z',
      observedGeneration: 3,
    });
    expect(conditionOf(changed, 'PilotLinks')?.lastTransitionTime).toBe(EARLIER);
    expect(conditionOf(changed, 'APIServerLinks')).toMatchObject({
      reason: 'Broken',
      message: `${C1}: endpoint ep-apic10000000000001 is Disconnected`,
    });
  });

  test('SANs are judged only for Connected links; before any, the condition waits', () => {
    const inventory = read<Inventory>('inventory-converged');
    for (const endpoint of inventory.endpoints) endpoint.connectionStatus = 'Pending';
    const status = buildStatus(
      inputs({
        inventory,
        clusterFacts: { [C1]: { clusterId: C1, certSans: [] }, [C2]: { clusterId: C2, certSans: [] } },
        inProgress: true,
      }),
    );
    expect(conditionOf(status, 'SANSynced')).toMatchObject({
      status: 'Unknown',
      reason: 'WaitingForLinks',
      message: `no API-server link is Connected yet (${C1}, ${C2})`,
    });
  });

  test('no cluster in the spec is Available, with nothing in the vendor lists', () => {
    const status = buildStatus(inputs({ clusterIds: [], inventory: { services: [], endpoints: [] } }));
    expect(status).toMatchObject({ clusters: [], pilot: { clusters: [] }, status: 'Available', observedGeneration: 3 });
  });

  test('conditions computed elsewhere are kept next to ours', () => {
    const status = buildStatus(
      inputs({
        extraConditions: [{ type: 'WebhookReady', status: 'Unknown', reason: 'NotChecked', message: 'not read' }],
      }),
    );
    expect(status.conditions?.map((condition) => condition.type)).toEqual([
      'Ready',
      'APIServerLinks',
      'PilotLinks',
      'SANSynced',
      'MeshReady',
      'WebhookReady',
    ]);
  });
});

describe('the kstatus conditions (Reconciling, Stalled)', () => {
  const kstatusOf = (status: AsmPvlStatus) =>
    status.conditions
      ?.filter((condition) => condition.type === 'Reconciling' || condition.type === 'Stalled')
      .map(({ type, status: value, reason }) => ({ type, status: value, reason }));
  const unknownCluster: RecordedFailure = {
    area: 'discovery',
    clusterId: C2,
    reason: 'ErrorClusterNotFound',
    message: `read cluster ${C2} (ACK DescribeClusterDetail) failed: ErrorClusterNotFound (HTTP 404): The specified cluster ${C2} does not exist.`,
    needsChange: true,
  };
  const throttled: RecordedFailure = {
    area: 'apiserver',
    clusterId: C2,
    reason: 'ThrottlingUser',
    message: `create the API-server endpoint of ${C2} failed: PrivateLink CreateVpcEndpoint failed: Throttling.User (HTTP 400)`,
  };

  test('Available: neither, so kstatus reads Ready True as Current', () => {
    expect(kstatusOf(buildStatus(inputs()))).toEqual([]);
  });

  test('provisioning: Reconciling True with the reason and message of Ready, right after Ready', () => {
    const inventory = read<Inventory>('inventory-converged');
    inventory.endpoints[2]!.status = 'Creating';
    const status = buildStatus(inputs({ inventory, inProgress: true }));
    expect(kstatusOf(status)).toEqual([{ type: 'Reconciling', status: 'True', reason: 'Provisioning' }]);
    expect(conditionOf(status, 'Reconciling')?.message).toBe(conditionOf(status, 'Ready')?.message);
    expect(status.conditions?.map((condition) => condition.type).slice(0, 2)).toEqual(['Ready', 'Reconciling']);
  });

  test('a failure a retry can clear: still Reconciling, retrying', () => {
    const status = buildStatus(inputs({ failures: [throttled] }));
    expect(kstatusOf(status)).toEqual([{ type: 'Reconciling', status: 'True', reason: 'RetryingAfterFailure' }]);
    expect(conditionOf(status, 'Reconciling')?.message).toBe(throttled.message);
  });

  test('a cluster the cloud does not have: Stalled True with the failure, and not Reconciling', () => {
    const status = buildStatus(inputs({ failures: [throttled, unknownCluster] }));
    expect(kstatusOf(status)).toEqual([{ type: 'Stalled', status: 'True', reason: 'ErrorClusterNotFound' }]);
    expect(conditionOf(status, 'Stalled')).toMatchObject({ message: unknownCluster.message, observedGeneration: 3 });
    expect(status.status).toBe('Degraded');
  });

  test('a problem of the spec itself is Stalled too', () => {
    const message = `${C2}: no zone of its vSwitches is among the ASM vSwitches' zones`;
    const status = buildStatus(inputs({ problems: [{ clusterId: C2, message }] }));
    expect(conditionOf(status, 'Stalled')).toMatchObject({ status: 'True', reason: 'SpecProblem', message });
  });

  test('Stalled keeps its lastTransitionTime while it holds, and goes once the failure is gone', () => {
    const previous = buildStatus(inputs({ failures: [unknownCluster], now: new Date(EARLIER) }));
    const again = buildStatus(inputs({ failures: [unknownCluster], previous }));
    expect(conditionOf(again, 'Stalled')?.lastTransitionTime).toBe(EARLIER);
    expect(kstatusOf(buildStatus(inputs({ previous: again })))).toEqual([]);
  });

  test('a run that failed before a status: Ready False, Stalled or Reconciling, the other conditions kept', () => {
    const previous = buildStatus(inputs({ now: new Date(EARLIER) }));
    const denied: RecordedFailure = {
      area: 'discovery',
      reason: 'ReconcileFailed',
      message: 'RAM denied privatelink:CreateVpcEndpoint',
      needsChange: true,
    };
    const stalled = failedRunStatus(previous, denied, 4, NOW);
    expect(stalled.conditions?.map(({ type, status, reason }) => [type, status, reason])).toEqual([
      ['Ready', 'False', 'ReconcileFailed'],
      ['Stalled', 'True', 'ReconcileFailed'],
      ['APIServerLinks', 'True', 'Connected'],
      ['PilotLinks', 'True', 'Connected'],
      ['SANSynced', 'True', 'Synced'],
      ['MeshReady', 'True', 'Running'],
    ]);
    expect(stalled.conditions?.[1]).toMatchObject({ message: denied.message, observedGeneration: 4 });
    // kstatus reads Stalled only for an observed spec; the old spec's Available says nothing of generation 4.
    expect(stalled).toMatchObject({ observedGeneration: 4, status: 'Failed', clusters: previous.clusters });
    const retrying = failedRunStatus(previous, { ...denied, needsChange: false }, 4, NOW);
    expect(retrying.conditions?.slice(0, 2).map(({ type, reason }) => [type, reason])).toEqual([
      ['Ready', 'ReconcileFailed'],
      ['Reconciling', 'RetryingAfterFailure'],
    ]);
    expect(retrying).toMatchObject({ observedGeneration: 3, status: 'Available' });
  });

  test('a lasting failure on the spec the status was computed for keeps status.status', () => {
    const previous = buildStatus(inputs({ now: new Date(EARLIER) }));
    const denied: RecordedFailure = { area: 'discovery', reason: 'MeshUnknown', message: 'no mesh', needsChange: true };
    expect(failedRunStatus(previous, denied, 3, NOW)).toMatchObject({ observedGeneration: 3, status: 'Available' });
    expect(failedRunStatus(undefined, denied, 1, NOW)).toMatchObject({ observedGeneration: 1, status: 'Failed' });
  });

  test('a run starting on a spec the status does not answer says Reconciling, dropping an old Stalled', () => {
    const previous = buildStatus(inputs({ failures: [unknownCluster], now: new Date(EARLIER) }));
    const started = startedConditions(previous, 4, NOW);
    expect(started[0]).toEqual({
      type: 'Reconciling',
      status: 'True',
      reason: 'Reconciling',
      message: 'reconciling generation 4 of the spec',
      lastTransitionTime: '2026-11-25T12:00:00Z',
      observedGeneration: 4,
    });
    expect(started.some((condition) => condition.type === 'Stalled')).toBe(false);
    expect(started.map((condition) => condition.type)).toContain('Ready');
    expect(startedConditions(undefined, undefined, NOW).map((condition) => condition.type)).toEqual(['Reconciling']);
  });
});

describe('setCondition', () => {
  const ready = { type: 'Ready', status: 'False' as const, reason: 'Waiting', message: 'waiting' };
  const before = [
    { type: 'Other', status: 'True' as const, reason: 'Fine', message: 'fine', lastTransitionTime: EARLIER },
    { ...ready, lastTransitionTime: EARLIER },
  ];

  test("a new reason or message alone keeps lastTransitionTime and the condition's place", () => {
    const after = setCondition(before, { ...ready, reason: 'Refused', message: 'refused' }, 3, NOW);
    expect(after.map((condition) => condition.type)).toEqual(['Other', 'Ready']);
    expect(after[1]).toEqual({
      ...ready,
      reason: 'Refused',
      message: 'refused',
      lastTransitionTime: EARLIER,
      observedGeneration: 3,
    });
  });

  test('a new status moves lastTransitionTime to now, in whole seconds; a new type is appended', () => {
    const flipped = setCondition(before, { ...ready, status: 'True' }, undefined, NOW);
    expect(flipped[1]?.lastTransitionTime).toBe('2026-11-25T12:00:00Z');
    expect(flipped[1]).not.toHaveProperty('observedGeneration');
    expect(setCondition(undefined, ready, 1, NOW)).toEqual([
      { ...ready, lastTransitionTime: '2026-11-25T12:00:00Z', observedGeneration: 1 },
    ]);
  });
});
