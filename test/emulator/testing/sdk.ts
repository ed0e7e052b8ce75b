// The real SDKs pointed at an emulator: @alicloud/cs20151215 and @alicloud/vpc20160428 as
// generated, and openapi-core's generic callApi for the products without an npm SDK
// (PrivateLink, ASM, SLB), built the way the generated clients build their calls.
import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import CS from '@alicloud/cs20151215';
import VPC from '@alicloud/vpc20160428';
import * as $dara from '@darabonba/typescript';
import type { RunningEmulator } from '../index';

export interface SdkCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export const VERSIONS = {
  privatelink: '2020-04-15',
  servicemesh: '2020-01-11',
  slb: '2014-05-15',
  vpc: '2016-04-28',
  sts: '2015-04-01',
} as const;

export function sdkConfig(
  emulator: RunningEmulator,
  credentials: SdkCredentials = emulator.credentials,
): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    endpoint: emulator.endpoint,
    protocol: 'http',
    regionId: emulator.regionId,
    ...credentials,
  });
}

export interface RpcCallOptions {
  /** Parameters sent as a form body instead of the query (TagResources, the ASM writes). */
  body?: Record<string, unknown>;
  readTimeout?: number;
}

export function sdkClients(emulator: RunningEmulator, credentials: SdkCredentials = emulator.credentials) {
  const generic = new OpenApi(sdkConfig(emulator, credentials));
  /** One RPC call through openapi-core, signed with ACS3-HMAC-SHA256 like every generated client. */
  const rpc = async (
    product: keyof typeof VERSIONS,
    action: string,
    query: Record<string, unknown> = {},
    options: RpcCallOptions = {},
  ): Promise<Record<string, any>> => {
    const params = new $OpenApiUtil.Params({
      action,
      version: VERSIONS[product],
      protocol: 'HTTPS',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new $OpenApiUtil.OpenApiRequest({
      query: OpenApiUtil.query(query),
      ...(options.body ? { body: OpenApiUtil.parseToMap(OpenApiUtil.query(options.body)) } : {}),
    });
    const response = await generic.callApi(
      params,
      request,
      new $dara.RuntimeOptions({ readTimeout: options.readTimeout ?? 5000, connectTimeout: 2000 }),
    );
    return response.body as Record<string, any>;
  };
  return {
    cs: new CS(sdkConfig(emulator, credentials)),
    vpc: new VPC(sdkConfig(emulator, credentials)),
    rpc,
    privateLink: (action: string, query: Record<string, unknown> = {}, options?: RpcCallOptions) =>
      rpc('privatelink', action, { RegionId: emulator.regionId, ...query }, options),
  };
}

/** Waits `ms` of real time (tests use delays of tens of milliseconds). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds or `timeoutMs` passes; answers the last value read. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 3000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(intervalMs);
  }
}
