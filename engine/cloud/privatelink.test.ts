import answers from './fixtures/privatelink-answers.json';
import type { Cloud } from './index';
import { cloudAt } from './testkit/cloud-at';
import { type RecordedRequest, type RecordingServer, startRecordingServer } from './testkit/recording-server';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SERVICE = 'epsrv-hp3vpx8yqxblby3i****';
const ENDPOINT = 'ep-hp33b2e43fays7s8****';

let server: RecordingServer;
let cloud: Cloud;

beforeAll(async () => {
  server = await startRecordingServer((request) => ({
    body: (answers as Record<string, unknown>)[request.action] ?? answers.write,
  }));
  cloud = cloudAt(server.url);
});
afterAll(() => server.stop());
beforeEach(() => {
  server.requests.length = 0;
});

function only(): RecordedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
}

describe('every PrivateLink request goes out as the generated SDK sends it', () => {
  it('is a V3-signed RPC POST to / naming the action and version in headers', async () => {
    await cloud.privateLink.services.getVpcEndpointServiceAttribute(SERVICE);
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/');
    expect(request.headers['x-acs-action']).toBe('GetVpcEndpointServiceAttribute');
    expect(request.headers['x-acs-version']).toBe('2020-04-15');
    expect(request.headers['x-acs-date']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(request.headers['x-acs-content-sha256']).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(request.headers.authorization).toMatch(
      /^ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$/,
    );
  });
});

describe('endpoint services', () => {
  it('CreateVpcEndpointService flattens resources and tags 1-based and sends the given ClientToken', async () => {
    const created = await cloud.privateLink.services.createVpcEndpointService({
      resources: [
        { resourceType: 'slb', resourceId: 'lb-1', zoneId: 'cn-hangzhou-j' },
        { resourceType: 'slb', resourceId: 'lb-2' },
      ],
      serviceResourceType: 'slb',
      autoAcceptEnabled: false,
      payer: 'Endpoint',
      zoneAffinityEnabled: true,
      serviceDescription: 'api server of c0123',
      tags: [
        { key: 'asmpvl.io/cluster', value: 'c0123' },
        { key: 'asmpvl.io/link', value: 'apiserver' },
      ],
      clientToken: 'asmpvl-c0123-apiserver-service',
    });
    expect(only().query).toEqual({
      RegionId: 'cn-hangzhou',
      ServiceResourceType: 'slb',
      AutoAcceptEnabled: 'false',
      Payer: 'Endpoint',
      ZoneAffinityEnabled: 'true',
      ServiceDescription: 'api server of c0123',
      'Resource.1.ResourceType': 'slb',
      'Resource.1.ResourceId': 'lb-1',
      'Resource.1.ZoneId': 'cn-hangzhou-j',
      'Resource.2.ResourceType': 'slb',
      'Resource.2.ResourceId': 'lb-2',
      'Tag.1.Key': 'asmpvl.io/cluster',
      'Tag.1.Value': 'c0123',
      'Tag.2.Key': 'asmpvl.io/link',
      'Tag.2.Value': 'apiserver',
      ClientToken: 'asmpvl-c0123-apiserver-service',
    });
    expect(created).toEqual({
      serviceId: SERVICE,
      serviceName: `com.aliyuncs.privatelink.cn-hangzhou.${SERVICE}`,
      serviceDomain: `${SERVICE}.cn-hangzhou.privatelink.aliyuncs.com`,
      serviceStatus: 'Creating',
      serviceBusinessStatus: 'Normal',
      autoAcceptEnabled: false,
      zoneAffinityEnabled: true,
      createTime: '2026-11-25T12:00:00Z',
      zones: [],
      tags: [],
      requestId: '8D8992C1-6712-423C-BAC5-E5E817484C6B',
      serviceResourceType: undefined,
      serviceType: undefined,
      serviceDescription: undefined,
      payer: undefined,
      regionId: undefined,
      connectBandwidth: undefined,
      resourceGroupId: undefined,
    });
  });

  it('makes a random ClientToken when none is given', async () => {
    await cloud.privateLink.services.createVpcEndpointService({
      resources: [{ resourceType: 'nlb', resourceId: 'nlb-1', zoneId: 'cn-hangzhou-j' }],
    });
    expect(only().query.ClientToken).toMatch(UUID);
  });

  it('GetVpcEndpointServiceAttribute maps the answer, zones included', async () => {
    const service = await cloud.privateLink.services.getVpcEndpointServiceAttribute(SERVICE);
    expect(only().query).toEqual({ RegionId: 'cn-hangzhou', ServiceId: SERVICE });
    expect(service).toMatchObject({
      serviceId: SERVICE,
      serviceStatus: 'Active',
      serviceType: 'Interface',
      serviceResourceType: 'slb',
      payer: 'Endpoint',
      regionId: 'cn-hangzhou',
      connectBandwidth: 3072,
      zones: ['cn-hangzhou-j', 'cn-hangzhou-k'],
    });
  });

  it('ListVpcEndpointServices sends filters, tags and paging, and maps tags', async () => {
    const page = await cloud.privateLink.services.listVpcEndpointServices({
      resourceId: 'lb-1',
      serviceStatus: 'Active',
      tags: [{ key: 'asmpvl.io/cluster', value: 'c0123' }],
      nextToken: 'tok-2',
      maxResults: 20,
    });
    expect(only().query).toEqual({
      RegionId: 'cn-hangzhou',
      ResourceId: 'lb-1',
      ServiceStatus: 'Active',
      'Tag.1.Key': 'asmpvl.io/cluster',
      'Tag.1.Value': 'c0123',
      NextToken: 'tok-2',
      MaxResults: '20',
    });
    expect(page.totalCount).toBe(1);
    expect(page.nextToken).toBeUndefined();
    expect(page.items[0]).toMatchObject({ serviceId: SERVICE, tags: [{ key: 'asmpvl.io/cluster', value: 'c0123' }] });
  });

  it('DeleteVpcEndpointService', async () => {
    const result = await cloud.privateLink.services.deleteVpcEndpointService(SERVICE, { clientToken: 'tok' });
    expect(only().query).toEqual({ RegionId: 'cn-hangzhou', ServiceId: SERVICE, ClientToken: 'tok' });
    expect(result).toEqual({ requestId: '0ED8D006-F706-4D23-88ED-E11ED28DCAC0' });
  });

  it('AttachResourceToVpcEndpointService and DetachResourceFromVpcEndpointService', async () => {
    const resource = {
      serviceId: SERVICE,
      resourceId: 'nlb-1',
      resourceType: 'nlb' as const,
      zoneId: 'cn-hangzhou-k',
      clientToken: 'tok',
    };
    await cloud.privateLink.services.attachResourceToVpcEndpointService(resource);
    await cloud.privateLink.services.detachResourceFromVpcEndpointService(resource);
    const expected = {
      RegionId: 'cn-hangzhou',
      ServiceId: SERVICE,
      ResourceId: 'nlb-1',
      ResourceType: 'nlb',
      ZoneId: 'cn-hangzhou-k',
      ClientToken: 'tok',
    };
    expect(server.requests.map((request) => [request.action, request.query])).toEqual([
      ['AttachResourceToVpcEndpointService', expected],
      ['DetachResourceFromVpcEndpointService', expected],
    ]);
  });

  it('ListVpcEndpointServiceResources', async () => {
    const page = await cloud.privateLink.services.listVpcEndpointServiceResources({ serviceId: SERVICE });
    expect(only().query).toEqual({ RegionId: 'cn-hangzhou', ServiceId: SERVICE });
    expect(page.items).toEqual([
      {
        resourceId: 'lb-hp32z1wp5peaoox2q****',
        resourceType: 'slb',
        vpcId: 'vpc-hp356stwkxg3fn2xe****',
        vSwitchId: 'vsw-hp3uf6045ljdhd5zr****',
        zoneId: 'cn-hangzhou-j',
        ip: '192.168.10.23',
        regionId: 'cn-hangzhou',
        relatedEndpointCount: 2,
      },
    ]);
  });

  it('AddUserToVpcEndpointService by account id and by ARN', async () => {
    await cloud.privateLink.services.addUserToVpcEndpointService({
      serviceId: SERVICE,
      userId: '1234567890123456',
      clientToken: 't1',
    });
    await cloud.privateLink.services.addUserToVpcEndpointService({
      serviceId: SERVICE,
      userArn: 'acs:ram:*:1234567890123456:*',
      clientToken: 't2',
    });
    expect(server.requests.map((request) => request.query)).toEqual([
      { RegionId: 'cn-hangzhou', ServiceId: SERVICE, UserId: '1234567890123456', ClientToken: 't1' },
      { RegionId: 'cn-hangzhou', ServiceId: SERVICE, UserARN: 'acs:ram:*:1234567890123456:*', ClientToken: 't2' },
    ]);
  });

  it('ListVpcEndpointServiceUsers returns ids as text and ARNs, and a text TotalCount as a number', async () => {
    const page = await cloud.privateLink.services.listVpcEndpointServiceUsers({
      serviceId: SERVICE,
      userListType: 'Users',
    });
    expect(only().query).toEqual({ RegionId: 'cn-hangzhou', ServiceId: SERVICE, UserListType: 'Users' });
    expect(page.items).toEqual([{ userId: '1234567890123456' }, { userArn: 'acs:ram:*:1234567890123457:*' }]);
    expect(page.totalCount).toBe(2);
  });
});

describe('endpoints', () => {
  it('CreateVpcEndpoint flattens security groups and zones (lower-case ip) 1-based', async () => {
    const endpoint = await cloud.privateLink.endpoints.createVpcEndpoint({
      vpcId: 'vpc-asm',
      serviceId: SERVICE,
      securityGroupIds: ['sg-1', 'sg-2'],
      zones: [
        { zoneId: 'cn-hangzhou-j', vSwitchId: 'vsw-j' },
        { zoneId: 'cn-hangzhou-k', vSwitchId: 'vsw-k', ip: '192.168.1.10' },
      ],
      endpointName: 'asmpvl-c0123-apiserver',
      endpointType: 'Interface',
      tags: [{ key: 'asmpvl.io/cluster', value: 'c0123' }],
      clientToken: 'asmpvl-c0123-apiserver-endpoint',
    });
    expect(only().query).toEqual({
      RegionId: 'cn-hangzhou',
      VpcId: 'vpc-asm',
      ServiceId: SERVICE,
      EndpointName: 'asmpvl-c0123-apiserver',
      EndpointType: 'Interface',
      'SecurityGroupId.1': 'sg-1',
      'SecurityGroupId.2': 'sg-2',
      'Zone.1.VSwitchId': 'vsw-j',
      'Zone.1.ZoneId': 'cn-hangzhou-j',
      'Zone.2.VSwitchId': 'vsw-k',
      'Zone.2.ZoneId': 'cn-hangzhou-k',
      'Zone.2.ip': '192.168.1.10',
      'Tag.1.Key': 'asmpvl.io/cluster',
      'Tag.1.Value': 'c0123',
      ClientToken: 'asmpvl-c0123-apiserver-endpoint',
    });
    expect(endpoint).toMatchObject({
      endpointId: ENDPOINT,
      endpointStatus: 'Creating',
      connectionStatus: 'Pending',
      endpointDomain: `${ENDPOINT}.${SERVICE}.cn-hangzhou.privatelink.aliyuncs.com`,
      bandwidth: 3072,
      vpcId: 'vpc-hp356stwkxg3fn2xe****',
      requestId: 'C3',
    });
  });

  it('GetVpcEndpointAttribute reads "false" text as a boolean', async () => {
    const endpoint = await cloud.privateLink.endpoints.getVpcEndpointAttribute(ENDPOINT);
    expect(only().query).toEqual({ RegionId: 'cn-hangzhou', EndpointId: ENDPOINT });
    expect(endpoint).toMatchObject({
      endpointStatus: 'Active',
      connectionStatus: 'Connected',
      zoneAffinityEnabled: false,
      protectedEnabled: false,
    });
  });

  it('ListVpcEndpoints', async () => {
    const page = await cloud.privateLink.endpoints.listVpcEndpoints({ vpcId: 'vpc-1', connectionStatus: 'Connected' });
    expect(only().query).toEqual({ RegionId: 'cn-hangzhou', VpcId: 'vpc-1', ConnectionStatus: 'Connected' });
    expect(page.items[0]).toMatchObject({ endpointId: ENDPOINT, tags: [{ key: 'asmpvl.io/cluster', value: 'c0123' }] });
  });

  it('DeleteVpcEndpoint', async () => {
    await cloud.privateLink.endpoints.deleteVpcEndpoint(ENDPOINT, { clientToken: 'tok' });
    expect(only().query).toEqual({ RegionId: 'cn-hangzhou', EndpointId: ENDPOINT, ClientToken: 'tok' });
  });

  it('AddZoneToVpcEndpoint and RemoveZoneFromVpcEndpoint', async () => {
    await cloud.privateLink.endpoints.addZoneToVpcEndpoint({
      endpointId: ENDPOINT,
      zoneId: 'cn-hangzhou-k',
      vSwitchId: 'vsw-k',
      ip: '10.0.0.9',
      clientToken: 't1',
    });
    await cloud.privateLink.endpoints.removeZoneFromVpcEndpoint({
      endpointId: ENDPOINT,
      zoneId: 'cn-hangzhou-k',
      clientToken: 't2',
    });
    expect(server.requests.map((request) => [request.action, request.query])).toEqual([
      [
        'AddZoneToVpcEndpoint',
        {
          RegionId: 'cn-hangzhou',
          EndpointId: ENDPOINT,
          ZoneId: 'cn-hangzhou-k',
          VSwitchId: 'vsw-k',
          ip: '10.0.0.9',
          ClientToken: 't1',
        },
      ],
      [
        'RemoveZoneFromVpcEndpoint',
        { RegionId: 'cn-hangzhou', EndpointId: ENDPOINT, ZoneId: 'cn-hangzhou-k', ClientToken: 't2' },
      ],
    ]);
  });

  it('ListVpcEndpointZones', async () => {
    const page = await cloud.privateLink.endpoints.listVpcEndpointZones({ endpointId: ENDPOINT, maxResults: 50 });
    expect(only().query).toEqual({ RegionId: 'cn-hangzhou', EndpointId: ENDPOINT, MaxResults: '50' });
    expect(page.items).toEqual([
      {
        zoneId: 'cn-hangzhou-j',
        zoneStatus: 'Connected',
        zoneDomain: `${ENDPOINT}-cn-hangzhou-j.${SERVICE}.cn-hangzhou.privatelink.aliyuncs.com`,
        vSwitchId: 'vsw-hp3uf6045ljdhd5zr****',
        eniId: 'eni-hp3c8qj1tyct8aqy****',
        eniIp: '192.168.10.40',
        regionId: 'cn-hangzhou',
      },
    ]);
  });
});

describe('connections', () => {
  it('EnableVpcEndpointConnection', async () => {
    await cloud.privateLink.connections.enableVpcEndpointConnection({
      serviceId: SERVICE,
      endpointId: ENDPOINT,
      clientToken: 'tok',
    });
    expect(only().query).toEqual({
      RegionId: 'cn-hangzhou',
      ServiceId: SERVICE,
      EndpointId: ENDPOINT,
      ClientToken: 'tok',
    });
  });
});

describe('account and zones', () => {
  it('DescribeZones unwraps Zones.Zone', async () => {
    const zones = await cloud.privateLink.account.describeZones({ serviceResourceType: 'slb' });
    expect(only().query).toEqual({ RegionId: 'cn-hangzhou', ServiceResourceType: 'slb' });
    expect(zones).toEqual([
      { zoneId: 'cn-hangzhou-j', localName: 'Hangzhou Zone J' },
      { zoneId: 'cn-hangzhou-k', localName: 'Hangzhou Zone K' },
    ]);
  });

  it('CheckProductOpen sends no RegionId', async () => {
    expect(await cloud.privateLink.account.checkProductOpen()).toBe(true);
    expect(server.requests.map((request) => [request.action, request.query])).toEqual([['CheckProductOpen', {}]]);
  });
});
