/**
 * ASM (servicemesh 2020-01-11, RPC, central endpoint; no npm SDK here, so written on the shared
 * RpcClient): the mesh's network, its Pilot address, and its data-plane clusters. Which parameters
 * go in the form body and which in the query follows the generated SDK
 * (servicemesh-20200111/src/client.ts): DescribeServiceMeshDetail and AddClusterIntoServiceMesh
 * send theirs in the body, DescribeClustersInServiceMesh in the query. The SDK sends no RegionId.
 */
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import { type CloudContext, runtimeOptions } from './context';
import { CloudError, LocalErrorCode } from './errors';
import {
  child,
  isObject,
  type ProductApi,
  records,
  RpcClient,
  type RpcRequest,
  text,
  texts,
  type WireObject,
} from './rpc';

export const meshApi: ProductApi = {
  product: 'ASM',
  productCode: 'servicemesh',
  version: '2020-01-11',
  endpointRule: 'central',
};

/** A host and port, as in `IntranetPilotEndpoint` (`192.168.0.10:15011`). */
export interface HostPort {
  host: string;
  port?: number;
}

export interface ServiceMesh {
  serviceMeshId: string;
  name?: string;
  regionId?: string;
  /** `running`, ... */
  state?: string;
  version?: string;
  vpcId?: string;
  securityGroupId?: string;
  vSwitchIds: string[];
  /** The raw `Endpoints.IntranetPilotEndpoint`. */
  intranetPilotEndpoint?: string;
  /** Where Pilot listens inside the mesh's VPC, parsed from intranetPilotEndpoint. */
  pilotAddress?: HostPort;
  apiServerLoadBalancerId?: string;
  /**
   * The Internet-facing Pilot load balancer. No field names the private one: find it by
   * pilotAddress (SLB findLoadBalancerByAddress), or take it from the user.
   */
  pilotPublicLoadBalancerId?: string;
  clusterIds: string[];
}

export interface MeshCluster {
  clusterId: string;
  name?: string;
  regionId?: string;
  vpcId?: string;
  /** `SgId` on the wire. */
  securityGroupId?: string;
  state?: string;
  clusterType?: string;
  version?: string;
  errorMessage?: string;
}

/** Parses `IP:PORT` (or a bare host); brackets around an IPv6 host are removed. */
export function parseHostPort(value: string | undefined): HostPort | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(trimmed);
  if (!match?.[1]) return undefined;
  if (match[1].includes(':') && !trimmed.startsWith('[')) return { host: trimmed };
  return match[2] ? { host: match[1], port: Number(match[2]) } : { host: match[1] };
}

/** The ASM API (one central endpoint for all regions). */
export class MeshClient {
  private readonly rpc: RpcClient;

  constructor(
    private readonly context: CloudContext,
    config: $OpenApiUtil.Config,
  ) {
    this.rpc = new RpcClient(config, meshApi);
  }

  /** DescribeServiceMeshDetail: `ServiceMesh.NotFound` when the mesh does not exist. */
  async describeServiceMeshDetail(serviceMeshId: string): Promise<ServiceMesh> {
    const answer = await this.call(
      { action: 'DescribeServiceMeshDetail', body: { ServiceMeshId: serviceMeshId } },
      { mutating: false, idempotent: true, resourceId: serviceMeshId },
    );
    if (!isObject(answer.ServiceMesh)) {
      throw new CloudError({
        product: 'ASM',
        action: 'DescribeServiceMeshDetail',
        resourceId: serviceMeshId,
        code: LocalErrorCode.invalidResponse,
        message: `the answer has no ServiceMesh (request id ${text(answer, 'RequestId') ?? 'unknown'})`,
        requestId: text(answer, 'RequestId'),
        retryable: false,
      });
    }
    return serviceMeshOf(serviceMeshId, answer.ServiceMesh);
  }

  /** DescribeClustersInServiceMesh: the mesh's own view of each data-plane cluster. */
  async describeClustersInServiceMesh(serviceMeshId: string): Promise<MeshCluster[]> {
    const answer = await this.call(
      { action: 'DescribeClustersInServiceMesh', query: { ServiceMeshId: serviceMeshId } },
      { mutating: false, idempotent: true, resourceId: serviceMeshId },
    );
    return records(answer, 'Clusters').flatMap((cluster) => {
      const clusterId = text(cluster, 'ClusterId');
      if (!clusterId) return [];
      return [
        {
          clusterId,
          name: text(cluster, 'Name'),
          regionId: text(cluster, 'RegionId'),
          vpcId: text(cluster, 'VpcId'),
          securityGroupId: text(cluster, 'SgId'),
          state: text(cluster, 'State'),
          clusterType: text(cluster, 'ClusterType'),
          version: text(cluster, 'Version'),
          errorMessage: text(cluster, 'ErrorMessage'),
        },
      ];
    });
  }

  /**
   * AddClusterIntoServiceMesh. It takes no ClientToken, so it is retried only when the cloud
   * certainly did not act (throttled, or never sent); a caller re-running after a lost answer
   * should check describeClustersInServiceMesh first.
   */
  async addClusterIntoServiceMesh(
    serviceMeshId: string,
    clusterId: string,
    options: { ignoreNamespaceCheck?: boolean } = {},
  ): Promise<{ requestId?: string; alreadyMember: boolean }> {
    const body: Record<string, string> = { ServiceMeshId: serviceMeshId, ClusterId: clusterId };
    if (options.ignoreNamespaceCheck !== undefined) body.IgnoreNamespaceCheck = String(options.ignoreNamespaceCheck);
    try {
      const answer = await this.call(
        { action: 'AddClusterIntoServiceMesh', body },
        { mutating: true, idempotent: false, resourceId: clusterId },
      );
      return { requestId: text(answer, 'RequestId'), alreadyMember: false };
    } catch (error) {
      // A re-run finds the cluster added: that is the wanted state. (The code is the emulator's;
      // the real one is UNCONFIRMED.)
      if (error instanceof CloudError && error.code === 'Cluster.AlreadyExists')
        return { requestId: error.requestId, alreadyMember: true };
      throw error;
    }
  }

  private call(
    request: RpcRequest,
    call: { mutating: boolean; idempotent: boolean; resourceId: string },
  ): Promise<WireObject> {
    const runtime = runtimeOptions(this.context.timeouts);
    return this.context.runner.run(
      { product: 'ASM', action: request.action, ...call },
      () => this.rpc.invoke(request, runtime),
      (answer) => text(answer, 'RequestId'),
    );
  }
}

function serviceMeshOf(serviceMeshId: string, mesh: WireObject): ServiceMesh {
  const info = child(mesh, 'ServiceMeshInfo');
  const spec = child(mesh, 'Spec');
  const network = child(spec, 'Network');
  const loadBalancer = child(spec, 'LoadBalancer');
  const endpoints = child(mesh, 'Endpoints');
  const intranetPilotEndpoint = text(endpoints, 'IntranetPilotEndpoint');
  return {
    serviceMeshId: text(info, 'ServiceMeshId') ?? serviceMeshId,
    name: text(info, 'Name'),
    regionId: text(info, 'RegionId'),
    state: text(info, 'State'),
    version: text(info, 'Version'),
    vpcId: text(network, 'VpcId'),
    securityGroupId: text(network, 'SecurityGroupId'),
    vSwitchIds: texts(network, 'VSwitches'),
    intranetPilotEndpoint,
    pilotAddress: parseHostPort(intranetPilotEndpoint),
    apiServerLoadBalancerId: text(loadBalancer, 'ApiServerLoadbalancerId'),
    pilotPublicLoadBalancerId: text(loadBalancer, 'PilotPublicLoadbalancerId'),
    clusterIds: texts(mesh, 'Clusters'),
  };
}
