// A second client nobody here wrote: @alicloud/pop-core, Alibaba's older Node SDK core, with its
// own RPC signature V2 (GET with everything in the query, or POST with a form body, and no x-acs-*
// header at all) and its own ROA acs signer. Against the emulator, exactly as against the gateway.
import RPCClient from '@alicloud/pop-core';

// pop-core's typings declare only the RPC client; the ROA client is exported beside it.
interface RoaClient {
  request<T>(method: string, uriPattern: string): Promise<T>;
}
const { ROAClient } = RPCClient as unknown as {
  ROAClient: new (config: Record<string, string>) => RoaClient;
};
import { type RunningEmulator, startEmulator, TWO_CLUSTERS_WORLD } from './index';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: TWO_CLUSTERS_WORLD, delays: { serviceCreateMs: 10 } });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

interface PopError {
  code?: string;
  message: string;
  statusCode?: number;
  data?: Record<string, unknown>;
  /** ROA: the parsed error body (pop-core reads only capitalised fields into the message). */
  result?: Record<string, unknown>;
}

function rpc(apiVersion: string, secret = emulator.credentials.accessKeySecret): RPCClient {
  return new RPCClient({
    endpoint: emulator.url,
    apiVersion,
    accessKeyId: emulator.credentials.accessKeyId,
    accessKeySecret: secret,
  });
}

function roa(secret = emulator.credentials.accessKeySecret) {
  return new ROAClient({
    endpoint: emulator.url,
    apiVersion: '2015-12-15',
    accessKeyId: emulator.credentials.accessKeyId,
    accessKeySecret: secret,
  });
}

async function failure(promise: Promise<unknown>): Promise<PopError> {
  try {
    await promise;
  } catch (error) {
    return error as PopError;
  }
  throw new Error('expected the call to fail');
}

const clusterId = () => emulator.world.clusters[0]!.clusterId;

test('RPC GET, routed by Action and Version in the query: answered', async () => {
  const body = await rpc('2020-04-15').request<{ Zones: { Zone: unknown[] } }>('DescribeZones', {
    RegionId: emulator.regionId,
  });
  expect(body.Zones.Zone).toHaveLength(3);
  expect(emulator.requests().at(-1)).toMatchObject({ method: 'GET', action: 'DescribeZones', status: 200 });
});

test('RPC POST with a form body: the write is made', async () => {
  const body = await rpc('2020-04-15').request<{ ServiceId: string }>(
    'CreateVpcEndpointService',
    {
      RegionId: emulator.regionId,
      'Resource.1.ResourceId': emulator.world.clusters[0]!.apiServerLoadBalancerId,
      'Resource.1.ResourceType': 'slb',
      'Resource.1.ZoneId': 'cn-hangzhou-j',
    },
    { method: 'POST' },
  );
  expect(body.ServiceId).toMatch(/^epsrv-/);
  expect(emulator.state().endpointServices).toHaveLength(1);
});

test('RPC with a wrong secret: SignatureDoesNotMatch', async () => {
  const error = await failure(rpc('2016-04-28', 'wrong').request('DescribeVSwitches', { RegionId: emulator.regionId }));
  expect(error.code).toBe('SignatureDoesNotMatch');
});

test('RPC outside the key RAM policy: Forbidden.RAM with the denied action in AccessDeniedDetail', async () => {
  emulator.setPolicy(emulator.credentials.accessKeyId, {
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'vpc:*', Resource: '*' }],
  });
  const error = await failure(rpc('2020-04-15').request('DescribeZones', { RegionId: emulator.regionId }));
  expect(error.code).toBe('Forbidden.RAM');
  expect(error.data?.AccessDeniedDetail).toMatchObject({
    AuthAction: 'privatelink:DescribeZones',
    NoPermissionType: 'ImplicitDeny',
  });
  await expect(rpc('2016-04-28').request('DescribeVSwitches', { RegionId: emulator.regionId })).resolves.toBeTruthy();
});

test('ROA signed acs by pop-core: answered; with a wrong secret refused', async () => {
  const body = await roa().request<{ cluster_id: string }>('GET', `/clusters/${clusterId()}`);
  expect(body.cluster_id).toBe(clusterId());
  const error = await failure(roa('wrong').request('GET', `/clusters/${clusterId()}`));
  expect(error.statusCode).toBe(400);
  expect(error.result).toMatchObject({ code: 'SignatureDoesNotMatch' });
});
