// A cluster whose API server is behind an NLB (newer ACK control planes): the plugin finds the NLB
// through the cluster's control-plane endpoints, reads its zones from NLB GetLoadBalancerAttribute
// (ZoneMappings), and puts it behind an endpoint service of resource type nlb in the zone both
// sides share — with no more permissions than `kubectl asmpvl policy` prints.
import { leastPrivilegePolicy } from '../../engine/cloud/catalogue';
import { loadWorldFile, NLB_APISERVER_WORLD } from '../emulator';
import { inventorySummary, type Sandbox, startSandbox } from './provisioning-sandbox';

const NLB_ID = 'nlb-wy4a2b9c8d7e6f5g4h';

describe('an API server behind an NLB that serves zones k and j', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox(undefined, {
      world: loadWorldFile(NLB_APISERVER_WORLD),
      policy: leastPrivilegePolicy(),
    });
    await sandbox.deleteObject();
  });
  afterAll(async () => {
    await sandbox?.deleteObject();
    await sandbox?.stop();
  });

  test('connect reads the NLB zones and puts the NLB behind a service in the paired zone; Available', async () => {
    const c2 = sandbox.clusters[1];
    const result = await sandbox.plugin(['connect', c2, '--mesh-id', sandbox.meshId]);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Overall: Available');
    expect(result.stderr).toContain(`create the API-server endpoint service of ${c2} on ${NLB_ID} in cn-hangzhou-k`);

    const lookups = sandbox.emulator.requests().filter((entry) => entry.action === 'GetLoadBalancerAttribute');
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every((entry) => entry.product === 'nlb' && entry.status === 200)).toBe(true);

    const state = sandbox.inventory();
    expect(inventorySummary(state)).toEqual({
      services: [`apiserver/${c2}`, 'pilot/-'],
      endpoints: [`apiserver/${c2}`, `pilot/${c2}`],
    });
    const apiServerService = state.endpointServices.find((service) =>
      service.tags.some((tag) => tag.key === 'asmpvl.io/link' && tag.value === 'apiserver'),
    )!;
    expect(apiServerService.serviceResourceType).toBe('nlb');
    expect(
      apiServerService.resources.map((resource) => [resource.resourceId, resource.resourceType, resource.zoneId]),
    ).toEqual([[NLB_ID, 'nlb', 'cn-hangzhou-k']]);
    expect(state.connections.map((connection) => connection.connectionStatus)).toEqual(['Connected', 'Connected']);
  });
});

describe('an API server behind an NLB that serves only a zone the cluster does not pair in', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    const world = loadWorldFile(NLB_APISERVER_WORLD);
    world.loadBalancers.find((lb) => lb.loadBalancerId === NLB_ID)!.zoneIds = ['cn-hangzhou-i'];
    sandbox = await startSandbox(undefined, { world });
    await sandbox.deleteObject();
  });
  afterAll(async () => {
    await sandbox?.deleteObject();
    await sandbox?.stop();
  });

  test('connect names the zones the NLB serves and the ones the cluster pairs in, exit 1, and creates no service for it', async () => {
    const c2 = sandbox.clusters[1];
    const result = await sandbox.plugin(['connect', c2, '--mesh-id', sandbox.meshId]);
    expect(result.code).toBe(1);
    expect(`${result.stdout}\n${result.stderr}`).toMatch(
      new RegExp(`${NLB_ID} serves cn-hangzhou-i, none of the zones cluster ${c2} pairs in \\(cn-hangzhou-k\\)`),
    );
    const state = sandbox.inventory();
    expect(
      state.endpointServices.filter((service) => service.resources.some((resource) => resource.resourceId === NLB_ID)),
    ).toEqual([]);
  });
});
