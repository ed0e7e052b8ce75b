// The emulator over HTTP, driven by the real SDKs: signing as the SDKs do it, ClientToken
// idempotency, fault injection, the request log and the control endpoints.
import { DescribeVSwitchesRequest } from '@alicloud/vpc20160428';
import { startEmulator, type EmulatorState, type RequestLogEntry, type RunningEmulator } from './index';
import { pollUntil, sdkClients } from './testing/sdk';
import { twoClusters } from './testing/worlds';
import type { World } from './world';

const { world, mesh, cluster1, vSwitchIn } = twoClusters();
const FAST = {
  serviceCreateMs: 20,
  endpointCreateMs: 20,
  connectMs: 20,
  zoneCreateMs: 20,
  serviceDeleteMs: 20,
  endpointDeleteMs: 20,
};

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ world, delays: FAST, seed: 11 });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

/** What the SDK threw, for assertions on code, status and body. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; code: string; statusCode: number; data: Record<string, string>; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the call to fail');
}

function serviceParams(extra: Record<string, unknown> = {}) {
  return {
    Resource: [{ ResourceId: cluster1.apiServerLoadBalancerId, ResourceType: 'slb', ZoneId: 'cn-hangzhou-j' }],
    AutoAcceptEnabled: true,
    ...extra,
  };
}

async function activeService(clients: ReturnType<typeof sdkClients>): Promise<string> {
  const { ServiceId } = await clients.privateLink('CreateVpcEndpointService', serviceParams());
  await pollUntil(
    () => clients.privateLink('GetVpcEndpointServiceAttribute', { ServiceId }),
    (body) => body.ServiceStatus === 'Active',
  );
  return ServiceId as string;
}

function endpointParams(serviceId: string, clientToken?: string) {
  return {
    VpcId: mesh.vpcId,
    ServiceId: serviceId,
    SecurityGroupId: [mesh.securityGroupId],
    Zone: [{ VSwitchId: vSwitchIn(mesh.vpcId, 'cn-hangzhou-j'), ZoneId: 'cn-hangzhou-j' }],
    ...(clientToken ? { ClientToken: clientToken } : {}),
  };
}

describe('signing, as the real SDKs sign', () => {
  it('accepts @alicloud/vpc20160428 as generated and records who called', async () => {
    const { vpc } = sdkClients(emulator);
    const response = await vpc.describeVSwitches(
      new DescribeVSwitchesRequest({ regionId: 'cn-hangzhou', vpcId: mesh.vpcId }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.body?.vSwitches?.vSwitch?.map((vSwitch) => vSwitch.zoneId)).toEqual([
      'cn-hangzhou-j',
      'cn-hangzhou-k',
    ]);
    expect(emulator.requests()).toEqual([
      expect.objectContaining({
        seq: 1,
        product: 'vpc',
        action: 'DescribeVSwitches',
        method: 'POST',
        path: '/',
        mutating: false,
        status: 200,
        accessKeyId: emulator.credentials.accessKeyId,
      }),
    ]);
  });

  it('refuses a wrong secret with SignatureDoesNotMatch (400) in the RPC error body', async () => {
    const { vpc } = sdkClients(emulator, { ...emulator.credentials, accessKeySecret: 'wrong-secret' });
    const error = await failure(vpc.describeVSwitches(new DescribeVSwitchesRequest({ regionId: 'cn-hangzhou' })));
    expect([error.name, error.code, error.statusCode]).toEqual(['ClientError', 'SignatureDoesNotMatch', 400]);
    expect(Object.keys(error.data).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    expect(error.data.HostId).toBe('vpc.aliyuncs.com');
    expect(error.data.Message).toContain('server string to sign is:ACS3-HMAC-SHA256\n');
  });

  it('refuses an unknown AccessKeyId with InvalidAccessKeyId.NotFound (404)', async () => {
    const { privateLink } = sdkClients(emulator, { accessKeyId: 'LTAI5tNobodyKnowsThis0000', accessKeySecret: 'x' });
    const error = await failure(privateLink('DescribeZones'));
    expect([error.code, error.statusCode]).toEqual(['InvalidAccessKeyId.NotFound', 404]);
  });

  it('accepts STS credentials with their token (x-acs-security-token) and refuses them without', async () => {
    const stsWorld: World = structuredClone(world);
    stsWorld.accounts[0]!.accessKeys.push({
      accessKeyId: 'STS.NTestTemporaryKey0001',
      accessKeySecret: 'sts-secret',
      securityToken: 'CAIS-test-token',
    });
    const sts = await startEmulator({ world: stsWorld, delays: FAST });
    try {
      const withToken = sdkClients(sts, {
        accessKeyId: 'STS.NTestTemporaryKey0001',
        accessKeySecret: 'sts-secret',
        securityToken: 'CAIS-test-token',
      });
      expect((await withToken.privateLink('DescribeZones')).Zones.Zone).toHaveLength(3);
      const withoutToken = sdkClients(sts, { accessKeyId: 'STS.NTestTemporaryKey0001', accessKeySecret: 'sts-secret' });
      expect((await failure(withoutToken.privateLink('DescribeZones'))).code).toBe(
        'InvalidSecurityToken.MissingSecurityToken',
      );
    } finally {
      await sts.stop();
    }
  });

  it('signs form bodies too (TagResources sends its parameters as a body)', async () => {
    const clients = sdkClients(emulator);
    const serviceId = await activeService(clients);
    await clients.rpc(
      'privatelink',
      'TagResources',
      {},
      {
        body: {
          RegionId: 'cn-hangzhou',
          ResourceType: 'vpcendpointservice',
          ResourceId: [serviceId],
          Tag: [{ Key: 'team name', Value: 'mesh*ops~' }],
        },
      },
    );
    expect(emulator.state().endpointServices[0]!.tags).toEqual([{ key: 'team name', value: 'mesh*ops~' }]);
  });
});

describe('ClientToken idempotency', () => {
  it('answers a repeated create with the first answer and creates one resource', async () => {
    const clients = sdkClients(emulator);
    const first = await clients.privateLink(
      'CreateVpcEndpointService',
      serviceParams({ ClientToken: 'create-apiserver-1' }),
    );
    const again = await clients.privateLink(
      'CreateVpcEndpointService',
      serviceParams({ ClientToken: 'create-apiserver-1' }),
    );
    expect(again.ServiceId).toBe(first.ServiceId);
    expect(again.RequestId).not.toBe(first.RequestId);
    expect(emulator.state().endpointServices.map((service) => service.serviceId)).toEqual([first.ServiceId]);
    expect(emulator.requests().map((entry) => entry.replayed ?? false)).toEqual([false, true]);
  });

  it('refuses the same token with other parameters with IdempotentParameterMismatch', async () => {
    const clients = sdkClients(emulator);
    await clients.privateLink('CreateVpcEndpointService', serviceParams({ ClientToken: 'token-2' }));
    const error = await failure(
      clients.privateLink(
        'CreateVpcEndpointService',
        serviceParams({ ClientToken: 'token-2', AutoAcceptEnabled: false }),
      ),
    );
    expect([error.code, error.statusCode]).toEqual(['IdempotentParameterMismatch', 400]);
    expect(emulator.state().endpointServices).toHaveLength(1);
  });

  it('makes a create whose response was lost safe to retry with the same token', async () => {
    const clients = sdkClients(emulator);
    const serviceId = await activeService(clients);
    emulator.setFaults({ dropResponseOnce: ['CreateVpcEndpoint'] });
    const lost = await failure(clients.privateLink('CreateVpcEndpoint', endpointParams(serviceId, 'endpoint-token')));
    expect(lost.message).toMatch(/socket hang up|ECONNRESET/);
    expect(emulator.state().endpoints).toHaveLength(1);
    const retried = await clients.privateLink('CreateVpcEndpoint', endpointParams(serviceId, 'endpoint-token'));
    const state = emulator.state();
    expect(state.endpoints.map((endpoint) => endpoint.endpointId)).toEqual([retried.EndpointId]);
    const creates = emulator.requests().filter((entry) => entry.action === 'CreateVpcEndpoint');
    expect(
      creates.map((entry) => [entry.status, entry.faults ?? [], entry.replayed ?? false, entry.clientToken]),
    ).toEqual([
      [0, ['drop-response'], false, 'endpoint-token'],
      [200, [], true, 'endpoint-token'],
    ]);
  });

  it('without a token, the same retry creates a second endpoint (what the token prevents)', async () => {
    const clients = sdkClients(emulator);
    const serviceId = await activeService(clients);
    emulator.setFaults({ dropResponseOnce: ['CreateVpcEndpoint'] });
    await failure(clients.privateLink('CreateVpcEndpoint', endpointParams(serviceId)));
    await clients.privateLink('CreateVpcEndpoint', endpointParams(serviceId));
    expect(emulator.state().endpoints).toHaveLength(2);
  });
});

describe('fault injection', () => {
  it('throttles with Throttling.User (HTTP 400), which openapi-core raises as a ThrottlingError, only for the actions named', async () => {
    const clients = sdkClients(emulator);
    emulator.setFaults({ throttleRate: 1, actions: ['DescribeZones'] });
    const error = await failure(clients.privateLink('DescribeZones'));
    expect([error.name, error.code, error.statusCode, error.data.Message]).toEqual([
      'ThrottlingError',
      'Throttling.User',
      400,
      'Request was denied due to user flow control.',
    ]);
    expect((await clients.privateLink('DescribeRegions')).Regions.Region).toHaveLength(1);
  });

  it('answers server errors: ServiceUnavailable 503 by default, InternalError 500 when asked', async () => {
    const clients = sdkClients(emulator);
    emulator.setFaults({ serverErrorRate: 1 });
    const unavailable = await failure(clients.privateLink('DescribeZones'));
    expect([unavailable.name, unavailable.code, unavailable.statusCode]).toEqual([
      'ServerError',
      'ServiceUnavailable',
      503,
    ]);
    emulator.setFaults({ serverErrorRate: 1, serverErrorCode: 'InternalError' });
    const internal = await failure(clients.cs.describeClusterDetail(cluster1.clusterId));
    expect([internal.code, internal.statusCode]).toEqual(['InternalError', 500]);
  });

  it('samples rates from the seed: the same seed fails the same calls', async () => {
    const clients = sdkClients(emulator);
    const pattern = async () => {
      emulator.setFaults({ throttleRate: 0.5, seed: 42 });
      const outcomes: string[] = [];
      for (let n = 0; n < 12; n++)
        outcomes.push(
          await clients.privateLink('DescribeZones').then(
            () => 'ok',
            (error: { code: string }) => error.code,
          ),
        );
      return outcomes;
    };
    const first = await pattern();
    expect(first).toContain('ok');
    expect(first).toContain('Throttling.User');
    expect(await pattern()).toEqual(first);
  });

  it('adds latency', async () => {
    const clients = sdkClients(emulator);
    emulator.setFaults({ latencyMs: 150 });
    const started = Date.now();
    await clients.privateLink('DescribeZones');
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(emulator.requests()[0]!.faults).toEqual(['latency']);
  });

  it('hangs requests until the client gives up, and still stops promptly', async () => {
    const hanging = await startEmulator({ world, faults: { hangRate: 1 } });
    const clients = sdkClients(hanging);
    const error = await failure(
      clients.rpc('privatelink', 'DescribeZones', { RegionId: 'cn-hangzhou' }, { readTimeout: 200 }),
    );
    expect(error.message).toMatch(/timeout/i);
    expect(hanging.requests()).toEqual([
      expect.objectContaining({ action: 'DescribeZones', status: 0, faults: ['hang'] }),
    ]);
    const stopping = Date.now();
    await hanging.stop();
    expect(Date.now() - stopping).toBeLessThan(1000);
  });

  it('limits the rate of an action when rate limits are set', async () => {
    const clients = sdkClients(emulator);
    emulator.setRateLimits({ DescribeZones: 2 });
    const outcomes = [];
    for (let n = 0; n < 3; n++)
      outcomes.push(
        await clients.privateLink('DescribeZones').then(
          () => 'ok',
          (error: { code: string }) => error.code,
        ),
      );
    expect(outcomes).toEqual(['ok', 'ok', 'Throttling.User']);
    expect(emulator.requests()[2]!.faults).toEqual(['rate-limit']);
    emulator.setRateLimits({});
  });
});

describe('control endpoints', () => {
  it('sets faults by POST /_emulator/faults and refuses nonsense', async () => {
    const posted = await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ throttleRate: 1, actions: ['DescribeZones'] }),
    });
    expect([posted.status, await posted.json()]).toEqual([
      200,
      { throttleRate: 1, actions: ['DescribeZones'], dropResponseOnce: [] },
    ]);
    expect((await failure(sdkClients(emulator).privateLink('DescribeZones'))).code).toBe('Throttling.User');
    const refused = await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ throttleRate: 3 }),
    });
    expect([refused.status, ((await refused.json()) as { error: string }).error]).toEqual([
      400,
      'faults.throttleRate must be between 0 and 1, got 3',
    ]);
  });

  it('reports the inventory at GET /_emulator/state and the requests at GET /_emulator/requests; POST /_emulator/reset forgets both', async () => {
    const clients = sdkClients(emulator);
    const serviceId = await activeService(clients);
    const { EndpointId } = await clients.privateLink('CreateVpcEndpoint', endpointParams(serviceId));
    await pollUntil(
      () => clients.privateLink('GetVpcEndpointAttribute', { EndpointId }),
      (body) => body.ConnectionStatus === 'Connected',
    );
    const state = (await (await fetch(`${emulator.url}/_emulator/state`)).json()) as EmulatorState;
    expect(state.connections).toEqual([
      {
        serviceId,
        endpointId: EndpointId,
        endpointVpcId: mesh.vpcId,
        connectionStatus: 'Connected',
        zones: [{ zoneId: 'cn-hangzhou-j', zoneStatus: 'Connected' }],
      },
    ]);
    expect(state.clusters.map((cluster) => cluster.clusterId)).toEqual(
      world.clusters.map((cluster) => cluster.clusterId),
    );
    const requests = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as RequestLogEntry[];
    expect(requests.filter((entry) => entry.mutating).map((entry) => entry.action)).toEqual([
      'CreateVpcEndpointService',
      'CreateVpcEndpoint',
    ]);
    await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
    expect([emulator.state().endpointServices, emulator.requests()]).toEqual([[], []]);
  });

  it('answers InvalidAction.NotFound (404) for an action the product lacks and InvalidVersion for an unknown product', async () => {
    const clients = sdkClients(emulator);
    expect(
      await failure(clients.privateLink('DescribeNothing')).then((error) => [error.code, error.statusCode]),
    ).toEqual(['InvalidAction.NotFound', 404]);
    // The product is told by x-acs-version before any signature check.
    const response = await fetch(`${emulator.url}/`, {
      method: 'POST',
      headers: { 'x-acs-version': '1999-01-01', 'x-acs-action': 'DescribeZones' },
    });
    const wrongVersion = { code: ((await response.json()) as { Code: string }).Code, statusCode: response.status };
    expect([wrongVersion.code, wrongVersion.statusCode]).toEqual(['InvalidVersion', 400]);
  });
});

describe('timing', () => {
  // Long enough that the first read after the create lands inside it even on a loaded machine; the
  // assertions are on the order of states and a lower bound on time, never on an upper one.
  const SERVICE_CREATE_MS = 1500;

  it('moves asynchronous resources with the configured delays: Creating first, Active no sooner than the delay', async () => {
    const slow = await startEmulator({ world, delays: { ...FAST, serviceCreateMs: SERVICE_CREATE_MS }, seed: 5 });
    try {
      const clients = sdkClients(slow);
      const sentAt = Date.now();
      const { ServiceId } = await clients.privateLink('CreateVpcEndpointService', serviceParams());
      const seen: Array<{ at: number; status: string }> = [];
      await pollUntil(
        async () => {
          const status = (await clients.privateLink('GetVpcEndpointServiceAttribute', { ServiceId })).ServiceStatus;
          seen.push({ at: Date.now(), status });
          return status;
        },
        (status) => status === 'Active',
        SERVICE_CREATE_MS + 10_000,
        50,
      );
      const statuses = seen.map((entry) => entry.status);
      const firstActive = statuses.indexOf('Active');
      expect(statuses[0]).toBe('Creating');
      expect(firstActive).toBeGreaterThan(0);
      expect(statuses.slice(0, firstActive).every((status) => status === 'Creating')).toBe(true);
      expect(seen[firstActive]!.at - sentAt).toBeGreaterThanOrEqual(SERVICE_CREATE_MS);
    } finally {
      await slow.stop();
    }
  });
});
