// The older signatures, signed by Alibaba's own code and nothing of ours: @alicloud/openapi-core's
// doRPCRequest (RPC, signature V2, HMAC-SHA1) and doROARequest (ROA, `Authorization: acs AK:sig`),
// and, where a test needs a stale time or a replay, the same package's signing functions
// (OpenApiUtil.getRPCSignature, getStringToSign, getROASignature) over a request we then send as is.
import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { randomUUID } from 'node:crypto';
import { loadWorldFile, type RunningEmulator, startEmulator, TWO_CLUSTERS_WORLD } from './index';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ world: TWO_CLUSTERS_WORLD, delays: { serviceCreateMs: 10 } });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

const runtime = () => new $dara.RuntimeOptions({ readTimeout: 5000, connectTimeout: 2000 });

function client(secret = emulator.credentials.accessKeySecret): OpenApi {
  return new OpenApi(
    new $OpenApiUtil.Config({
      endpoint: emulator.endpoint,
      protocol: 'http',
      regionId: emulator.regionId,
      accessKeyId: emulator.credentials.accessKeyId,
      accessKeySecret: secret,
    }),
  );
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; statusCode: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the call to fail');
}

const rpcV2 = (api: OpenApi, action: string, query: Record<string, string>, body?: Record<string, string>) =>
  api.doRPCRequest(
    action,
    '2020-04-15',
    'HTTP',
    'POST',
    'AK',
    'json',
    new $OpenApiUtil.OpenApiRequest({ query, ...(body ? { body } : {}) }),
    runtime(),
  );

const roa = (api: OpenApi, clusterId: string) =>
  api.doROARequest(
    'DescribeClusterDetail',
    '2015-12-15',
    'HTTP',
    'GET',
    'AK',
    `/clusters/${clusterId}`,
    'json',
    new $OpenApiUtil.OpenApiRequest({}),
    runtime(),
  );

describe('RPC signed with signature V2 (openapi-core doRPCRequest)', () => {
  test('is accepted with parameters in the query, and the call is logged as any other', async () => {
    const answer = await rpcV2(client(), 'DescribeZones', { RegionId: emulator.regionId, ServiceResourceType: 'slb' });
    expect(answer.statusCode).toBe(200);
    expect((answer.body as { Zones: { Zone: unknown[] } }).Zones.Zone).toHaveLength(3);
    expect(emulator.requests().at(-1)).toMatchObject({ product: 'privatelink', action: 'DescribeZones', status: 200 });
  });

  test('is accepted with parameters in a form body (signed together with the query)', async () => {
    const answer = await rpcV2(
      client(),
      'CreateVpcEndpointService',
      { RegionId: emulator.regionId },
      {
        ServiceResourceType: 'slb',
        'Resource.1.ResourceId': emulator.world.clusters[0]!.apiServerLoadBalancerId,
        'Resource.1.ResourceType': 'slb',
        'Resource.1.ZoneId': 'cn-hangzhou-j',
        ClientToken: 'v2-form-token',
      },
    );
    expect(answer.statusCode).toBe(200);
    expect((answer.body as { ServiceId: string }).ServiceId).toMatch(/^epsrv-/);
    expect(emulator.state().endpointServices).toHaveLength(1);
  });

  test('a retry with the same ClientToken (fresh Timestamp and nonce) is answered from the ledger', async () => {
    const body = {
      ServiceResourceType: 'slb',
      'Resource.1.ResourceId': emulator.world.clusters[0]!.apiServerLoadBalancerId,
      'Resource.1.ResourceType': 'slb',
      'Resource.1.ZoneId': 'cn-hangzhou-j',
      ClientToken: 'v2-retried',
    };
    const first = await rpcV2(client(), 'CreateVpcEndpointService', { RegionId: emulator.regionId }, body);
    const second = await rpcV2(client(), 'CreateVpcEndpointService', { RegionId: emulator.regionId }, body);
    expect((second.body as { ServiceId: string }).ServiceId).toBe((first.body as { ServiceId: string }).ServiceId);
    expect(emulator.requests().at(-1)?.replayed).toBe(true);
  });

  test('a wrong secret is refused with SignatureDoesNotMatch, naming the server string to sign', async () => {
    const error = await failure(rpcV2(client('wrong-secret'), 'DescribeZones', { RegionId: emulator.regionId }));
    expect(error.code).toBe('SignatureDoesNotMatch');
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('server string to sign is:POST&%2F&');
  });
});

/** An RPC V2 request signed by OpenApiUtil.getRPCSignature, routed by Action/Version in the query only. */
function signedV2Url(overrides: Record<string, string> = {}, secret = emulator.credentials.accessKeySecret): string {
  const params: Record<string, string> = {
    Action: 'DescribeZones',
    Version: '2020-04-15',
    Format: 'JSON',
    RegionId: emulator.regionId,
    AccessKeyId: emulator.credentials.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: OpenApiUtil.getTimestamp(),
    ...overrides,
  };
  const signature = OpenApiUtil.getRPCSignature(params, 'GET', secret);
  return `${emulator.url}/?${new URLSearchParams({ ...params, Signature: signature }).toString().replace(/\+/g, '%20')}`;
}

async function send(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('RPC routed by Action and Version in the query, no x-acs-* headers (the aliyun CLI and Go SDK shape)', () => {
  test('is routed and answered', async () => {
    const { status, body } = await send(signedV2Url());
    expect(status).toBe(200);
    expect((body.Zones as { Zone: unknown[] }).Zone).toHaveLength(3);
  });

  test('a Timestamp more than 15 minutes old is InvalidTimeStamp.Expired', async () => {
    const old = new Date(Date.now() - 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { status, body } = await send(signedV2Url({ Timestamp: old }));
    expect([status, body.Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
  });

  test('a replayed request (same nonce) is SignatureNonceUsed; the first was answered', async () => {
    const url = signedV2Url();
    expect((await send(url)).status).toBe(200);
    const { status, body } = await send(url);
    expect([status, body.Code]).toEqual([400, 'SignatureNonceUsed']);
  });

  test('a parameter changed after signing is SignatureDoesNotMatch', async () => {
    const url = signedV2Url()
      .replace('ServiceResourceType', 'X')
      .replace('RegionId=cn-hangzhou', 'RegionId=cn-hangzhou&X=1');
    const { body } = await send(url);
    expect(body.Code).toBe('SignatureDoesNotMatch');
  });

  test('an unknown AccessKeyId is InvalidAccessKeyId.NotFound (404); no signature at all is IncompleteSignature', async () => {
    const unknown = await send(signedV2Url({ AccessKeyId: 'LTAI5tNobodyHasThisKey0000' }));
    expect([unknown.status, unknown.body.Code]).toEqual([404, 'InvalidAccessKeyId.NotFound']);
    const unsigned = await send(
      `${emulator.url}/?Action=DescribeZones&Version=2020-04-15&RegionId=${emulator.regionId}`,
    );
    expect([unsigned.status, unsigned.body.Code]).toEqual([400, 'IncompleteSignature']);
  });

  test('an unknown Version is InvalidVersion, an unknown Action InvalidAction.NotFound', async () => {
    expect((await send(signedV2Url({ Version: '1999-01-01' }))).body.Code).toBe('InvalidVersion');
    expect((await send(signedV2Url({ Action: 'DescribeNothing' }))).body.Code).toBe('InvalidAction.NotFound');
  });
});

describe('STS credentials with the older signatures', () => {
  const STS = { accessKeyId: 'STS.NTestTemporaryKey0002', accessKeySecret: 'sts-secret', securityToken: 'CAIS-v2' };
  let sts: RunningEmulator;

  beforeAll(async () => {
    const world = loadWorldFile(TWO_CLUSTERS_WORLD);
    world.accounts[0]!.accessKeys.push(STS);
    sts = await startEmulator({ world });
  });
  afterAll(() => sts.stop());

  const stsClient = (securityToken?: string) =>
    new OpenApi(
      new $OpenApiUtil.Config({
        endpoint: sts.endpoint,
        protocol: 'http',
        regionId: sts.regionId,
        accessKeyId: STS.accessKeyId,
        accessKeySecret: STS.accessKeySecret,
        ...(securityToken ? { securityToken } : {}),
      }),
    );

  test('V2 RPC: SecurityToken in the query is required and checked', async () => {
    const query = { RegionId: sts.regionId };
    expect((await rpcV2(stsClient(STS.securityToken), 'DescribeZones', query)).statusCode).toBe(200);
    expect((await failure(rpcV2(stsClient(), 'DescribeZones', query))).code).toBe(
      'InvalidSecurityToken.MissingSecurityToken',
    );
    expect((await failure(rpcV2(stsClient('CAIS-other'), 'DescribeZones', query))).code).toBe(
      'InvalidSecurityToken.MismatchWithAccessKey',
    );
  });

  test('ROA acs: x-acs-security-token is required', async () => {
    const clusterId = sts.world.clusters[0]!.clusterId;
    expect((await roa(stsClient(STS.securityToken), clusterId)).statusCode).toBe(200);
    expect((await failure(roa(stsClient(), clusterId))).code).toBe('InvalidSecurityToken.MissingSecurityToken');
  });
});

test('a V2 Timestamp not in yyyy-MM-ddTHH:mm:ssZ is InvalidTimeStamp.Format', async () => {
  const { status, body } = await send(signedV2Url({ Timestamp: '2026-11-30 20:00:00' }));
  expect([status, body.Code]).toEqual([400, 'InvalidTimeStamp.Format']);
});

describe('ROA signed with Authorization: acs AK:signature (openapi-core doROARequest)', () => {
  const clusterId = () => emulator.world.clusters[0]!.clusterId;

  test('is accepted', async () => {
    const answer = await roa(client(), clusterId());
    expect(answer.statusCode).toBe(200);
    expect((answer.body as { cluster_id: string }).cluster_id).toBe(clusterId());
  });

  test('a wrong secret is SignatureDoesNotMatch in the ROA body', async () => {
    const error = await failure(roa(client('wrong-secret'), clusterId()));
    expect([error.code, error.statusCode]).toEqual(['SignatureDoesNotMatch', 400]);
  });

  /** Headers signed by OpenApiUtil.getStringToSign + getROASignature, with a chosen Date and nonce. */
  function signedRoaHeaders(date: string, nonce?: string): Record<string, string> {
    const request = new $dara.Request();
    request.method = 'GET';
    request.pathname = `/clusters/${clusterId()}`;
    request.query = {};
    request.headers = {
      accept: 'application/json',
      date,
      host: emulator.endpoint,
      ...(nonce === undefined ? {} : { 'x-acs-signature-nonce': nonce }),
      'x-acs-signature-method': 'HMAC-SHA1',
      'x-acs-signature-version': '1.0',
      'x-acs-version': '2015-12-15',
      'x-acs-action': 'DescribeClusterDetail',
    };
    const signature = OpenApiUtil.getROASignature(
      OpenApiUtil.getStringToSign(request),
      emulator.credentials.accessKeySecret,
    );
    return { ...request.headers, authorization: `acs ${emulator.credentials.accessKeyId}:${signature}` };
  }

  test('a Date more than 15 minutes old is InvalidTimeStamp.Expired; a replayed nonce SignatureNonceUsed', async () => {
    const url = `${emulator.url}/clusters/${clusterId()}`;
    const stale = await send(url, {
      headers: signedRoaHeaders(new Date(Date.now() - 20 * 60_000).toUTCString(), randomUUID()),
    });
    expect([stale.status, stale.body.code]).toEqual([400, 'InvalidTimeStamp.Expired']);
    const headers = signedRoaHeaders(new Date().toUTCString(), randomUUID());
    expect((await send(url, { headers })).status).toBe(200);
    const replay = await send(url, { headers });
    expect([replay.status, replay.body.code]).toEqual([400, 'SignatureNonceUsed']);
  });

  test('an ROA call without x-acs-signature-nonce (as the aliyun CLI signs it) is answered', async () => {
    const url = `${emulator.url}/clusters/${clusterId()}`;
    const answer = await send(url, { headers: signedRoaHeaders(new Date().toUTCString()) });
    expect([answer.status, answer.body.cluster_id]).toEqual([200, clusterId()]);
    const wrong = signedRoaHeaders(new Date().toUTCString());
    const refused = await send(url, { headers: { ...wrong, date: new Date(Date.now() - 1000).toUTCString() } });
    expect([refused.status, refused.body.code]).toEqual([400, 'SignatureDoesNotMatch']);
  });
});
