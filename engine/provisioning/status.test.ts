import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterFacts, Inventory } from './model';
import { type AsmPvlStatus, buildStatus, type StatusInputs } from './status';

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
