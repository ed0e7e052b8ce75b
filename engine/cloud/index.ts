/**
 * The cloud clients every plugin command shares: PrivateLink, ACK, VPC, ASM and SLB, all on one
 * `@alicloud/openapi-core` (one signer, one credential chain), one retry runner, one call hook.
 *
 * ```ts
 * const cloud = createCloud({ ...resolveCloudSettings({ region, profile, cloudEndpoint }), onCall: countCall });
 * const service = await cloud.privateLink.services.getVpcEndpointServiceAttribute('epsrv-...');
 * ```
 */
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { AckClient } from './ack';
import { assertCatalogued } from './catalogue';
import { type CloudContext, type CloudTimeouts, defaultTimeouts, randomClientToken } from './context';
import { MeshClient } from './mesh';
import { NlbClient } from './nlb';
import { PermissionProber } from './permissions';
import { PrivateLinkClient } from './privatelink';
import { CallRunner, defaultRetryPolicy, type RetryPolicy, systemRetryClock } from './retry';
import {
  checkRegion,
  type CloudSettings,
  CloudSettingsError,
  credentialFor,
  type EndpointOverride,
  parseCloudEndpoint,
} from './settings';
import { SlbClient } from './slb';
import { StsClient } from './sts';
import { VpcClient } from './vpc';

export interface Cloud {
  region: string;
  /** The override every product uses, when one was given. */
  endpointOverride?: EndpointOverride;
  privateLink: PrivateLinkClient;
  ack: AckClient;
  vpc: VpcClient;
  mesh: MeshClient;
  slb: SlbClient;
  nlb: NlbClient;
  /** STS: whose credentials these are, and roles of other accounts to act in. */
  sts: StsClient;
  /** Harmless checks of each catalogued RAM permission (doctor). */
  permissions: PermissionProber;
}

/** Builds every client from one set of settings. Makes no call and reads no credential yet. */
export function createCloud(settings: CloudSettings): Cloud {
  const region = checkRegion(settings.region);
  const timeouts: CloudTimeouts = { ...defaultTimeouts, ...settings.timeouts };
  const retry: RetryPolicy = { ...defaultRetryPolicy, ...settings.retry };
  checkBounds(timeouts, retry);
  const endpointOverride = settings.cloudEndpoint ? parseCloudEndpoint(settings.cloudEndpoint) : undefined;
  const credential = credentialFor(settings);
  const runner = new CallRunner({
    retry,
    clock: settings.clock ?? systemRetryClock,
    onCall: settings.onCall,
    signal: settings.signal,
    admit: assertCatalogued,
    pacing: settings.pacing,
  });
  const context: CloudContext = { region, runner, timeouts, newClientToken: randomClientToken };
  // A fresh Config per client: the SDK constructors write into the one they are given.
  const config = () =>
    new $OpenApiUtil.Config({
      credential,
      regionId: region,
      endpoint: endpointOverride?.endpoint,
      protocol: endpointOverride?.protocol,
      connectTimeout: timeouts.connectMs,
      readTimeout: timeouts.readMs,
      userAgent: 'asmpvl',
    });
  const ack = new AckClient(context, config());
  return {
    region,
    endpointOverride,
    privateLink: new PrivateLinkClient(context, config()),
    ack,
    vpc: new VpcClient(context, config()),
    mesh: new MeshClient(context, config()),
    slb: new SlbClient(context, config()),
    nlb: new NlbClient(context, config()),
    sts: new StsClient(context, config()),
    permissions: new PermissionProber(context, config, ack),
  };
}

// Every network call has a timeout and every retry a bound: refuse settings without them.
function checkBounds(timeouts: CloudTimeouts, retry: RetryPolicy): void {
  for (const [name, value] of Object.entries(timeouts)) {
    if (!(value > 0 && Number.isFinite(value)))
      throw new CloudSettingsError(
        `timeouts.${name}`,
        `timeouts.${name} must be a positive number of milliseconds, got ${value}`,
      );
  }
  if (!(Number.isInteger(retry.maxAttempts) && retry.maxAttempts >= 1)) {
    throw new CloudSettingsError(
      'retry.maxAttempts',
      `retry.maxAttempts must be a whole number ≥ 1, got ${retry.maxAttempts}`,
    );
  }
  for (const name of ['baseDelayMs', 'maxDelayMs', 'maxElapsedMs'] as const) {
    const value = retry[name];
    if (!(value >= 0 && Number.isFinite(value)))
      throw new CloudSettingsError(`retry.${name}`, `retry.${name} must be a finite number ≥ 0, got ${value}`);
  }
}

export * from './ack';
export * from './catalogue';
export { type CloudTimeouts, defaultTimeouts } from './context';
export * from './errors';
export * from './mesh';
export * from './nlb';
export * from './pagination';
export * from './pacing';
export * from './permissions';
export * from './privatelink';
export {
  type CallDescriptor,
  type CloudCallEvent,
  type CloudCallHook,
  defaultRetryPolicy,
  type RetryClock,
  type RetryPolicy,
} from './retry';
export type { Tag } from './rpc';
export * from './settings';
export * from './slb';
export * from './sts';
export * from './accounts';
export * from './vpc';
