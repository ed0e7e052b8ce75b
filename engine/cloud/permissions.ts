/**
 * Checking a RAM permission without changing anything, for `doctor`: each catalogued action is
 * sent once, as a write with `DryRun=true` where the API takes it, otherwise about a resource that
 * cannot exist (a read, or ModifyCluster / AddClusterIntoServiceMesh on ids no one can own). RAM
 * judges a call before the product looks at its parameters, so any answer but a permission error
 * (DryRunOperation, a not-found, a parameter error) means the action is allowed. That order is
 * how the gateway documents action-level authorization; for resource-level checks made inside a
 * product it is assumed.
 */
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import type { AckClient } from './ack';
import type { CatalogueEntry } from './catalogue';
import { type CloudContext, runtimeOptions } from './context';
import { CloudError, type CloudProduct, LocalErrorCode, toCloudError } from './errors';
import { meshApi } from './mesh';
import { nlbApi } from './nlb';
import { privateLinkApi } from './privatelink';
import { type ProductApi, RpcClient, text, type WireParams } from './rpc';
import { slbApi } from './slb';
import { stsApi } from './sts';

export const vpcApi: ProductApi = {
  product: 'VPC',
  productCode: 'vpc',
  version: '2016-04-28',
  endpointRule: 'regional',
};

/** Ids no account can own: a call about them can change nothing. */
export const PROBE_IDS = {
  service: 'epsrv-asmpvlpermissionprobe',
  endpoint: 'ep-asmpvlpermissionprobe',
  cluster: `c${'0'.repeat(32)}`,
  mesh: `c${'0'.repeat(31)}1`,
  task: `T-${'0'.repeat(24)}`,
  vSwitch: 'vsw-asmpvlpermissionprobe',
  vpc: 'vpc-asmpvlpermissionprobe',
  loadBalancer: 'lb-asmpvlpermissionprobe',
  networkLoadBalancer: 'nlb-asmpvlpermissionprobe',
  role: 'acs:ram::1000000000000000:role/asmpvl-permission-probe',
} as const;

// The parameters each RPC probe sends besides RegionId (and DryRun): enough to name a resource
// that does not exist, nothing that could create one.
const RPC_PROBE_PARAMS: Record<string, WireParams> = {
  GetVpcEndpointServiceAttribute: { ServiceId: PROBE_IDS.service },
  DeleteVpcEndpointService: { ServiceId: PROBE_IDS.service },
  AttachResourceToVpcEndpointService: {
    ServiceId: PROBE_IDS.service,
    ResourceId: PROBE_IDS.loadBalancer,
    ResourceType: 'slb',
  },
  DetachResourceFromVpcEndpointService: {
    ServiceId: PROBE_IDS.service,
    ResourceId: PROBE_IDS.loadBalancer,
    ResourceType: 'slb',
  },
  ListVpcEndpointServiceResources: { ServiceId: PROBE_IDS.service },
  AddUserToVpcEndpointService: { ServiceId: PROBE_IDS.service, UserId: '1000000000000000' },
  ListVpcEndpointServiceUsers: { ServiceId: PROBE_IDS.service },
  CreateVpcEndpoint: { ServiceId: PROBE_IDS.service, VpcId: PROBE_IDS.vpc },
  GetVpcEndpointAttribute: { EndpointId: PROBE_IDS.endpoint },
  DeleteVpcEndpoint: { EndpointId: PROBE_IDS.endpoint },
  AddZoneToVpcEndpoint: { EndpointId: PROBE_IDS.endpoint, VSwitchId: PROBE_IDS.vSwitch },
  RemoveZoneFromVpcEndpoint: { EndpointId: PROBE_IDS.endpoint },
  ListVpcEndpointZones: { EndpointId: PROBE_IDS.endpoint },
  EnableVpcEndpointConnection: { ServiceId: PROBE_IDS.service, EndpointId: PROBE_IDS.endpoint },
  DescribeZones: { ServiceResourceType: 'slb' },
  // A role no account has: allowed answers EntityNotExist.Role, denied answers Forbidden.RAM.
  AssumeRole: { RoleArn: PROBE_IDS.role, RoleSessionName: 'asmpvl-permission-probe' },
  ListVpcEndpointServices: { MaxResults: '1' },
  ListVpcEndpoints: { MaxResults: '1' },
  DescribeVSwitchAttributes: { VSwitchId: PROBE_IDS.vSwitch },
  DescribeVSwitches: { PageSize: '1' },
  DescribeServiceMeshDetail: { ServiceMeshId: PROBE_IDS.mesh },
  DescribeClustersInServiceMesh: { ServiceMeshId: PROBE_IDS.mesh },
  AddClusterIntoServiceMesh: { ServiceMeshId: PROBE_IDS.mesh, ClusterId: PROBE_IDS.cluster },
  DescribeLoadBalancers: { LoadBalancerId: PROBE_IDS.loadBalancer },
  GetLoadBalancerAttribute: { LoadBalancerId: PROBE_IDS.networkLoadBalancer },
};

// Actions that take no RegionId.
const REGIONLESS = new Set(['CheckProductOpen', 'AssumeRole', 'GetCallerIdentity']);

const RPC_APIS: Partial<Record<CloudProduct, ProductApi>> = {
  PrivateLink: privateLinkApi,
  VPC: vpcApi,
  ASM: meshApi,
  SLB: slbApi,
  NLB: nlbApi,
  STS: stsApi,
};

export type PermissionStatus = 'allowed' | 'denied' | 'unknown';

export interface PermissionVerdict {
  entry: CatalogueEntry;
  status: PermissionStatus;
  /** The probe's answer when it was an error (a permission error when denied). */
  error?: CloudError;
}

// Errors that say nothing about RAM: the call never reached a product (credentials, signature,
// network, throttling), so the permission is not known.
function undecided(error: CloudError): boolean {
  const local = Object.values(LocalErrorCode) as string[];
  return (
    local.includes(error.code) ||
    error.retryable ||
    /^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|InvalidTimeStamp|InvalidSecurityToken|SignatureNonceUsed)/.test(
      error.code,
    )
  );
}

/** What a probe's outcome says about the permission. */
export function verdictOf(entry: CatalogueEntry, error: unknown): PermissionVerdict {
  if (error === undefined) return { entry, status: 'allowed' };
  const cloudError = toCloudError({ product: entry.product, action: entry.action }, error);
  if (cloudError.permissionDenied) return { entry, status: 'denied', error: cloudError };
  if (undecided(cloudError)) return { entry, status: 'unknown', error: cloudError };
  return { entry, status: 'allowed', error: cloudError };
}

/** Sends the harmless probe of each catalogued action. */
export class PermissionProber {
  private readonly clients = new Map<CloudProduct, RpcClient>();

  constructor(
    private readonly context: CloudContext,
    private readonly config: () => $OpenApiUtil.Config,
    private readonly ack: AckClient,
  ) {}

  /** One action's verdict; never throws for a cloud answer. */
  async check(entry: CatalogueEntry): Promise<PermissionVerdict> {
    try {
      await this.send(entry);
      return verdictOf(entry, undefined);
    } catch (error) {
      return verdictOf(entry, error);
    }
  }

  private send(entry: CatalogueEntry): Promise<unknown> {
    if (entry.product === 'ACK') return this.sendAck(entry);
    const api = RPC_APIS[entry.product];
    if (!api) throw new Error(`no probe for ${entry.product} ${entry.action}`);
    const query: WireParams = {
      ...(REGIONLESS.has(entry.action) ? {} : { RegionId: this.context.region }),
      ...RPC_PROBE_PARAMS[entry.action],
      ...(entry.dryRun ? { DryRun: 'true' } : {}),
    };
    const runtime = runtimeOptions(this.context.timeouts);
    return this.context.runner.run(
      { product: entry.product, action: entry.action, mutating: entry.mutating, idempotent: true },
      () => this.rpcClient(entry.product, api).invoke({ action: entry.action, query }, runtime),
      (answer) => text(answer, 'RequestId'),
    );
  }

  private sendAck(entry: CatalogueEntry): Promise<unknown> {
    switch (entry.action) {
      case 'DescribeClusterDetail':
        return this.ack.describeClusterDetail(PROBE_IDS.cluster);
      case 'DescribeClusterResources':
        return this.ack.describeClusterResources(PROBE_IDS.cluster);
      case 'ModifyCluster':
        return this.ack.appendApiServerCertSans(PROBE_IDS.cluster, ['asmpvl-permission-probe.invalid']);
      case 'DescribeTaskInfo':
        return this.ack.describeTaskInfo(PROBE_IDS.task);
      default:
        throw new CloudError({
          product: 'ACK',
          action: entry.action,
          code: LocalErrorCode.invalidRequest,
          message: `no probe for ACK ${entry.action}`,
          retryable: false,
        });
    }
  }

  private rpcClient(product: CloudProduct, api: ProductApi): RpcClient {
    let client = this.clients.get(product);
    if (!client) {
      client = new RpcClient(this.config(), api);
      this.clients.set(product, client);
    }
    return client;
  }
}

/**
 * The writes of the policy that RAM would refuse, checked without changing anything: for a
 * preflight before a run's first change (so a missing permission stops it before anything is half
 * made). Each denial is a CloudError naming the RAM action, the request id and the fix.
 */
export async function deniedWrites(
  prober: PermissionProber,
  entries: readonly CatalogueEntry[],
): Promise<CloudError[]> {
  const writes = entries.filter((entry) => entry.mutating);
  const verdicts = await Promise.all(writes.map((entry) => prober.check(entry)));
  return verdicts.flatMap((verdict) => (verdict.status === 'denied' && verdict.error ? [verdict.error] : []));
}
