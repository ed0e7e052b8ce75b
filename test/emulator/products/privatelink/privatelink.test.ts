import type { ApiError } from '../../errors';
import { directCloud, type DirectCloud } from '../../testing/direct';
import { twoClusters } from '../../testing/worlds';
import type { World } from '../../world';
import { refusal } from '../../testing/refusal';

const DELAYS = {
  serviceCreateMs: 1000,
  serviceUpdateMs: 100,
  serviceDeleteMs: 400,
  endpointCreateMs: 2000,
  endpointDeleteMs: 400,
  zoneCreateMs: 300,
  zoneDeleteMs: 300,
  connectMs: 500,
  disconnectMs: 200,
};

const { world, mesh, cluster1, cluster2, vSwitchIn } = twoClusters();
const ZONE_I = 'cn-hangzhou-i';
const ZONE_J = 'cn-hangzhou-j';
const ZONE_K = 'cn-hangzhou-k';

/** The cluster's API server service, in the zones given (its load balancer serves j and i). */
function createApiServerService(
  cloud: DirectCloud,
  options: { zones?: string[]; autoAccept?: boolean; tags?: Array<{ Key: string; Value: string }> } = {},
): string {
  const body = cloud.rpc('privatelink', 'CreateVpcEndpointService', {
    RegionId: 'cn-hangzhou',
    ServiceResourceType: 'slb',
    AutoAcceptEnabled: options.autoAccept ?? false,
    Resource: (options.zones ?? [ZONE_J]).map((zoneId) => ({
      ResourceId: cluster1.apiServerLoadBalancerId,
      ResourceType: 'slb',
      ZoneId: zoneId,
    })),
    ...(options.tags ? { Tag: options.tags } : {}),
  });
  return body.ServiceId as string;
}

/** An endpoint in the ASM VPC to that service, in zone j. */
function createAsmEndpoint(cloud: DirectCloud, serviceId: string, extra: Record<string, unknown> = {}): string {
  const body = cloud.rpc('privatelink', 'CreateVpcEndpoint', {
    RegionId: 'cn-hangzhou',
    VpcId: mesh.vpcId,
    ServiceId: serviceId,
    SecurityGroupId: [mesh.securityGroupId],
    Zone: [{ VSwitchId: vSwitchIn(mesh.vpcId, ZONE_J), ZoneId: ZONE_J }],
    ...extra,
  });
  return body.EndpointId as string;
}

function serviceStatus(cloud: DirectCloud, serviceId: string): string {
  return cloud.rpc('privatelink', 'GetVpcEndpointServiceAttribute', { RegionId: 'cn-hangzhou', ServiceId: serviceId })
    .ServiceStatus;
}

function endpointState(cloud: DirectCloud, endpointId: string) {
  const endpoint = cloud.rpc('privatelink', 'GetVpcEndpointAttribute', {
    RegionId: 'cn-hangzhou',
    EndpointId: endpointId,
  });
  const zones = cloud.rpc('privatelink', 'ListVpcEndpointZones', { RegionId: 'cn-hangzhou', EndpointId: endpointId })
    .Zones as Array<{ ZoneId: string; ZoneStatus: string }>;
  return {
    endpoint: endpoint.EndpointStatus,
    connection: endpoint.ConnectionStatus,
    zones: zones.map((zone) => `${zone.ZoneId}:${zone.ZoneStatus}`),
  };
}

/** A service that is Active, and an endpoint to it that is Active (connection Pending unless auto-accepted). */
function activeLink(cloud: DirectCloud, options: { autoAccept?: boolean } = {}) {
  const serviceId = createApiServerService(cloud, { autoAccept: options.autoAccept });
  cloud.advance(DELAYS.serviceCreateMs);
  const endpointId = createAsmEndpoint(cloud, serviceId);
  cloud.advance(DELAYS.endpointCreateMs);
  return { serviceId, endpointId };
}

describe('endpoint service state machine', () => {
  it('goes Creating → Active exactly serviceCreateMs after creation', () => {
    const cloud = directCloud(world, DELAYS);
    const created = cloud.rpc('privatelink', 'CreateVpcEndpointService', {
      RegionId: 'cn-hangzhou',
      Resource: [{ ResourceId: cluster1.apiServerLoadBalancerId, ResourceType: 'slb', ZoneId: ZONE_J }],
    });
    expect(created.ServiceId).toMatch(/^epsrv-[a-z0-9]{18}$/);
    expect(created.ServiceName).toBe(`com.aliyuncs.privatelink.cn-hangzhou.${created.ServiceId}`);
    expect(created.ServiceDomain).toBe(`${created.ServiceId}.cn-hangzhou.privatelink.aliyuncs.com`);
    expect(created.ServiceStatus).toBe('Creating');
    cloud.advance(DELAYS.serviceCreateMs - 1);
    expect(serviceStatus(cloud, created.ServiceId)).toBe('Creating');
    cloud.advance(1);
    expect(serviceStatus(cloud, created.ServiceId)).toBe('Active');
    expect(
      cloud.rpc('privatelink', 'GetVpcEndpointServiceAttribute', {
        RegionId: 'cn-hangzhou',
        ServiceId: created.ServiceId,
      }).Zones,
    ).toEqual([ZONE_J]);
  });

  it('goes Pending while an update applies and refuses another change meanwhile with EndpointServiceLocked', () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = createApiServerService(cloud);
    expect(
      refusal(() =>
        cloud.rpc('privatelink', 'UpdateVpcEndpointServiceAttribute', {
          RegionId: 'cn-hangzhou',
          ServiceId: serviceId,
          AutoAcceptEnabled: true,
        }),
      ).code,
    ).toBe('EndpointServiceOperationDenied');
    cloud.advance(DELAYS.serviceCreateMs);
    cloud.rpc('privatelink', 'UpdateVpcEndpointServiceAttribute', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
      AutoAcceptEnabled: true,
    });
    expect(serviceStatus(cloud, serviceId)).toBe('Pending');
    expect(
      refusal(() =>
        cloud.rpc('privatelink', 'UpdateVpcEndpointServiceAttribute', {
          RegionId: 'cn-hangzhou',
          ServiceId: serviceId,
          ConnectBandwidth: 200,
        }),
      ).code,
    ).toBe('EndpointServiceLocked');
    cloud.advance(DELAYS.serviceUpdateMs);
    const service = cloud.rpc('privatelink', 'GetVpcEndpointServiceAttribute', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
    });
    expect([service.ServiceStatus, service.AutoAcceptEnabled]).toEqual(['Active', true]);
  });

  it('cannot be deleted while endpoints are connected or exist, or resources attached, then goes Deleting → gone', () => {
    const cloud = directCloud(world, DELAYS);
    const { serviceId, endpointId } = activeLink(cloud, { autoAccept: true });
    cloud.advance(DELAYS.connectMs);
    const deleteService = () =>
      cloud.rpc('privatelink', 'DeleteVpcEndpointService', { RegionId: 'cn-hangzhou', ServiceId: serviceId });
    expect(refusal(deleteService).code).toBe('EndpointServiceConnectionDependence');
    cloud.rpc('privatelink', 'DisableVpcEndpointConnection', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
      EndpointId: endpointId,
    });
    cloud.advance(DELAYS.disconnectMs);
    expect(refusal(deleteService).code).toBe('DeleteFailedDueToEndpointExist');
    cloud.rpc('privatelink', 'DeleteVpcEndpoint', { RegionId: 'cn-hangzhou', EndpointId: endpointId });
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Deleting',
      connection: 'Deleting',
      zones: [`${ZONE_J}:Deleting`],
    });
    expect(refusal(deleteService).code).toBe('DeleteFailedDueToEndpointExist');
    cloud.advance(DELAYS.endpointDeleteMs);
    expect(refusal(() => endpointState(cloud, endpointId)).code).toBe('EndpointNotFound');
    expect(refusal(deleteService).code).toBe('EndpointServiceDependenceViolation');
    cloud.rpc('privatelink', 'DetachResourceFromVpcEndpointService', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
      ResourceId: cluster1.apiServerLoadBalancerId,
      ZoneId: ZONE_J,
    });
    deleteService();
    expect(serviceStatus(cloud, serviceId)).toBe('Deleting');
    cloud.advance(DELAYS.serviceDeleteMs);
    expect(refusal(() => serviceStatus(cloud, serviceId)).code).toBe('EndpointServiceNotFound');
  });
});

describe('CreateVpcEndpointService checks', () => {
  const base = { RegionId: 'cn-hangzhou', ServiceResourceType: 'slb' };
  const resource = (overrides: Record<string, string>) => ({
    Resource: [{ ResourceId: cluster1.apiServerLoadBalancerId, ResourceType: 'slb', ZoneId: ZONE_J, ...overrides }],
  });

  it.each([
    ['no RegionId', { Resource: [] }, 'MissingParam.RegionId'],
    ['another region', { ...base, RegionId: 'cn-beijing' }, 'InvalidRegionId.NotFound'],
    [
      'an unknown ServiceResourceType',
      { ...base, ServiceResourceType: 'ecs' },
      'IllegalParamFormat.ServiceResourceType',
    ],
    ['AutoAcceptEnabled not a boolean', { ...base, AutoAcceptEnabled: 'yes' }, 'IllegalParamFormat.AutoAcceptEnabled'],
    [
      'a resource without ResourceType',
      { ...base, Resource: [{ ResourceId: cluster1.apiServerLoadBalancerId, ZoneId: ZONE_J }] },
      'MissingParam.Resource.1.ResourceType',
    ],
    [
      'an unknown load balancer',
      { ...base, ...resource({ ResourceId: 'lb-bp1doesnotexist000000' }) },
      'LoadBalancerNotFound',
    ],
    [
      "a resource type other than the service's",
      { ...base, ...resource({ ResourceType: 'nlb' }) },
      'Mismatch.ResourceType',
    ],
    [
      'a zone the load balancer does not serve',
      { ...base, ...resource({ ZoneId: ZONE_K }) },
      'EndpointServiceNotSupportedZone',
    ],
    ['a tag value without a key', { ...base, Tag: [{ Value: 'x' }] }, 'MissingParam.Tag.1.Key'],
    [
      'a tag key starting with aliyun',
      { ...base, Tag: [{ Key: 'aliyun:x', Value: 'x' }] },
      'IllegalParamFormat.Tag.1.Key',
    ],
  ])('refuses %s', (_, params, code) => {
    const cloud = directCloud(world, DELAYS);
    expect(refusal(() => cloud.rpc('privatelink', 'CreateVpcEndpointService', params)).code).toBe(code);
    expect(cloud.cloud.services.size).toBe(0);
  });

  it('refuses an Internet-facing load balancer with LoadBalancerNotSupportPrivateLink', () => {
    const internet = structuredClone(world);
    internet.loadBalancers.find((lb) => lb.loadBalancerId === cluster1.apiServerLoadBalancerId)!.addressType =
      'internet';
    const cloud = directCloud(internet, DELAYS);
    expect(refusal(() => cloud.rpc('privatelink', 'CreateVpcEndpointService', { ...base, ...resource({}) })).code).toBe(
      'LoadBalancerNotSupportPrivateLink',
    );
  });

  it('refuses a zone PrivateLink does not support for the type with EndpointServiceNotSupportedZone', () => {
    const noSlbInJ = structuredClone(world);
    noSlbInJ.zones.find((zone) => zone.zoneId === ZONE_J)!.privateLinkResourceTypes = ['nlb'];
    const cloud = directCloud(noSlbInJ, DELAYS);
    const error = refusal(() => cloud.rpc('privatelink', 'CreateVpcEndpointService', { ...base, ...resource({}) }));
    expect(error.code).toBe('EndpointServiceNotSupportedZone');
    expect(error.message).toContain('PrivateLink does not support slb services in zone cn-hangzhou-j');
  });

  it('answers DryRunOperation for a valid DryRun and creates nothing', () => {
    const cloud = directCloud(world, DELAYS);
    expect(
      refusal(() => cloud.rpc('privatelink', 'CreateVpcEndpointService', { ...base, ...resource({}), DryRun: true }))
        .code,
    ).toBe('DryRunOperation');
    expect(cloud.cloud.services.size).toBe(0);
  });

  it('refuses with NeedOpenProduct until PrivateLink is opened, and OrderOpend once it is', () => {
    const closed: World = structuredClone(world);
    closed.accounts[0]!.privateLinkOpen = false;
    const cloud = directCloud(closed, DELAYS);
    expect(cloud.rpc('privatelink', 'CheckProductOpen').Success).toBe(false);
    expect(refusal(() => cloud.rpc('privatelink', 'CreateVpcEndpointService', { ...base, ...resource({}) })).code).toBe(
      'NeedOpenProduct',
    );
    expect(cloud.rpc('privatelink', 'OpenPrivateLinkService').OrderId).toMatch(/^\d{15}$/);
    expect(cloud.rpc('privatelink', 'CheckProductOpen').Success).toBe(true);
    expect(refusal(() => cloud.rpc('privatelink', 'OpenPrivateLinkService')).code).toBe('OrderOpend');
    expect(cloud.rpc('privatelink', 'CreateVpcEndpointService', { ...base, ...resource({}) }).ServiceStatus).toBe(
      'Creating',
    );
  });
});

describe('endpoint and connection state machines', () => {
  it('manual accept: Creating/Disconnected → Active/Pending with zones Wait → Enable → Connecting → Connected', () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = createApiServerService(cloud);
    cloud.advance(DELAYS.serviceCreateMs);
    const endpointId = createAsmEndpoint(cloud, serviceId);
    expect(endpointId).toMatch(/^ep-[a-z0-9]{18}$/);
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Creating',
      connection: 'Disconnected',
      zones: [`${ZONE_J}:Creating`],
    });
    const enable = () =>
      cloud.rpc('privatelink', 'EnableVpcEndpointConnection', {
        RegionId: 'cn-hangzhou',
        ServiceId: serviceId,
        EndpointId: endpointId,
      });
    expect(refusal(enable).code).toBe('EndpointConnectionOperationDenied');
    cloud.advance(DELAYS.endpointCreateMs);
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Active',
      connection: 'Pending',
      zones: [`${ZONE_J}:Wait`],
    });
    enable();
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Active',
      connection: 'Connecting',
      zones: [`${ZONE_J}:Connecting`],
    });
    expect(refusal(enable).code).toBe('EndpointConnectionOperationDenied');
    cloud.advance(DELAYS.connectMs);
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Active',
      connection: 'Connected',
      zones: [`${ZONE_J}:Connected`],
    });
    const connections = cloud.rpc('privatelink', 'ListVpcEndpointConnections', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
    });
    expect(connections.TotalCount).toBe('1');
    expect(connections.Connections[0]).toMatchObject({
      EndpointId: endpointId,
      EndpointVpcId: mesh.vpcId,
      ConnectionStatus: 'Connected',
      Zones: [{ ZoneId: ZONE_J, ResourceId: cluster1.apiServerLoadBalancerId, ZoneStatus: 'Connected' }],
    });
  });

  it('auto-accept: the connection goes Connecting → Connected on its own once the endpoint is Active', () => {
    const cloud = directCloud(world, DELAYS);
    const { endpointId } = activeLink(cloud, { autoAccept: true });
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Active',
      connection: 'Connecting',
      zones: [`${ZONE_J}:Connecting`],
    });
    cloud.advance(DELAYS.connectMs);
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Active',
      connection: 'Connected',
      zones: [`${ZONE_J}:Connected`],
    });
  });

  it('Disable: Connected → Disconnecting → Disconnected, and can be enabled again', () => {
    const cloud = directCloud(world, DELAYS);
    const { serviceId, endpointId } = activeLink(cloud, { autoAccept: true });
    cloud.advance(DELAYS.connectMs);
    cloud.rpc('privatelink', 'DisableVpcEndpointConnection', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
      EndpointId: endpointId,
    });
    expect(endpointState(cloud, endpointId).connection).toBe('Disconnecting');
    cloud.advance(DELAYS.disconnectMs);
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Active',
      connection: 'Disconnected',
      zones: [`${ZONE_J}:Disconnected`],
    });
    cloud.rpc('privatelink', 'EnableVpcEndpointConnection', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
      EndpointId: endpointId,
    });
    cloud.advance(DELAYS.connectMs);
    expect(endpointState(cloud, endpointId).connection).toBe('Connected');
  });

  it('refuses an endpoint to a service that is not Active yet with IncorrectStatus.VpcEndpointService', () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = createApiServerService(cloud);
    expect(refusal(() => createAsmEndpoint(cloud, serviceId)).code).toBe('IncorrectStatus.VpcEndpointService');
  });

  it('AddZone: the endpoint is Pending (EndpointLocked for other zone changes) until the zone settles', () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = createApiServerService(cloud, { zones: [ZONE_J], autoAccept: true });
    cloud.advance(DELAYS.serviceCreateMs);
    cloud.rpc('privatelink', 'AttachResourceToVpcEndpointService', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
      ResourceId: cluster1.apiServerLoadBalancerId,
      ResourceType: 'slb',
      ZoneId: ZONE_I,
    });
    const endpointId = createAsmEndpoint(cloud, serviceId);
    cloud.advance(DELAYS.endpointCreateMs + DELAYS.connectMs);
    const addZoneK = () =>
      cloud.rpc('privatelink', 'AddZoneToVpcEndpoint', {
        RegionId: 'cn-hangzhou',
        EndpointId: endpointId,
        ZoneId: ZONE_K,
        VSwitchId: vSwitchIn(mesh.vpcId, ZONE_K),
      });
    const error = refusal(addZoneK);
    expect(error.code).toBe('EndpointServiceNotSupportedZone');
    expect(error.message).toContain('it covers cn-hangzhou-j, cn-hangzhou-i');
    cloud.rpc('privatelink', 'AttachResourceToVpcEndpointService', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
      ResourceId: cluster2.apiServerLoadBalancerId,
      ResourceType: 'slb',
      ZoneId: ZONE_K,
    });
    addZoneK();
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Pending',
      connection: 'Connected',
      zones: [`${ZONE_J}:Connected`, `${ZONE_K}:Creating`],
    });
    expect(
      refusal(() =>
        cloud.rpc('privatelink', 'RemoveZoneFromVpcEndpoint', {
          RegionId: 'cn-hangzhou',
          EndpointId: endpointId,
          ZoneId: ZONE_J,
        }),
      ).code,
    ).toBe('EndpointLocked');
    cloud.advance(DELAYS.zoneCreateMs);
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Active',
      connection: 'Connected',
      zones: [`${ZONE_J}:Connected`, `${ZONE_K}:Connected`],
    });
    expect(refusal(addZoneK).code).toBe('EndpointZoneDuplicated');
    cloud.rpc('privatelink', 'RemoveZoneFromVpcEndpoint', {
      RegionId: 'cn-hangzhou',
      EndpointId: endpointId,
      ZoneId: ZONE_K,
    });
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Pending',
      connection: 'Connected',
      zones: [`${ZONE_J}:Connected`, `${ZONE_K}:Deleting`],
    });
    cloud.advance(DELAYS.zoneDeleteMs);
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Active',
      connection: 'Connected',
      zones: [`${ZONE_J}:Connected`],
    });
    expect(
      refusal(() =>
        cloud.rpc('privatelink', 'RemoveZoneFromVpcEndpoint', {
          RegionId: 'cn-hangzhou',
          EndpointId: endpointId,
          ZoneId: ZONE_K,
        }),
      ).code,
    ).toBe('EndpointZoneNotFound');
  });

  it('a zone added while the connection waits for acceptance settles to Wait', () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = createApiServerService(cloud, { zones: [ZONE_J] });
    cloud.advance(DELAYS.serviceCreateMs);
    const endpointId = cloud.rpc('privatelink', 'CreateVpcEndpoint', {
      RegionId: 'cn-hangzhou',
      VpcId: mesh.vpcId,
      ServiceId: serviceId,
      SecurityGroupId: [mesh.securityGroupId],
    }).EndpointId;
    cloud.advance(DELAYS.endpointCreateMs);
    cloud.rpc('privatelink', 'AddZoneToVpcEndpoint', {
      RegionId: 'cn-hangzhou',
      EndpointId: endpointId,
      ZoneId: ZONE_J,
      VSwitchId: vSwitchIn(mesh.vpcId, ZONE_J),
    });
    cloud.advance(DELAYS.zoneCreateMs);
    expect(endpointState(cloud, endpointId)).toEqual({
      endpoint: 'Active',
      connection: 'Pending',
      zones: [`${ZONE_J}:Wait`],
    });
  });

  it('refuses to detach the last resource of a zone an endpoint is connected through', () => {
    const cloud = directCloud(world, DELAYS);
    const { serviceId } = activeLink(cloud, { autoAccept: true });
    cloud.advance(DELAYS.connectMs);
    const detach = {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
      ResourceId: cluster1.apiServerLoadBalancerId,
      ResourceType: 'slb',
      ZoneId: ZONE_J,
    };
    expect(refusal(() => cloud.rpc('privatelink', 'DetachResourceFromVpcEndpointService', detach)).code).toBe(
      'EndpointServiceConnectionDependence',
    );
    expect(
      refusal(() => cloud.rpc('privatelink', 'DetachResourceFromVpcEndpointService', { ...detach, ZoneId: ZONE_I }))
        .code,
    ).toBe('EndpointServiceResourceNotFound');
    expect(refusal(() => cloud.rpc('privatelink', 'AttachResourceToVpcEndpointService', detach)).code).toBe(
      'EndpointServiceResourceExist',
    );
    const resources = cloud.rpc('privatelink', 'ListVpcEndpointServiceResources', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
    });
    expect(resources.Resources).toEqual([
      expect.objectContaining({
        ResourceId: cluster1.apiServerLoadBalancerId,
        ResourceType: 'slb',
        ZoneId: ZONE_J,
        VpcId: cluster1.vpcId,
        Ip: '10.1.1.5',
        RelatedEndpointCount: 1,
      }),
    ]);
  });

  it('refuses to delete an endpoint that is still Creating, and a protected one', () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = createApiServerService(cloud);
    cloud.advance(DELAYS.serviceCreateMs);
    const endpointId = createAsmEndpoint(cloud, serviceId, { ProtectedEnabled: true });
    expect(
      refusal(() => cloud.rpc('privatelink', 'DeleteVpcEndpoint', { RegionId: 'cn-hangzhou', EndpointId: endpointId }))
        .code,
    ).toBe('OperationDenied.EndpointProtected');
    const other = createAsmEndpoint(cloud, serviceId);
    expect(
      refusal(() => cloud.rpc('privatelink', 'DeleteVpcEndpoint', { RegionId: 'cn-hangzhou', EndpointId: other })).code,
    ).toBe('EndpointOperationDenied');
  });
});

describe('endpoint placement rules', () => {
  function refusedEndpoint(overrides: Record<string, unknown>, prepare: (world: World) => void = () => {}): ApiError {
    const variant = structuredClone(world);
    prepare(variant);
    const cloud = directCloud(variant, DELAYS);
    const serviceId = createApiServerService(cloud, { zones: [ZONE_J, ZONE_I] });
    cloud.advance(DELAYS.serviceCreateMs);
    return refusal(() => createAsmEndpoint(cloud, serviceId, overrides));
  }

  it.each([
    [
      "a zone the service's resources do not cover",
      { Zone: [{ VSwitchId: vSwitchIn(mesh.vpcId, ZONE_K), ZoneId: ZONE_K }] },
      'EndpointServiceNotSupportedZone',
    ],
    [
      'a vSwitch in another zone than named',
      { Zone: [{ VSwitchId: vSwitchIn(mesh.vpcId, ZONE_K), ZoneId: ZONE_J }] },
      'VSwitchNotFound',
    ],
    [
      'a vSwitch of another VPC',
      { Zone: [{ VSwitchId: vSwitchIn(cluster1.vpcId, ZONE_J), ZoneId: ZONE_J }] },
      'VSwitchNotFound',
    ],
    ['an unknown vSwitch', { Zone: [{ VSwitchId: 'vsw-bp1nothere00000000000', ZoneId: ZONE_J }] }, 'VSwitchNotFound'],
    ['a zone without ZoneId', { Zone: [{ VSwitchId: vSwitchIn(mesh.vpcId, ZONE_J) }] }, 'MissingParam.Zone.1.ZoneId'],
    [
      'the same zone twice',
      {
        Zone: [
          { VSwitchId: vSwitchIn(mesh.vpcId, ZONE_J), ZoneId: ZONE_J },
          { VSwitchId: vSwitchIn(mesh.vpcId, ZONE_J), ZoneId: ZONE_J },
        ],
      },
      'EndpointZoneDuplicated',
    ],
    [
      'an ip outside the vSwitch',
      { Zone: [{ VSwitchId: vSwitchIn(mesh.vpcId, ZONE_J), ZoneId: ZONE_J, ip: '10.9.9.9' }] },
      'IllegalParamFormat.Zone.1.ip',
    ],
    ['a security group of another VPC', { SecurityGroupId: [cluster1.securityGroupId] }, 'SecurityGroupNotFound'],
    ['an unknown VPC', { VpcId: 'vpc-bp1nothere0000000000' }, 'VpcNotFound'],
    ['no ServiceId or ServiceName', { ServiceId: undefined }, 'MissingParam.ServiceId'],
    ['an unknown service', { ServiceId: 'epsrv-bp1nothere0000000' }, 'EndpointServiceNotFound'],
  ])('refuses %s', (_, overrides, code) => {
    expect(refusedEndpoint(overrides).code).toBe(code);
  });

  it("refuses a zone where PrivateLink does not support the service's type, even if its resources were placed before", () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = createApiServerService(cloud, { zones: [ZONE_J] });
    cloud.advance(DELAYS.serviceCreateMs);
    cloud.cloud.world.zones.find((zone) => zone.zoneId === ZONE_J)!.privateLinkResourceTypes = ['nlb'];
    const error = refusal(() => createAsmEndpoint(cloud, serviceId));
    expect([error.code, error.message]).toEqual([
      'EndpointServiceNotSupportedZone',
      expect.stringContaining('does not support slb services in zone cn-hangzhou-j (Zone.1)'),
    ]);
  });

  it('places the interface at the ip asked for, else at a fresh address of the vSwitch', () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = createApiServerService(cloud, { zones: [ZONE_J] });
    cloud.advance(DELAYS.serviceCreateMs);
    const first = createAsmEndpoint(cloud, serviceId, {
      Zone: [{ VSwitchId: vSwitchIn(mesh.vpcId, ZONE_J), ZoneId: ZONE_J, ip: '192.168.1.50' }],
    });
    const second = createAsmEndpoint(cloud, serviceId);
    const ipOf = (endpointId: string) =>
      cloud.rpc('privatelink', 'ListVpcEndpointZones', { RegionId: 'cn-hangzhou', EndpointId: endpointId }).Zones[0]
        .EniIp;
    expect([ipOf(first), ipOf(second)]).toEqual(['192.168.1.50', '192.168.1.101']);
  });

  it('refuses an endpoint without a security group with EndpointMustContainSecurityGroup', () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = createApiServerService(cloud);
    cloud.advance(DELAYS.serviceCreateMs);
    expect(refusal(() => createAsmEndpoint(cloud, serviceId, { SecurityGroupId: [] })).code).toBe(
      'EndpointMustContainSecurityGroup',
    );
    expect(cloud.cloud.endpoints.size).toBe(0);
  });

  it("lets another account connect only once it is on the service's allowlist", () => {
    const shared: World = structuredClone(world);
    const consumerAccount = { accountId: '1999999999999999', accessKeyId: 'LTAI5tOtherAccount0000000' };
    shared.accounts.push({
      accountId: consumerAccount.accountId,
      accessKeys: [{ accessKeyId: consumerAccount.accessKeyId, accessKeySecret: 'other' }],
    });
    shared.vpcs.find((vpc) => vpc.vpcId === mesh.vpcId)!.accountId = consumerAccount.accountId;
    const provider = directCloud(shared, DELAYS);
    const consumer = provider.as(consumerAccount);
    const serviceId = createApiServerService(provider);
    provider.advance(DELAYS.serviceCreateMs);
    const byEndUser = (cloud: DirectCloud) =>
      (
        cloud.rpc('privatelink', 'ListVpcEndpointServicesByEndUser', { RegionId: 'cn-hangzhou' }).Services as Array<{
          ServiceId: string;
        }>
      ).map((service) => service.ServiceId);
    expect([byEndUser(provider), byEndUser(consumer)]).toEqual([[serviceId], []]);
    expect(refusal(() => createAsmEndpoint(consumer, serviceId)).code).toBe('EndpointServiceNotAuthorized');
    // The ASM VPC now belongs to the consumer account, so it does not exist for the provider.
    expect(refusal(() => createAsmEndpoint(provider, serviceId)).code).toBe('VpcNotFound');
    provider.rpc('privatelink', 'AddUserToVpcEndpointService', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
      UserId: consumerAccount.accountId,
    });
    expect(
      provider.rpc('privatelink', 'ListVpcEndpointServiceUsers', { RegionId: 'cn-hangzhou', ServiceId: serviceId }),
    ).toMatchObject({ Users: [{ UserId: 1999999999999999 }], TotalCount: '1' });
    expect(byEndUser(consumer)).toEqual([serviceId]);
    const endpointId = createAsmEndpoint(consumer, serviceId);
    expect(
      consumer.rpc('privatelink', 'GetVpcEndpointAttribute', { RegionId: 'cn-hangzhou', EndpointId: endpointId })
        .ResourceOwner,
    ).toBe(false);
    expect(
      refusal(() =>
        provider.rpc('privatelink', 'GetVpcEndpointAttribute', { RegionId: 'cn-hangzhou', EndpointId: endpointId }),
      ).code,
    ).toBe('EndpointNotFound');
    provider.advance(DELAYS.endpointCreateMs);
    expect(
      provider.rpc('privatelink', 'ListVpcEndpointConnections', { RegionId: 'cn-hangzhou', ServiceId: serviceId })
        .Connections[0],
    ).toMatchObject({
      EndpointId: endpointId,
      EndpointOwnerId: 1999999999999999,
      ConnectionStatus: 'Pending',
      ResourceOwner: false,
    });
    provider.rpc('privatelink', 'RemoveUserFromVpcEndpointService', {
      RegionId: 'cn-hangzhou',
      ServiceId: serviceId,
      UserId: consumerAccount.accountId,
    });
    expect(refusal(() => createAsmEndpoint(consumer, serviceId)).code).toBe('EndpointServiceNotAuthorized');
  });
});
