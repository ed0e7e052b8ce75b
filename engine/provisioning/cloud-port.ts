/**
 * The cloud as provisioning uses it: the calls it makes, settled reads answered once per run,
 * and "not found" turned into `undefined` where a step asks whether something still exists. A thin
 * adapter over engine/cloud, so discovery, the executor and SAN sync depend on this interface only.
 */
import {
  apiServerLoadBalancerOf,
  type ApiServerLoadBalancer,
  type ClusterDetail,
  type ClusterTask,
  type SanAppendResult,
} from '../cloud/ack';
import type { Cloud } from '../cloud';
import { CloudError } from '../cloud/errors';
import type { MeshCluster, ServiceMesh } from '../cloud/mesh';
import type {
  CreateEndpointRequest,
  CreateEndpointServiceRequest,
  Endpoint,
  EndpointService,
  EndpointServiceResource,
  EndpointServiceResourceRequest,
  EndpointZone,
  EndpointZoneRequest,
  WriteResult,
} from '../cloud/privatelink';
import type { NetworkLoadBalancer } from '../cloud/nlb';
import type { LoadBalancer } from '../cloud/slb';
import type { VSwitch } from '../cloud/vpc';
import type { Tag } from './tags';

export interface ProvisioningCloud {
  describeMesh(meshId: string): Promise<ServiceMesh>;
  /** The mesh's own view of its data-plane clusters (ASM DescribeClustersInServiceMesh). */
  describeMeshClusters(meshId: string): Promise<MeshCluster[]>;
  /** ASM AddClusterIntoServiceMesh; a cluster already in the mesh is not an error. */
  addClusterToMesh(meshId: string, clusterId: string): Promise<{ requestId?: string; alreadyMember: boolean }>;
  findLoadBalancerByAddress(address: string, vpcId: string): Promise<LoadBalancer | undefined>;
  describeLoadBalancer(loadBalancerId: string): Promise<LoadBalancer | undefined>;
  /** An NLB and its zones (NLB GetLoadBalancerAttribute); undefined when there is no such NLB. */
  describeNetworkLoadBalancer(loadBalancerId: string): Promise<NetworkLoadBalancer | undefined>;
  /**
   * A cluster's detail, read once per run (see RunReads); `fresh` reads it again (a wait on its
   * state, the SAN read-back after ModifyCluster) and the run sees that answer from then on.
   */
  describeCluster(clusterId: string, options?: { fresh?: boolean }): Promise<ClusterDetail>;
  /** The load balancer in front of the cluster's API server, from its detail and resources. */
  findApiServerLoadBalancer(detail: ClusterDetail): Promise<ApiServerLoadBalancer>;
  describeVSwitch(vSwitchId: string): Promise<VSwitch>;
  /** Every vSwitch of a VPC (VPC DescribeVSwitches), read once per run: a cluster's own vSwitches in one call. */
  listVpcVSwitches(vpcId: string): Promise<VSwitch[]>;

  listServices(tags: Tag[]): Promise<EndpointService[]>;
  listServiceResources(serviceId: string): Promise<EndpointServiceResource[]>;
  listServiceUserIds(serviceId: string): Promise<string[]>;
  listEndpoints(tags: Tag[]): Promise<Endpoint[]>;
  listEndpointZones(endpointId: string): Promise<EndpointZone[]>;
  /** Undefined once the service is gone. */
  getService(serviceId: string): Promise<EndpointService | undefined>;
  /** Undefined once the endpoint is gone. */
  getEndpoint(endpointId: string): Promise<Endpoint | undefined>;

  createService(request: CreateEndpointServiceRequest): Promise<EndpointService>;
  attachResource(request: EndpointServiceResourceRequest): Promise<WriteResult>;
  detachResource(request: EndpointServiceResourceRequest): Promise<WriteResult>;
  allowAccount(serviceId: string, accountId: string, clientToken: string): Promise<WriteResult>;
  createEndpoint(request: CreateEndpointRequest): Promise<Endpoint>;
  addEndpointZone(request: EndpointZoneRequest): Promise<WriteResult>;
  removeEndpointZone(endpointId: string, zoneId: string, clientToken: string): Promise<WriteResult>;
  enableConnection(serviceId: string, endpointId: string, clientToken: string): Promise<WriteResult>;
  deleteEndpoint(endpointId: string, clientToken: string): Promise<WriteResult>;
  deleteService(serviceId: string, clientToken: string): Promise<WriteResult>;

  appendCertSans(clusterId: string, sans: string[], clientToken: string): Promise<SanAppendResult>;
  describeTask(taskId: string): Promise<ClusterTask>;
}

/** Whether an error says the thing asked about does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof CloudError && error.notFound;
}

/** Whether an error carries one of these cloud codes. */
export function hasCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof CloudError && codes.includes(error.code);
}

async function unlessNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * The reads one run treats as settled: a mesh's detail, a cluster's detail and resources, a
 * vSwitch's attributes. Nothing the run does changes them (but ModifyCluster, which forgets the
 * cluster's detail), so every step of the run (connect's flag checks, discovery, SAN sync, the
 * status) shares one answer instead of asking ACK again: DescribeClusterDetail was called four
 * times per cluster against a 20/s limit. Reads that wait for something to change never come from
 * here (the endpoint and task polls; describeCluster with `fresh`). A failed read is not kept.
 */
export class RunReads {
  private readonly answers = new Map<string, Promise<unknown>>();

  /** The kept answer for `key`, else `read()`'s, kept. */
  once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const kept = this.answers.get(key);
    if (kept) return kept as Promise<T>;
    return this.keep(key, read());
  }

  /** `read()`'s answer, kept for `key` in place of any earlier one. */
  replace<T>(key: string, read: () => Promise<T>): Promise<T> {
    return this.keep(key, read());
  }

  forget(key: string): void {
    this.answers.delete(key);
  }

  private keep<T>(key: string, answer: Promise<T>): Promise<T> {
    this.answers.set(key, answer);
    answer.catch(() => {
      if (this.answers.get(key) === answer) this.answers.delete(key);
    });
    return answer;
  }
}

/** Sends of AddClusterIntoServiceMesh after which a retryable failure is final. */
const MESH_ADD_ROUNDS = 3;

export interface PortOptions {
  /** The run's settled reads, shared by the ports of one run; made here when absent. */
  reads?: RunReads;
}

/**
 * The provisioning calls on top of a Cloud. Pacing at each action's rate limit is the Cloud's own
 * (createCloud's `pacing`), so every attempt of every call is paced, retries included.
 */
export function provisioningCloud(cloud: Cloud, options: PortOptions = {}): ProvisioningCloud {
  const reads = options.reads ?? new RunReads();
  const { privateLink, ack, slb, nlb, vpc, mesh } = cloud;
  const readCluster = (clusterId: string) => ack.describeClusterDetail(clusterId);
  return {
    describeMesh: (meshId) => reads.once(`mesh/${meshId}`, () => mesh.describeServiceMeshDetail(meshId)),
    describeMeshClusters: (meshId) => mesh.describeClustersInServiceMesh(meshId),
    addClusterToMesh: async (meshId, clusterId) => {
      // The add takes no ClientToken, so the client does not send it again after an answer that
      // may hide a done add (a 5xx, a timeout). Look first, as its doc asks: listed means added;
      // otherwise send it again (a bounded number of times).
      for (let round = 1; ; round++) {
        try {
          return await mesh.addClusterIntoServiceMesh(meshId, clusterId);
        } catch (error) {
          if (!(error instanceof CloudError) || !error.retryable || round >= MESH_ADD_ROUNDS) throw error;
          const listed = await mesh.describeClustersInServiceMesh(meshId);
          if (listed.some((cluster) => cluster.clusterId === clusterId))
            return { requestId: error.requestId, alreadyMember: false };
        }
      }
    },
    findLoadBalancerByAddress: (address, vpcId) => slb.findLoadBalancerByAddress(address, vpcId),
    // A load balancer's zones do not change within a run: read once, like a cluster's resources.
    describeLoadBalancer: (loadBalancerId) =>
      reads.once(`slb/${loadBalancerId}`, async () =>
        (await slb.describeLoadBalancers({ loadBalancerId })).items.find(
          (item) => item.loadBalancerId === loadBalancerId,
        ),
      ),
    describeNetworkLoadBalancer: (loadBalancerId) =>
      reads.once(`nlb/${loadBalancerId}`, () => unlessNotFound(nlb.getLoadBalancerAttribute(loadBalancerId))),
    describeCluster: (clusterId, read) =>
      read?.fresh
        ? reads.replace(`cluster/${clusterId}`, () => readCluster(clusterId))
        : reads.once(`cluster/${clusterId}`, () => readCluster(clusterId)),
    findApiServerLoadBalancer: async (detail) => {
      const resources = await reads.once(`resources/${detail.clusterId}`, () =>
        ack.describeClusterResources(detail.clusterId),
      );
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
    },
    describeVSwitch: (vSwitchId) => reads.once(`vswitch/${vSwitchId}`, () => vpc.describeVSwitchAttributes(vSwitchId)),
    listVpcVSwitches: (vpcId) => reads.once(`vpc-vswitches/${vpcId}`, () => vpc.listAllVSwitches({ vpcId })),

    listServices: (tags) => privateLink.services.listAllVpcEndpointServices({ tags }),
    listServiceResources: (serviceId) => privateLink.services.listAllVpcEndpointServiceResources(serviceId),
    listServiceUserIds: async (serviceId) =>
      (await privateLink.services.listAllVpcEndpointServiceUsers(serviceId)).flatMap((user) =>
        user.userId ? [user.userId] : [],
      ),
    listEndpoints: (tags) => privateLink.endpoints.listAllVpcEndpoints({ tags }),
    listEndpointZones: (endpointId) => privateLink.endpoints.listAllVpcEndpointZones(endpointId),
    getService: (serviceId) => unlessNotFound(privateLink.services.getVpcEndpointServiceAttribute(serviceId)),
    getEndpoint: (endpointId) => unlessNotFound(privateLink.endpoints.getVpcEndpointAttribute(endpointId)),

    createService: (request) => privateLink.services.createVpcEndpointService(request),
    attachResource: (request) => privateLink.services.attachResourceToVpcEndpointService(request),
    detachResource: (request) => privateLink.services.detachResourceFromVpcEndpointService(request),
    allowAccount: (serviceId, userId, clientToken) =>
      privateLink.services.addUserToVpcEndpointService({ serviceId, userId, clientToken }),
    createEndpoint: (request) => privateLink.endpoints.createVpcEndpoint(request),
    addEndpointZone: (request) => privateLink.endpoints.addZoneToVpcEndpoint(request),
    removeEndpointZone: (endpointId, zoneId, clientToken) =>
      privateLink.endpoints.removeZoneFromVpcEndpoint({ endpointId, zoneId, clientToken }),
    enableConnection: (serviceId, endpointId, clientToken) =>
      privateLink.connections.enableVpcEndpointConnection({ serviceId, endpointId, clientToken }),
    deleteEndpoint: (endpointId, clientToken) => privateLink.endpoints.deleteVpcEndpoint(endpointId, { clientToken }),
    deleteService: (serviceId, clientToken) =>
      privateLink.services.deleteVpcEndpointService(serviceId, { clientToken }),

    appendCertSans: async (clusterId, sans, clientToken) => {
      try {
        return await ack.appendApiServerCertSans(clusterId, sans, { clientToken });
      } finally {
        // Sent or not, the cluster's detail may have changed: the next read of it goes to ACK.
        reads.forget(`cluster/${clusterId}`);
      }
    },
    describeTask: (taskId) => ack.describeTaskInfo(taskId),
  };
}
