import { directCloud, type DirectCloud } from '../../testing/direct';
import { twoClusters } from '../../testing/worlds';
import { refusal } from '../../testing/refusal';

const { world, mesh, cluster1, cluster2, vSwitchIn } = twoClusters();
const DELAYS = { serviceCreateMs: 10, endpointCreateMs: 10, connectMs: 10 };

function createService(
  cloud: DirectCloud,
  tags: Array<{ Key: string; Value: string }>,
  lb = cluster1.apiServerLoadBalancerId,
): string {
  return cloud.rpc('privatelink', 'CreateVpcEndpointService', {
    RegionId: 'cn-hangzhou',
    Resource: [{ ResourceId: lb, ResourceType: 'slb', ZoneId: 'cn-hangzhou-j' }],
    Tag: tags,
  }).ServiceId;
}

function createEndpoint(cloud: DirectCloud, serviceId: string, tags: Array<{ Key: string; Value: string }>): string {
  return cloud.rpc('privatelink', 'CreateVpcEndpoint', {
    RegionId: 'cn-hangzhou',
    VpcId: mesh.vpcId,
    ServiceId: serviceId,
    SecurityGroupId: [mesh.securityGroupId],
    Zone: [{ VSwitchId: vSwitchIn(mesh.vpcId, 'cn-hangzhou-j'), ZoneId: 'cn-hangzhou-j' }],
    Tag: tags,
  }).EndpointId;
}

/** Every page of a List action, following NextToken. */
function allPages(
  cloud: DirectCloud,
  action: string,
  field: string,
  params: Record<string, unknown>,
): { pages: number[]; items: any[]; totals: unknown[] } {
  const pages: number[] = [];
  const items: any[] = [];
  const totals: unknown[] = [];
  let nextToken: string | undefined;
  do {
    const body = cloud.rpc('privatelink', action, {
      RegionId: 'cn-hangzhou',
      ...params,
      ...(nextToken ? { NextToken: nextToken } : {}),
    });
    pages.push(body[field].length);
    items.push(...body[field]);
    totals.push(body.TotalCount);
    nextToken = body.NextToken;
  } while (nextToken);
  return { pages, items, totals };
}

describe('pagination of List actions', () => {
  it('pages ListVpcEndpointServices by MaxResults with NextToken, absent on the last page', () => {
    const cloud = directCloud(world, DELAYS);
    const ids = Array.from({ length: 7 }, (_, n) => createService(cloud, [{ Key: 'n', Value: String(n) }]));
    const listed = allPages(cloud, 'ListVpcEndpointServices', 'Services', { MaxResults: 3 });
    expect(listed.pages).toEqual([3, 3, 1]);
    expect(listed.items.map((service) => service.ServiceId)).toEqual(ids);
    expect(listed.totals).toEqual([7, 7, 7]);
    const first = cloud.rpc('privatelink', 'ListVpcEndpointServices', { RegionId: 'cn-hangzhou' });
    expect([first.Services.length, first.MaxResults, first.NextToken]).toEqual([7, 50, undefined]);
  });

  it('pages ListVpcEndpoints, ListVpcEndpointConnections (TotalCount a string) and ListTagResources alike', () => {
    const cloud = directCloud(world, DELAYS);
    const serviceId = createService(cloud, []);
    cloud.advance(DELAYS.serviceCreateMs);
    const endpoints = Array.from({ length: 5 }, () =>
      createEndpoint(cloud, serviceId, [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ]),
    );
    expect(allPages(cloud, 'ListVpcEndpoints', 'Endpoints', { MaxResults: 2 }).pages).toEqual([2, 2, 1]);
    const connections = allPages(cloud, 'ListVpcEndpointConnections', 'Connections', {
      ServiceId: serviceId,
      MaxResults: 4,
    });
    expect([connections.pages, connections.totals]).toEqual([
      [4, 1],
      ['5', '5'],
    ]);
    const tagRows = allPages(cloud, 'ListTagResources', 'TagResources', { ResourceType: 'vpcendpoint', MaxResults: 3 });
    expect(tagRows.pages).toEqual([3, 3, 3, 1]);
    expect(new Set(tagRows.items.map((row) => row.ResourceId))).toEqual(new Set(endpoints));
  });

  it.each([
    [{ MaxResults: 0 }, 'IllegalParamFormat.MaxResults'],
    [{ MaxResults: 51 }, 'IllegalParamFormat.MaxResults'],
    [{ MaxResults: 'ten' }, 'IllegalParamFormat.MaxResults'],
    [{ NextToken: 'not-a-token' }, 'IllegalParamFormat.NextToken'],
  ])('refuses %p with %s', (params, code) => {
    const cloud = directCloud(world, DELAYS);
    expect(
      refusal(() => cloud.rpc('privatelink', 'ListVpcEndpoints', { RegionId: 'cn-hangzhou', ...params })).code,
    ).toBe(code);
  });
});

describe('tags', () => {
  function tagged() {
    const cloud = directCloud(world, DELAYS);
    const apiServer1 = createService(cloud, [
      { Key: 'asmpvl.io/cluster', Value: cluster1.clusterId },
      { Key: 'asmpvl.io/link', Value: 'apiserver' },
    ]);
    const apiServer2 = createService(
      cloud,
      [
        { Key: 'asmpvl.io/cluster', Value: cluster2.clusterId },
        { Key: 'asmpvl.io/link', Value: 'apiserver' },
      ],
      cluster2.apiServerLoadBalancerId,
    );
    const untagged = createService(cloud, []);
    cloud.advance(DELAYS.serviceCreateMs);
    const endpoint1 = createEndpoint(cloud, apiServer1, [{ Key: 'asmpvl.io/cluster', Value: cluster1.clusterId }]);
    const endpoint2 = createEndpoint(cloud, apiServer2, [{ Key: 'asmpvl.io/cluster', Value: cluster2.clusterId }]);
    return { cloud, apiServer1, apiServer2, untagged, endpoint1, endpoint2 };
  }
  const ids = (items: any[], field: string) => items.map((item) => item[field]);

  it('are set at create time and returned with each service and endpoint', () => {
    const { cloud, apiServer1, endpoint1 } = tagged();
    expect(
      cloud.rpc('privatelink', 'ListVpcEndpointServices', { RegionId: 'cn-hangzhou', ServiceId: apiServer1 })
        .Services[0].Tags,
    ).toEqual([
      { Key: 'asmpvl.io/cluster', Value: cluster1.clusterId },
      { Key: 'asmpvl.io/link', Value: 'apiserver' },
    ]);
    expect(
      cloud.rpc('privatelink', 'ListVpcEndpoints', { RegionId: 'cn-hangzhou', EndpointId: endpoint1 }).Endpoints[0]
        .Tags,
    ).toEqual([{ Key: 'asmpvl.io/cluster', Value: cluster1.clusterId }]);
  });

  it('filter ListVpcEndpointServices and ListVpcEndpoints: every Tag.N must match; a key without value matches any value', () => {
    const { cloud, apiServer1, apiServer2, endpoint2 } = tagged();
    const services = (tags: unknown[]) =>
      ids(
        cloud.rpc('privatelink', 'ListVpcEndpointServices', { RegionId: 'cn-hangzhou', Tag: tags }).Services,
        'ServiceId',
      );
    expect(services([{ Key: 'asmpvl.io/link', Value: 'apiserver' }])).toEqual([apiServer1, apiServer2]);
    expect(
      services([
        { Key: 'asmpvl.io/link', Value: 'apiserver' },
        { Key: 'asmpvl.io/cluster', Value: cluster2.clusterId },
      ]),
    ).toEqual([apiServer2]);
    expect(services([{ Key: 'asmpvl.io/cluster' }])).toEqual([apiServer1, apiServer2]);
    expect(services([{ Key: 'asmpvl.io/link', Value: 'pilot' }])).toEqual([]);
    expect(
      ids(
        cloud.rpc('privatelink', 'ListVpcEndpoints', {
          RegionId: 'cn-hangzhou',
          Tag: [{ Key: 'asmpvl.io/cluster', Value: cluster2.clusterId }],
        }).Endpoints,
        'EndpointId',
      ),
    ).toEqual([endpoint2]);
  });

  it('ListTagResources finds resources by id or by tag, one row per tag; ResourceType in either case', () => {
    const { cloud, apiServer1, apiServer2 } = tagged();
    const rows = cloud.rpc('privatelink', 'ListTagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'VpcEndpointService',
      ResourceId: [apiServer1],
    }).TagResources;
    expect(rows).toEqual([
      {
        ResourceId: apiServer1,
        ResourceType: 'vpcendpointservice',
        TagKey: 'asmpvl.io/cluster',
        TagValue: cluster1.clusterId,
      },
      { ResourceId: apiServer1, ResourceType: 'vpcendpointservice', TagKey: 'asmpvl.io/link', TagValue: 'apiserver' },
    ]);
    const byTag = cloud.rpc('privatelink', 'ListTagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'vpcendpointservice',
      Tag: [{ Key: 'asmpvl.io/cluster', Value: cluster2.clusterId }],
    }).TagResources;
    expect(new Set(byTag.map((row: any) => row.ResourceId))).toEqual(new Set([apiServer2]));
    expect(
      refusal(() => cloud.rpc('privatelink', 'ListTagResources', { RegionId: 'cn-hangzhou', ResourceType: 'instance' }))
        .code,
    ).toBe('IllegalParamFormat.ResourceType');
    expect(refusal(() => cloud.rpc('privatelink', 'ListTagResources', { RegionId: 'cn-hangzhou' })).code).toBe(
      'MissingParam.ResourceType',
    );
  });

  it('TagResources adds or replaces tags, UntagResources removes them, at most 20 per resource', () => {
    const { cloud, untagged, endpoint1 } = tagged();
    cloud.rpc('privatelink', 'TagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'vpcendpointservice',
      ResourceId: [untagged],
      Tag: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ],
    });
    cloud.rpc('privatelink', 'TagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'vpcendpointservice',
      ResourceId: [untagged],
      Tag: [{ Key: 'a', Value: '3' }],
    });
    const tagsOf = () =>
      cloud.rpc('privatelink', 'ListVpcEndpointServices', { RegionId: 'cn-hangzhou', ServiceId: untagged }).Services[0]
        .Tags;
    expect(tagsOf()).toEqual([
      { Key: 'b', Value: '2' },
      { Key: 'a', Value: '3' },
    ]);
    cloud.rpc('privatelink', 'UntagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'vpcendpointservice',
      ResourceId: [untagged],
      TagKey: ['b'],
    });
    expect(tagsOf()).toEqual([{ Key: 'a', Value: '3' }]);
    cloud.rpc('privatelink', 'UntagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'vpcendpointservice',
      ResourceId: [untagged],
      All: true,
    });
    expect(tagsOf()).toEqual([]);
    const many = Array.from({ length: 20 }, (_, n) => ({ Key: `k${n}`, Value: 'v' }));
    expect(
      refusal(() =>
        cloud.rpc('privatelink', 'TagResources', {
          RegionId: 'cn-hangzhou',
          ResourceType: 'vpcendpoint',
          ResourceId: [endpoint1],
          Tag: many,
        }),
      ).code,
    ).toBe('QuotaExceed.TagsPerResource');
    expect(
      refusal(() =>
        cloud.rpc('privatelink', 'TagResources', {
          RegionId: 'cn-hangzhou',
          ResourceType: 'vpcendpoint',
          ResourceId: ['ep-bp1nothere000000000'],
          Tag: [{ Key: 'a', Value: '1' }],
        }),
      ).code,
    ).toBe('EndpointNotFound');
    expect(
      refusal(() =>
        cloud.rpc('privatelink', 'UntagResources', {
          RegionId: 'cn-hangzhou',
          ResourceType: 'vpcendpoint',
          ResourceId: [endpoint1],
        }),
      ).code,
    ).toBe('MissingParam.TagKey.1');
  });
});

describe('zones and regions', () => {
  it('DescribeZones lists the zones where PrivateLink supports the resource type (slb by default)', () => {
    const variant = structuredClone(world);
    variant.zones[0]!.privateLinkResourceTypes = ['nlb'];
    const cloud = directCloud(variant, DELAYS);
    const zones = (type?: string) =>
      cloud
        .rpc('privatelink', 'DescribeZones', {
          RegionId: 'cn-hangzhou',
          ...(type ? { ServiceResourceType: type } : {}),
        })
        .Zones.Zone.map((zone: any) => zone.ZoneId);
    expect(zones()).toEqual(['cn-hangzhou-j', 'cn-hangzhou-k']);
    expect(zones('nlb')).toEqual(['cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k']);
    expect(zones('alb')).toEqual([]);
  });

  it("DescribeRegions lists the world's region with its endpoint and resource types", () => {
    const cloud = directCloud(world, DELAYS);
    expect(cloud.rpc('privatelink', 'DescribeRegions').Regions.Region).toEqual([
      {
        RegionId: 'cn-hangzhou',
        LocalName: 'China (Hangzhou)',
        RegionEndpoint: 'privatelink.cn-hangzhou.aliyuncs.com',
        ServiceResourceTypes: { ServiceResourceType: ['slb', 'nlb'] },
      },
    ]);
  });
});
