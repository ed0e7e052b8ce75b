/**
 * The cloud as provisioning uses it: the calls it makes, settled reads answered once per run,
 * and "not found" turned into `undefined` where a step asks whether something still exists. A thin
 * adapter over engine/cloud, so discovery, the executor and SAN sync depend on this interface only.
 */
import {
  type ApiServerLoadBalancer,
  type ClusterDetail,
  type ClusterTask,
  requireApiServerLoadBalancer,
  type SanAppendResult,
} from '../cloud/ack';
import { AccountClouds } from '../cloud/accounts';
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
  /** The mesh's account, when some cluster is in another (STS GetCallerIdentity); else undefined. */
  meshAccountId(): Promise<string | undefined>;
  /** Whether some cluster is reached through a role: its services' allowlists then matter. */
  readonly crossAccount: boolean;
  /** The account of a cluster reached through a role (the role's); else undefined. */
  clusterAccountId(clusterId: string): string | undefined;
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
  /** Across accounts: which account's cloud found or made each id (see AccountRouter). */
  readonly owners = new Map<string, string>();

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
 * Which account's cloud a call goes to. With one account every call goes to one cloud. Across
 * accounts, the mesh's calls go to the mesh's cloud and a cluster's to its role's; a call about an
 * id (a service, an endpoint, a VPC, a load balancer, a task) goes to the cloud that found or made
 * that id, since another account's resources do not exist for a caller. Lists by tag ask every
 * account and learn whose each answer is.
 */
class AccountRouter {
  constructor(
    private readonly clouds: AccountClouds,
    /** Id → the name of its account's cloud; shared by the ports of one run (RunReads). */
    private readonly owners: Map<string, string>,
  ) {}

  forCluster(clusterId: string): Cloud {
    return this.clouds.forCluster(clusterId);
  }

  /** The cloud that knows `id`; the mesh's when none has said so yet. */
  of(id: string | undefined): Cloud {
    const name = id === undefined ? undefined : this.owners.get(id);
    return name === undefined ? this.clouds.mesh : this.clouds.byName(name);
  }

  learn(cloud: Cloud, ...ids: Array<string | undefined>): void {
    if (!this.clouds.crossAccount) return;
    const name = this.clouds.named().find((entry) => entry.cloud === cloud)?.name;
    if (name === undefined) return;
    for (const id of ids) if (id) this.owners.set(id, name);
  }

  /** Every account's answer to a list, each item learnt as its account's. */
  async listAll<T>(list: (cloud: Cloud) => Promise<T[]>, idsOf: (item: T) => Array<string | undefined>): Promise<T[]> {
    const answers = await Promise.all(
      this.clouds.all().map(async (cloud) => {
        const items = await list(cloud);
        for (const item of items) this.learn(cloud, ...idsOf(item));
        return items;
      }),
    );
    return answers.flat();
  }

  /** The first account in which a read finds `id` (the mesh's first); the last not-found otherwise. */
  async find<T>(id: string, read: (cloud: Cloud) => Promise<T>): Promise<T> {
    if (!this.clouds.crossAccount || this.owners.has(id)) return read(this.of(id));
    let notFound: unknown;
    for (const cloud of this.clouds.all()) {
      try {
        const found = await read(cloud);
        this.learn(cloud, id);
        return found;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        notFound = error;
      }
    }
    throw notFound;
  }
}

/** One Cloud, or the clouds of several accounts. */
function accountCloudsOf(clouds: Cloud | AccountClouds): AccountClouds {
  return clouds instanceof AccountClouds ? clouds : new AccountClouds(clouds, {}, () => clouds);
}

/**
 * The provisioning calls on top of the clouds of every account a run touches. Pacing at each
 * action's rate limit is each Cloud's own (createCloud's `pacing`), so every attempt of every call
 * is paced, retries included.
 */
export function provisioningCloud(clouds: Cloud | AccountClouds, options: PortOptions = {}): ProvisioningCloud {
  const reads = options.reads ?? new RunReads();
  const accounts = accountCloudsOf(clouds);
  const route = new AccountRouter(accounts, reads.owners);
  const { mesh } = accounts.mesh;
  const readCluster = async (clusterId: string) => {
    const cloud = route.forCluster(clusterId);
    const detail = await cloud.ack.describeClusterDetail(clusterId);
    route.learn(cloud, clusterId, detail.vpcId, ...detail.vSwitchIds);
    return detail;
  };
  return {
    describeMesh: (meshId) =>
      reads.once(`mesh/${meshId}`, async () => {
        const found = await mesh.describeServiceMeshDetail(meshId);
        route.learn(accounts.mesh, found.vpcId, ...found.vSwitchIds);
        return found;
      }),
    meshAccountId: () =>
      accounts.crossAccount
        ? reads.once('account/mesh', async () => (await accounts.mesh.sts.getCallerIdentity()).accountId)
        : Promise.resolve(undefined),
    crossAccount: accounts.crossAccount,
    clusterAccountId: (clusterId) => accounts.clusterAccountId(clusterId),
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
    findLoadBalancerByAddress: async (address, vpcId) => {
      const cloud = route.of(vpcId);
      const found = await cloud.slb.findLoadBalancerByAddress(address, vpcId);
      route.learn(cloud, found?.loadBalancerId);
      return found;
    },
    // A load balancer's zones do not change within a run: read once, like a cluster's resources.
    describeLoadBalancer: (loadBalancerId) =>
      reads.once(`slb/${loadBalancerId}`, async () =>
        (await route.of(loadBalancerId).slb.describeLoadBalancers({ loadBalancerId })).items.find(
          (item) => item.loadBalancerId === loadBalancerId,
        ),
      ),
    describeNetworkLoadBalancer: (loadBalancerId) =>
      reads.once(`nlb/${loadBalancerId}`, () =>
        unlessNotFound(route.of(loadBalancerId).nlb.getLoadBalancerAttribute(loadBalancerId)),
      ),
    describeCluster: (clusterId, read) =>
      read?.fresh
        ? reads.replace(`cluster/${clusterId}`, () => readCluster(clusterId))
        : reads.once(`cluster/${clusterId}`, () => readCluster(clusterId)),
    findApiServerLoadBalancer: async (detail) => {
      const cloud = route.forCluster(detail.clusterId);
      const resources = await reads.once(`resources/${detail.clusterId}`, () =>
        cloud.ack.describeClusterResources(detail.clusterId),
      );
      const found = requireApiServerLoadBalancer(detail, resources);
      route.learn(cloud, found.loadBalancerId);
      return found;
    },
    describeVSwitch: (vSwitchId) =>
      reads.once(`vswitch/${vSwitchId}`, () =>
        route.find(vSwitchId, (cloud) => cloud.vpc.describeVSwitchAttributes(vSwitchId)),
      ),
    listVpcVSwitches: (vpcId) =>
      reads.once(`vpc-vswitches/${vpcId}`, async () => {
        const cloud = route.of(vpcId);
        const vSwitches = await cloud.vpc.listAllVSwitches({ vpcId });
        route.learn(cloud, ...vSwitches.map((vSwitch) => vSwitch.vSwitchId));
        return vSwitches;
      }),

    listServices: (tags) =>
      route.listAll(
        (cloud) => cloud.privateLink.services.listAllVpcEndpointServices({ tags }),
        (service) => [service.serviceId],
      ),
    listServiceResources: (serviceId) =>
      route.of(serviceId).privateLink.services.listAllVpcEndpointServiceResources(serviceId),
    listServiceUserIds: async (serviceId) =>
      (await route.of(serviceId).privateLink.services.listAllVpcEndpointServiceUsers(serviceId)).flatMap((user) =>
        user.userId ? [user.userId] : [],
      ),
    listEndpoints: (tags) =>
      route.listAll(
        (cloud) => cloud.privateLink.endpoints.listAllVpcEndpoints({ tags }),
        (endpoint) => [endpoint.endpointId],
      ),
    listEndpointZones: (endpointId) => route.of(endpointId).privateLink.endpoints.listAllVpcEndpointZones(endpointId),
    getService: (serviceId) =>
      unlessNotFound(route.of(serviceId).privateLink.services.getVpcEndpointServiceAttribute(serviceId)),
    getEndpoint: (endpointId) =>
      unlessNotFound(route.of(endpointId).privateLink.endpoints.getVpcEndpointAttribute(endpointId)),

    // A service lives in the account of the load balancer it fronts; an endpoint in its VPC's.
    createService: async (request) => {
      const cloud = route.of(request.resources[0]?.resourceId);
      const created = await cloud.privateLink.services.createVpcEndpointService(request);
      route.learn(cloud, created.serviceId);
      return created;
    },
    attachResource: (request) =>
      route.of(request.serviceId).privateLink.services.attachResourceToVpcEndpointService(request),
    detachResource: (request) =>
      route.of(request.serviceId).privateLink.services.detachResourceFromVpcEndpointService(request),
    allowAccount: (serviceId, userId, clientToken) =>
      route.of(serviceId).privateLink.services.addUserToVpcEndpointService({ serviceId, userId, clientToken }),
    createEndpoint: async (request) => {
      const cloud = route.of(request.vpcId);
      const created = await cloud.privateLink.endpoints.createVpcEndpoint(request);
      route.learn(cloud, created.endpointId);
      return created;
    },
    addEndpointZone: (request) => route.of(request.endpointId).privateLink.endpoints.addZoneToVpcEndpoint(request),
    removeEndpointZone: (endpointId, zoneId, clientToken) =>
      route.of(endpointId).privateLink.endpoints.removeZoneFromVpcEndpoint({ endpointId, zoneId, clientToken }),
    // The provider accepts: the service's account.
    enableConnection: (serviceId, endpointId, clientToken) =>
      route.of(serviceId).privateLink.connections.enableVpcEndpointConnection({ serviceId, endpointId, clientToken }),
    deleteEndpoint: (endpointId, clientToken) =>
      route.of(endpointId).privateLink.endpoints.deleteVpcEndpoint(endpointId, { clientToken }),
    deleteService: (serviceId, clientToken) =>
      route.of(serviceId).privateLink.services.deleteVpcEndpointService(serviceId, { clientToken }),

    appendCertSans: async (clusterId, sans, clientToken) => {
      const cloud = route.forCluster(clusterId);
      try {
        const appended = await cloud.ack.appendApiServerCertSans(clusterId, sans, { clientToken });
        route.learn(cloud, appended.taskId);
        return appended;
      } finally {
        // Sent or not, the cluster's detail may have changed: the next read of it goes to ACK.
        reads.forget(`cluster/${clusterId}`);
      }
    },
    describeTask: (taskId) => route.of(taskId).ack.describeTaskInfo(taskId),
  };
}
