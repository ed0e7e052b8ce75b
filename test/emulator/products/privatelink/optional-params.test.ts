// Parameters the API reference makes optional are optional here too, with the documented
// behaviour where there is one and the assumed one (fidelity table) where there is not.
import { directCloud, type DirectCloud } from '../../testing/direct';
import { twoClusters } from '../../testing/worlds';
import type { World } from '../../world';
import { refusal } from '../../testing/refusal';

const { world, mesh, cluster1, vSwitchIn } = twoClusters();
const ZONE_J = 'cn-hangzhou-j';
const DELAYS = { serviceCreateMs: 10, endpointCreateMs: 10 };

function activeService(cloud: DirectCloud, resource: Record<string, string>): string {
  const { ServiceId } = cloud.rpc('privatelink', 'CreateVpcEndpointService', {
    RegionId: 'cn-hangzhou',
    Resource: [resource],
  }) as { ServiceId: string };
  cloud.advance(DELAYS.serviceCreateMs);
  return ServiceId;
}

const zonesOf = (cloud: DirectCloud, serviceId: string) =>
  cloud.cloud.services.get(serviceId)!.resources.map((resource) => resource.zoneId);

describe('ZoneId of a service resource: optional, required for ALB and NLB', () => {
  test('a CLB without ZoneId, at create, is placed in its master zone', () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = activeService(cloud, { ResourceId: cluster1.apiServerLoadBalancerId, ResourceType: 'slb' });
    expect(zonesOf(cloud, serviceId)).toEqual([ZONE_J]);
  });

  test('an NLB without ZoneId is MissingParam.Resource.N.ZoneId (documented as required for ALB/NLB/GWLB)', () => {
    const nlbWorld: World = structuredClone(world);
    const lb = nlbWorld.loadBalancers.find(
      (candidate) => candidate.loadBalancerId === cluster1.apiServerLoadBalancerId,
    )!;
    lb.loadBalancerId = 'nlb-optionalzone000000';
    const cloud = directCloud(nlbWorld, DELAYS);
    const error = refusal(() =>
      cloud.rpc('privatelink', 'CreateVpcEndpointService', {
        RegionId: 'cn-hangzhou',
        ServiceResourceType: 'nlb',
        Resource: [{ ResourceId: lb.loadBalancerId, ResourceType: 'nlb' }],
      }),
    );
    expect(error.code).toBe('MissingParam.Resource.1.ZoneId');
  });

  test('Detach without ZoneId or ResourceType takes the CLB out of its one zone; Attach without ZoneId puts it back in the master zone', () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = activeService(cloud, {
      ResourceId: cluster1.apiServerLoadBalancerId,
      ResourceType: 'slb',
      ZoneId: ZONE_J,
    });
    const resource = { RegionId: 'cn-hangzhou', ServiceId: serviceId, ResourceId: cluster1.apiServerLoadBalancerId };
    // ResourceType is optional to detach (the id's own type), required to attach.
    cloud.rpc('privatelink', 'DetachResourceFromVpcEndpointService', resource);
    expect(zonesOf(cloud, serviceId)).toEqual([]);
    cloud.rpc('privatelink', 'AttachResourceToVpcEndpointService', { ...resource, ResourceType: 'slb' });
    expect(zonesOf(cloud, serviceId)).toEqual([ZONE_J]);
    expect(
      refusal(() =>
        cloud.rpc('privatelink', 'AttachResourceToVpcEndpointService', { ...resource, ResourceType: 'nlb' }),
      ).code,
    ).toBe('MissingParam.ZoneId');
    expect(refusal(() => cloud.rpc('privatelink', 'AttachResourceToVpcEndpointService', resource)).code).toBe(
      'MissingParam.ResourceType',
    );
  });
});

test('ListVpcEndpointConnections without ServiceId lists the connections of every service of the caller (assumed)', () => {
  const cloud = directCloud(world, DELAYS);
  const serviceId = activeService(cloud, { ResourceId: cluster1.apiServerLoadBalancerId, ResourceType: 'slb' });
  cloud.rpc('privatelink', 'CreateVpcEndpoint', {
    RegionId: 'cn-hangzhou',
    VpcId: mesh.vpcId,
    ServiceId: serviceId,
    SecurityGroupId: [mesh.securityGroupId],
    Zone: [{ VSwitchId: vSwitchIn(mesh.vpcId, ZONE_J), ZoneId: ZONE_J }],
  });
  const body = cloud.rpc('privatelink', 'ListVpcEndpointConnections', { RegionId: 'cn-hangzhou' }) as {
    Connections: Array<{ ServiceId: string }>;
    TotalCount: string;
  };
  expect(body.Connections.map((connection) => connection.ServiceId)).toEqual([serviceId]);
  expect(body.TotalCount).toBe('1');
});

test('DescribeVSwitchAttributes without RegionId looks in the world region (assumed); another region is refused', () => {
  const cloud = directCloud(world, DELAYS);
  const vSwitchId = vSwitchIn(mesh.vpcId, ZONE_J);
  expect(cloud.rpc('vpc', 'DescribeVSwitchAttributes', { VSwitchId: vSwitchId })).toMatchObject({
    VSwitchId: vSwitchId,
    ZoneId: ZONE_J,
  });
  expect(
    refusal(() => cloud.rpc('vpc', 'DescribeVSwitchAttributes', { VSwitchId: vSwitchId, RegionId: 'cn-beijing' })).code,
  ).toBe('InvalidRegionId.NotFound');
});
