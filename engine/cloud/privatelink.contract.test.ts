// Every PrivateLink function against the emulator, through openapi-core and real V3 signing.
import type { RunningEmulator } from '../../test/emulator';
import type { Cloud } from './index';
import { cloudFor, eventually, startTwoClusterEmulator } from './testkit/emulated-cloud';

// test/emulator/worlds/two-clusters.json
const ASM = {
  vpcId: 'vpc-bp1o3jbu5rggg994o5vm9',
  vSwitchJ: 'vsw-bp10w1gdt1pw6srb8dy0i',
  vSwitchK: 'vsw-bp1cofkccijnjju314wym',
  securityGroupId: 'sg-bp169pz86m0p2ennfddz',
  pilotLoadBalancerId: 'lb-bp16celq5ex8a6b72u1ck',
  apiServerLoadBalancerId: 'lb-bp1euvdzc5syk7eaka32s',
};
const ACK1 = { clusterId: 'c84974f524e2045c87dccadff91a71708', loadBalancerId: 'lb-bp1lr2uy9cv2vqpy7jr0a' };
const ACK2 = { clusterId: 'cab1659d273777fbbeb08d1f747ad55b7', loadBalancerId: 'lb-bp1sui76uf7xxd5korkdo' };
/** The zones each load balancer serves in. */
const LB_ZONES: Record<string, string[]> = {
  [ACK1.loadBalancerId]: ['cn-hangzhou-j', 'cn-hangzhou-i'],
  [ACK2.loadBalancerId]: ['cn-hangzhou-k', 'cn-hangzhou-j'],
  [ASM.pilotLoadBalancerId]: ['cn-hangzhou-j', 'cn-hangzhou-k'],
};

/** One resource entry per zone the load balancer serves in (the emulator wants ZoneId on each). */
function resourcesOf(loadBalancerId: string) {
  return LB_ZONES[loadBalancerId]!.map((zoneId) => ({
    resourceType: 'slb' as const,
    resourceId: loadBalancerId,
    zoneId,
  }));
}
const TAG = { key: 'asmpvl.io/cluster', value: ACK1.clusterId };

let emulator: RunningEmulator;
let cloud: Cloud;

beforeAll(async () => {
  emulator = await startTwoClusterEmulator();
  cloud = cloudFor(emulator);
});
afterAll(() => emulator.stop());

async function activeService(loadBalancerId: string, tags = [TAG]) {
  const created = await cloud.privateLink.services.createVpcEndpointService({
    resources: resourcesOf(loadBalancerId),
    serviceResourceType: 'slb',
    autoAcceptEnabled: false,
    serviceDescription: `asmpvl ${loadBalancerId}`,
    tags,
  });
  await eventually(
    () => cloud.privateLink.services.getVpcEndpointServiceAttribute(created.serviceId),
    (service) => service.serviceStatus === 'Active',
  );
  return created;
}

describe('account and zones', () => {
  it('CheckProductOpen, DescribeZones', async () => {
    expect(await cloud.privateLink.account.checkProductOpen()).toBe(true);
    const zones = await cloud.privateLink.account.describeZones({ serviceResourceType: 'slb' });
    expect(zones.map((zone) => zone.zoneId)).toEqual(['cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k']);
  });
});

describe('the API server link of one cluster, end to end', () => {
  it('creates a service, an endpoint in the ASM VPC, connects them and tears both down', async () => {
    const created = await cloud.privateLink.services.createVpcEndpointService({
      resources: resourcesOf(ACK1.loadBalancerId),
      serviceResourceType: 'slb',
      autoAcceptEnabled: false,
      serviceDescription: 'asmpvl api server',
      tags: [TAG],
      clientToken: `asmpvl-${ACK1.clusterId}-apiserver-service`,
    });
    expect(created.serviceId).toMatch(/^epsrv-/);
    expect(created.serviceStatus).toBe('Creating');
    const service = await eventually(
      () => cloud.privateLink.services.getVpcEndpointServiceAttribute(created.serviceId),
      (current) => current.serviceStatus === 'Active',
    );
    expect(service).toMatchObject({
      serviceResourceType: 'slb',
      autoAcceptEnabled: false,
      serviceName: created.serviceName,
    });
    expect([...service.zones].sort()).toEqual(['cn-hangzhou-i', 'cn-hangzhou-j']);

    const listed = await cloud.privateLink.services.listAllVpcEndpointServices({ resourceId: ACK1.loadBalancerId });
    expect(listed.map((item) => [item.serviceId, item.tags])).toEqual([[created.serviceId, [TAG]]]);

    const resources = await cloud.privateLink.services.listAllVpcEndpointServiceResources(created.serviceId);
    expect(resources.map((resource) => [resource.resourceId, resource.resourceType])).toContainEqual([
      ACK1.loadBalancerId,
      'slb',
    ]);

    await cloud.privateLink.services.addUserToVpcEndpointService({
      serviceId: created.serviceId,
      userId: '1234567890123456',
    });
    const users = await cloud.privateLink.services.listAllVpcEndpointServiceUsers(created.serviceId);
    expect(users).toContainEqual({ userId: '1234567890123456' });

    const endpoint = await cloud.privateLink.endpoints.createVpcEndpoint({
      vpcId: ASM.vpcId,
      serviceId: created.serviceId,
      securityGroupIds: [ASM.securityGroupId],
      zones: [{ zoneId: 'cn-hangzhou-j', vSwitchId: ASM.vSwitchJ }],
      endpointName: 'asmpvl-apiserver',
      endpointType: 'Interface',
      tags: [TAG],
    });
    expect(endpoint.endpointId).toMatch(/^ep-/);
    expect(endpoint.endpointDomain).toContain(created.serviceId);
    await eventually(
      () => cloud.privateLink.endpoints.getVpcEndpointAttribute(endpoint.endpointId),
      (current) => current.endpointStatus === 'Active',
    );

    const endpoints = await cloud.privateLink.endpoints.listAllVpcEndpoints({ vpcId: ASM.vpcId });
    expect(endpoints.map((item) => [item.endpointId, item.tags])).toContainEqual([endpoint.endpointId, [TAG]]);

    expect((await cloud.privateLink.endpoints.getVpcEndpointAttribute(endpoint.endpointId)).connectionStatus).toBe(
      'Pending',
    );
    await cloud.privateLink.connections.enableVpcEndpointConnection({
      serviceId: created.serviceId,
      endpointId: endpoint.endpointId,
    });
    const connected = await eventually(
      () => cloud.privateLink.endpoints.getVpcEndpointAttribute(endpoint.endpointId),
      (current) => current.connectionStatus === 'Connected',
    );
    expect(connected.endpointDomain).toBe(endpoint.endpointDomain);

    const zones = await cloud.privateLink.endpoints.listAllVpcEndpointZones(endpoint.endpointId);
    expect(zones.map((zone) => [zone.zoneId, zone.vSwitchId])).toEqual([['cn-hangzhou-j', ASM.vSwitchJ]]);

    // The service's load balancer covers j and i only.
    await expect(
      cloud.privateLink.endpoints.addZoneToVpcEndpoint({
        endpointId: endpoint.endpointId,
        zoneId: 'cn-hangzhou-k',
        vSwitchId: ASM.vSwitchK,
      }),
    ).rejects.toMatchObject({
      code: 'EndpointServiceNotSupportedZone',
      retryable: false,
      attempts: 1,
    });

    await cloud.privateLink.endpoints.deleteVpcEndpoint(endpoint.endpointId);
    await eventually(
      () =>
        cloud.privateLink.endpoints.getVpcEndpointAttribute(endpoint.endpointId).then(
          () => false,
          (error: unknown) => (error as { notFound?: boolean }).notFound === true,
        ),
      (gone) => gone,
    );
    await expect(cloud.privateLink.services.deleteVpcEndpointService(created.serviceId)).rejects.toMatchObject({
      code: 'EndpointServiceDependenceViolation',
      retryable: false,
    });
    for (const resource of resourcesOf(ACK1.loadBalancerId)) {
      await cloud.privateLink.services.detachResourceFromVpcEndpointService({
        serviceId: created.serviceId,
        ...resource,
      });
      await eventually(
        () => cloud.privateLink.services.getVpcEndpointServiceAttribute(created.serviceId),
        (current) => current.serviceStatus === 'Active',
      );
    }
    await eventually(
      () =>
        cloud.privateLink.services.deleteVpcEndpointService(created.serviceId).then(
          () => true,
          (error: unknown) => (error as { code?: string }).code ?? 'error',
        ),
      (deleted) => deleted === true,
    );
    await eventually(
      () =>
        cloud.privateLink.services.getVpcEndpointServiceAttribute(created.serviceId).then(
          () => false,
          (error: unknown) => (error as { notFound?: boolean }).notFound === true,
        ),
      (gone) => gone,
    );
  });
});

describe('zones of an endpoint', () => {
  it('adds a zone the service covers and removes it again', async () => {
    const service = await activeService(ACK2.loadBalancerId, [{ key: 'asmpvl.io/cluster', value: ACK2.clusterId }]);
    const endpoint = await cloud.privateLink.endpoints.createVpcEndpoint({
      vpcId: ASM.vpcId,
      serviceId: service.serviceId,
      securityGroupIds: [ASM.securityGroupId],
      zones: [{ zoneId: 'cn-hangzhou-k', vSwitchId: ASM.vSwitchK }],
    });
    await eventually(
      () => cloud.privateLink.endpoints.getVpcEndpointAttribute(endpoint.endpointId),
      (current) => current.endpointStatus === 'Active',
    );

    await cloud.privateLink.endpoints.addZoneToVpcEndpoint({
      endpointId: endpoint.endpointId,
      zoneId: 'cn-hangzhou-j',
      vSwitchId: ASM.vSwitchJ,
    });
    const added = await eventually(
      () => cloud.privateLink.endpoints.listAllVpcEndpointZones(endpoint.endpointId),
      (zones) =>
        zones.some((zone) => zone.zoneId === 'cn-hangzhou-j' && ['Wait', 'Connected'].includes(zone.zoneStatus ?? '')),
    );
    expect(added.map((zone) => zone.zoneId).sort()).toEqual(['cn-hangzhou-j', 'cn-hangzhou-k']);

    await cloud.privateLink.endpoints.removeZoneFromVpcEndpoint({
      endpointId: endpoint.endpointId,
      zoneId: 'cn-hangzhou-j',
    });
    const remaining = await eventually(
      () => cloud.privateLink.endpoints.listAllVpcEndpointZones(endpoint.endpointId),
      (zones) => zones.length === 1,
    );
    expect(remaining.map((zone) => zone.zoneId)).toEqual(['cn-hangzhou-k']);
  });
});

describe('resources of a service', () => {
  it('attaches a second load balancer and detaches it', async () => {
    const service = await activeService(ASM.pilotLoadBalancerId, [{ key: 'asmpvl.io/link', value: 'pilot' }]);
    await cloud.privateLink.services.attachResourceToVpcEndpointService({
      serviceId: service.serviceId,
      resourceId: ASM.apiServerLoadBalancerId,
      resourceType: 'slb',
      zoneId: 'cn-hangzhou-j',
    });
    const attached = await eventually(
      () => cloud.privateLink.services.listAllVpcEndpointServiceResources(service.serviceId),
      (resources) => resources.some((resource) => resource.resourceId === ASM.apiServerLoadBalancerId),
    );
    expect(new Set(attached.map((resource) => resource.resourceId))).toEqual(
      new Set([ASM.pilotLoadBalancerId, ASM.apiServerLoadBalancerId]),
    );

    await eventually(
      () => cloud.privateLink.services.getVpcEndpointServiceAttribute(service.serviceId),
      (current) => current.serviceStatus === 'Active',
    );
    await cloud.privateLink.services.detachResourceFromVpcEndpointService({
      serviceId: service.serviceId,
      resourceId: ASM.apiServerLoadBalancerId,
      resourceType: 'slb',
      zoneId: 'cn-hangzhou-j',
    });
    const detached = await cloud.privateLink.services.listAllVpcEndpointServiceResources(service.serviceId);
    expect(detached.map((resource) => resource.resourceId)).not.toContain(ASM.apiServerLoadBalancerId);
  });
});

describe('paging', () => {
  it('pages through services one at a time', async () => {
    const [service] = await cloud.privateLink.services.listAllVpcEndpointServices({
      tags: [{ key: 'asmpvl.io/link', value: 'pilot' }],
    });
    expect(service).toBeDefined();

    const before = emulator.requests().length;
    const all = await cloud.privateLink.services.listAllVpcEndpointServices({}, { pageSize: 1 });
    const pages = emulator
      .requests()
      .slice(before)
      .filter((request) => request.action === 'ListVpcEndpointServices');
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(new Set(all.map((item) => item.serviceId)).size).toBe(all.length);
    expect(pages.length).toBe(all.length);
  });
});
