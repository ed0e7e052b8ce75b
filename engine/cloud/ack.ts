/**
 * ACK (Container Service, CS 2015-12-15, ROA) through `@alicloud/cs20151215`: a cluster's network
 * facts, the load balancer in front of its API server, and the API server certificate's SANs,
 * which we only ever append to.
 */
import Cs, * as $Cs from '@alicloud/cs20151215';
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import { type CloudContext, runtimeOptions } from './context';
import { CloudError, LocalErrorCode } from './errors';
import type { CallDescriptor } from './retry';

export interface ClusterLoadBalancerEndpoint {
  loadBalancerId: string;
  /** `private` / `public` (`control_plane_endpoints_config.load_balancers_config[].endpoint_type`). */
  endpointType?: string;
  endpoint?: string;
}

export interface ClusterDetail {
  clusterId: string;
  name?: string;
  regionId?: string;
  /** `ManagedKubernetes`, `Kubernetes`, ... (SANs can be changed on managed clusters only). */
  clusterType?: string;
  /** `initial`, `running`, `updating`, `updating_failed`, `failed`, ... */
  state?: string;
  vpcId?: string;
  vSwitchIds: string[];
  securityGroupId?: string;
  /**
   * The custom SANs of the API server certificate: `extra_sans` (newer clusters) and the
   * `ExtraCertSAN` key of `meta_data` (older ones, what Terraform reads), merged, first seen first.
   */
  apiServerCertSans: string[];
  /** From `master_url` (a JSON string). */
  apiServerEndpoint?: string;
  intranetApiServerEndpoint?: string;
  /** Newer clusters name their API server load balancers here. */
  controlPlaneLoadBalancers: ClusterLoadBalancerEndpoint[];
}

export interface ClusterResource {
  /** `ALIYUN::SLB::LoadBalancer`, `ALIYUN::VPC::VPC`, ... */
  resourceType?: string;
  instanceId?: string;
  /** The `Id` inside `resource_info` (a JSON string): `k8s_master_slb` marks the API server SLB. */
  resourceInfoId?: string;
  state?: string;
  creatorType?: string;
  autoCreate?: number;
}

/** The PrivateLink resource type of a load balancer: `nlb-...` ids are NLBs, `alb-...` ALBs, the rest CLB (slb). */
export type LoadBalancerKind = 'slb' | 'nlb' | 'alb';

export interface ApiServerLoadBalancer {
  loadBalancerId: string;
  /** What to pass as PrivateLink `ResourceType`. */
  kind: LoadBalancerKind;
  /** Where it was found, for messages. */
  source: 'cluster resources (k8s_master_slb)' | 'control plane endpoints' | 'cluster resources (first load balancer)';
}

export interface ClusterTask {
  taskId: string;
  clusterId?: string;
  taskType?: string;
  /** `running`, `success`, `fail` (older docs: `failed`). */
  state?: string;
  error?: { code?: string; message?: string };
  created?: string;
  updated?: string;
}

export interface SanAppendResult {
  clusterId: string;
  /** Follow it with describeTaskInfo; the API server restarts while it runs. */
  taskId?: string;
  requestId?: string;
}

const SLB_RESOURCE_TYPES = new Set(['ALIYUN::SLB::LoadBalancer', 'SLB']);
const NLB_RESOURCE_TYPES = new Set(['ALIYUN::NLB::LoadBalancer', 'NLB']);

export function loadBalancerKind(loadBalancerId: string): LoadBalancerKind {
  if (loadBalancerId.startsWith('nlb-')) return 'nlb';
  if (loadBalancerId.startsWith('alb-')) return 'alb';
  return 'slb';
}

/**
 * The load balancer in front of a cluster's API server: the resource marked `k8s_master_slb`
 * (the SDK's example), else a private control-plane endpoint's load balancer (newer clusters,
 * often an NLB), else the first load balancer among the resources (what Terraform takes).
 */
export function apiServerLoadBalancerOf(
  detail: ClusterDetail,
  resources: ClusterResource[],
): ApiServerLoadBalancer | undefined {
  const loadBalancers = resources.filter(
    (resource) =>
      resource.instanceId &&
      (SLB_RESOURCE_TYPES.has(resource.resourceType ?? '') || NLB_RESOURCE_TYPES.has(resource.resourceType ?? '')),
  );
  const marked = loadBalancers.find((resource) => resource.resourceInfoId === 'k8s_master_slb');
  if (marked?.instanceId) {
    return {
      loadBalancerId: marked.instanceId,
      kind: loadBalancerKind(marked.instanceId),
      source: 'cluster resources (k8s_master_slb)',
    };
  }
  const privateEndpoint = detail.controlPlaneLoadBalancers.find(
    (endpoint) => endpoint.endpointType?.toLowerCase() !== 'public',
  );
  if (privateEndpoint) {
    const id = privateEndpoint.loadBalancerId;
    return { loadBalancerId: id, kind: loadBalancerKind(id), source: 'control plane endpoints' };
  }
  const first = loadBalancers[0]?.instanceId;
  return first
    ? { loadBalancerId: first, kind: loadBalancerKind(first), source: 'cluster resources (first load balancer)' }
    : undefined;
}

/** The load balancer in front of the API server (see apiServerLoadBalancerOf); an error naming the cluster when there is none. */
export function requireApiServerLoadBalancer(
  detail: ClusterDetail,
  resources: ClusterResource[],
): ApiServerLoadBalancer {
  const found = apiServerLoadBalancerOf(detail, resources);
  if (found) return found;
  throw new CloudError({
    product: 'ACK',
    action: 'DescribeClusterResources',
    resourceId: detail.clusterId,
    code: 'ApiServerLoadBalancerNotFound',
    message: `cluster ${detail.clusterId} lists no load balancer in front of its API server (no k8s_master_slb resource, no control-plane endpoint)`,
    retryable: false,
  });
}

/** The ACK API of one region. */
export class AckClient {
  private readonly sdk: Cs;

  constructor(
    private readonly context: CloudContext,
    config: $OpenApiUtil.Config,
  ) {
    this.sdk = new Cs(config);
  }

  /** DescribeClusterDetail: network facts, state and current SANs. `ErrorClusterNotFound` when missing. */
  async describeClusterDetail(clusterId: string): Promise<ClusterDetail> {
    const response = await this.run({ action: 'DescribeClusterDetail', mutating: false, resourceId: clusterId }, () =>
      this.sdk.describeClusterDetailWithOptions(clusterId, {}, this.runtime()),
    );
    return clusterDetailOf(clusterId, response.body ?? new $Cs.DescribeClusterDetailResponseBody({}));
  }

  /** DescribeClusterResources: the cloud resources a cluster uses (its VPC, load balancers, ...). */
  async describeClusterResources(clusterId: string): Promise<ClusterResource[]> {
    const response = await this.run(
      { action: 'DescribeClusterResources', mutating: false, resourceId: clusterId },
      () =>
        this.sdk.describeClusterResourcesWithOptions(
          clusterId,
          new $Cs.DescribeClusterResourcesRequest({}),
          {},
          this.runtime(),
        ),
    );
    return (response.body ?? []).map(clusterResourceOf);
  }

  /**
   * ModifyCluster with `api_server_custom_cert_sans: {action: "append"}`: adds SANs and keeps every
   * one already there. Never "overwrite", which would drop SANs others rely on. The API server
   * restarts; follow the returned task. The same `client_token` goes on every retry.
   */
  async appendApiServerCertSans(
    clusterId: string,
    sans: string[],
    options: { clientToken?: string } = {},
  ): Promise<SanAppendResult> {
    const unique = [...new Set(sans.map((san) => san.trim()).filter((san) => san !== ''))];
    if (unique.length === 0) {
      throw new CloudError({
        product: 'ACK',
        action: 'ModifyCluster',
        resourceId: clusterId,
        code: LocalErrorCode.invalidRequest,
        message: 'no SAN to append: pass at least one domain name or IP',
        retryable: false,
      });
    }
    const request = new $Cs.ModifyClusterRequest({
      apiServerCustomCertSans: new $Cs.ModifyClusterRequestApiServerCustomCertSans({
        action: 'append',
        subjectAlternativeNames: unique,
      }),
      clientToken: options.clientToken ?? this.context.newClientToken(),
    });
    const response = await this.run({ action: 'ModifyCluster', mutating: true, resourceId: clusterId }, () =>
      this.sdk.modifyClusterWithOptions(clusterId, request, {}, this.runtime()),
    );
    const body = response.body;
    return { clusterId: body?.clusterId ?? clusterId, taskId: body?.taskId || undefined, requestId: body?.requestId };
  }

  /** DescribeTaskInfo: the state of a cluster task (`running`, `success`, `fail`). */
  async describeTaskInfo(taskId: string): Promise<ClusterTask> {
    const response = await this.run({ action: 'DescribeTaskInfo', mutating: false, resourceId: taskId }, () =>
      this.sdk.describeTaskInfoWithOptions(taskId, {}, this.runtime()),
    );
    const body = response.body ?? new $Cs.DescribeTaskInfoResponseBody({});
    return {
      taskId: body.taskId ?? taskId,
      clusterId: body.clusterId,
      taskType: body.taskType,
      state: body.state,
      error:
        body.error && (body.error.code || body.error.message)
          ? { code: body.error.code, message: body.error.message }
          : undefined,
      created: body.created,
      updated: body.updated,
    };
  }

  private runtime() {
    return runtimeOptions(this.context.timeouts);
  }

  // Every ACK call we make is a read or carries a client_token, so all are idempotent.
  private run<T extends { body?: unknown; headers?: Record<string, string> }>(
    call: Omit<CallDescriptor, 'product' | 'idempotent'>,
    attempt: () => Promise<T>,
  ): Promise<T> {
    return this.context.runner.run({ ...call, product: 'ACK', idempotent: true }, attempt, requestIdOfRoa);
  }
}

function requestIdOfRoa(response: { body?: unknown; headers?: Record<string, string> }): string | undefined {
  const body = response.body as { requestId?: unknown } | undefined;
  if (typeof body?.requestId === 'string') return body.requestId;
  return response.headers?.['x-acs-request-id'];
}

function clusterDetailOf(clusterId: string, body: $Cs.DescribeClusterDetailResponseBody): ClusterDetail {
  const masterUrl = parseJsonObject(body.masterUrl);
  const metaData = parseJsonObject(body.metaData);
  return {
    clusterId: body.clusterId ?? clusterId,
    name: body.name,
    regionId: body.regionId,
    clusterType: body.clusterType,
    state: body.state,
    vpcId: body.vpcId,
    vSwitchIds: body.vswitchIds ?? (body.vswitchId ? body.vswitchId.split(',').filter(Boolean) : []),
    securityGroupId: body.securityGroupId,
    apiServerCertSans: [...new Set([...(body.extraSans ?? []), ...sansOf(metaData.ExtraCertSAN)])],
    apiServerEndpoint: typeof masterUrl.api_server_endpoint === 'string' ? masterUrl.api_server_endpoint : undefined,
    intranetApiServerEndpoint:
      typeof masterUrl.intranet_api_server_endpoint === 'string' ? masterUrl.intranet_api_server_endpoint : undefined,
    controlPlaneLoadBalancers: (body.controlPlaneEndpointsConfig?.loadBalancersConfig ?? []).flatMap((config) =>
      config.loadBalancerId
        ? [{ loadBalancerId: config.loadBalancerId, endpointType: config.endpointType, endpoint: config.endpoint }]
        : [],
    ),
  };
}

// ExtraCertSAN is a list in the clusters we have seen; a comma-separated string is accepted too.
function sansOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string' && item !== '');
  if (typeof value === 'string')
    return value
      .split(',')
      .map((san) => san.trim())
      .filter(Boolean);
  return [];
}

function clusterResourceOf(item: $Cs.DescribeClusterResourcesResponseBody): ClusterResource {
  const info = parseJsonObject(item.resourceInfo);
  return {
    resourceType: item.resourceType,
    instanceId: item.instanceId,
    resourceInfoId: typeof info.Id === 'string' ? info.Id : undefined,
    state: item.state,
    creatorType: item.creatorType,
    autoCreate: item.autoCreate,
  };
}

function parseJsonObject(value: string | undefined): Record<string, unknown> {
  if (!value) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
