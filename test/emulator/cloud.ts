// The emulated cloud: the world it started from plus everything created since (endpoint services,
// endpoints, their zones and connections, tags, SAN updates and cluster tasks, mesh membership).
// Actions are plain functions over a Cloud; time moves only through the Timeline.
import type { EmulatorDelays } from './delays';
import { IdSource, seededRandom } from './ids';
import type { Tag } from './params';
import type { KnownAccessKey } from './signature';
import { Timeline, type PendingTransition } from './timeline';
import type { World, WorldCluster, WorldLoadBalancer, WorldRole, WorldVSwitch } from './world';

export type ServiceResourceType = 'slb' | 'alb' | 'nlb';
export type ServiceStatus = 'Creating' | 'Pending' | 'Active' | 'Deleting';
export type EndpointStatus = 'Creating' | 'Active' | 'Pending' | 'Deleting';
export type ConnectionStatus = 'Disconnected' | 'Pending' | 'Connecting' | 'Connected' | 'Disconnecting' | 'Deleting';
export type EndpointZoneStatus =
  'Creating' | 'Wait' | 'Connecting' | 'Connected' | 'Disconnecting' | 'Disconnected' | 'Deleting';

/** A load balancer placed behind an endpoint service in one zone. */
export interface ServiceResource {
  resourceId: string;
  resourceType: ServiceResourceType;
  zoneId: string;
  vpcId: string;
  vSwitchId: string;
  ip: string;
}

export interface EndpointService {
  serviceId: string;
  serviceName: string;
  serviceDomain: string;
  serviceDescription: string;
  serviceStatus: ServiceStatus;
  serviceBusinessStatus: 'Normal';
  serviceResourceType: ServiceResourceType;
  autoAcceptEnabled: boolean;
  zoneAffinityEnabled: boolean;
  serviceSupportIPv6: boolean;
  payer: 'Endpoint' | 'EndpointService';
  connectBandwidth: number;
  resourceGroupId: string;
  regionId: string;
  ownerAccountId: string;
  createTime: string;
  resources: ServiceResource[];
  /** Accounts allowed to connect besides the owner (AddUserToVpcEndpointService). */
  allowedUserIds: string[];
  allowedUserArns: string[];
  tags: Tag[];
}

export interface EndpointZone {
  zoneId: string;
  vSwitchId: string;
  zoneStatus: EndpointZoneStatus;
  zoneDomain: string;
  eniId: string;
  eniIp: string;
}

export interface Endpoint {
  endpointId: string;
  endpointName: string;
  endpointDescription: string;
  endpointDomain: string;
  endpointStatus: EndpointStatus;
  endpointBusinessStatus: 'Normal';
  endpointType: 'Interface';
  /** The connection from this endpoint to its service, as both sides see it. */
  connectionStatus: ConnectionStatus;
  bandwidth: number;
  serviceId: string;
  serviceName: string;
  vpcId: string;
  securityGroupIds: string[];
  zones: EndpointZone[];
  protectedEnabled: boolean;
  zoneAffinityEnabled: boolean;
  resourceGroupId: string;
  regionId: string;
  ownerAccountId: string;
  createTime: string;
  tags: Tag[];
}

export interface ClusterState {
  clusterId: string;
  /** ACK cluster state: running, updating, ... */
  state: string;
  extraSans: string[];
  updated: string;
}

export interface ClusterTask {
  taskId: string;
  clusterId: string;
  taskType: string;
  state: 'running' | 'success' | 'fail';
  created: string;
  updated: string;
  sanAction: 'append' | 'overwrite';
  subjectAlternativeNames: string[];
  error?: { code: string; message: string };
}

export interface MeshMember {
  clusterId: string;
  /** In the mesh when the world was loaded (reported running without further checks). */
  fromWorld: boolean;
  addedAt: string;
  /** The mesh has looked at the cluster (meshJoinMs after it was added). */
  joined: boolean;
}

/** Everything in the emulated cloud, as `GET /_emulator/state` returns it. */
export interface EmulatorState {
  now: string;
  regionId: string;
  endpointServices: EndpointService[];
  endpoints: Endpoint[];
  connections: Array<{
    serviceId: string;
    endpointId: string;
    endpointVpcId: string;
    connectionStatus: ConnectionStatus;
    zones: Array<{ zoneId: string; zoneStatus: EndpointZoneStatus }>;
  }>;
  clusters: ClusterState[];
  clusterTasks: ClusterTask[];
  serviceMesh: { serviceMeshId: string; clusters: Array<{ clusterId: string; state: string; errorMessage: string }> };
  pendingTransitions: PendingTransition[];
}

/** What a mesh reports about one of its clusters (see mesh-view.ts). */
export type MeshClusterView = { state: string; errorMessage: string };

export interface CloudOptions {
  world: World;
  delays: EmulatorDelays;
  /** Milliseconds since the epoch; injectable so tests can drive time by hand. */
  clock?: () => number;
  /** Seed for generated ids; random when absent. */
  seed?: number;
  /** How the mesh sees a cluster; set by the servicemesh product (causal model). */
  meshView?: (cloud: Cloud, member: MeshMember) => MeshClusterView;
  /** Whether the next cluster task fails (fault injection); default never. */
  clusterTaskFails?: () => boolean;
}

/** ISO-8601 without milliseconds, the way the APIs print times. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The n-th host address of an IPv4 CIDR block. */
function hostAddress(cidrBlock: string, n: number): string {
  const [base] = cidrBlock.split('/');
  const octets = base!.split('.').map(Number);
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) + n;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export class Cloud {
  readonly world: World;
  readonly delays: EmulatorDelays;
  readonly ids: IdSource;
  readonly timeline = new Timeline();
  readonly services = new Map<string, EndpointService>();
  readonly endpoints = new Map<string, Endpoint>();
  readonly clusters = new Map<string, ClusterState>();
  readonly tasks = new Map<string, ClusterTask>();
  readonly meshMembers = new Map<string, MeshMember>();
  /** Accounts that have activated PrivateLink (CheckProductOpen / OpenPrivateLinkService). */
  readonly privateLinkOpen = new Set<string>();
  /** Credentials STS AssumeRole issued, by AccessKey id; they sign for the role's account until they expire. */
  readonly stsCredentials = new Map<string, KnownAccessKey>();
  private readonly clock: () => number;
  private readonly meshView: (cloud: Cloud, member: MeshMember) => MeshClusterView;
  /** Asked once per cluster task as it starts: true makes it end in `fail`. */
  readonly clusterTaskFails: () => boolean;
  private readonly allocatedIps = new Map<string, number>();
  // The world does not change after load; indexed so that worlds of thousands of clusters stay fast.
  private readonly vpcIndex: Map<string, World['vpcs'][number]>;
  private readonly vSwitchIndex: Map<string, WorldVSwitch>;
  private readonly loadBalancerIndex: Map<string, WorldLoadBalancer>;
  private readonly clusterIndex: Map<string, WorldCluster>;
  /** The time transitions are judged against: the request's time, or a transition's own time while it applies. */
  private instant: number;

  constructor(options: CloudOptions) {
    this.world = options.world;
    this.delays = options.delays;
    this.clock = options.clock ?? Date.now;
    this.ids = new IdSource(options.seed === undefined ? Math.random : seededRandom(options.seed));
    this.meshView =
      options.meshView ??
      ((_, member) =>
        member.joined ? { state: 'running', errorMessage: '' } : { state: 'starting', errorMessage: '' });
    this.clusterTaskFails = options.clusterTaskFails ?? (() => false);
    this.instant = this.clock();
    this.vpcIndex = new Map(this.world.vpcs.map((vpc) => [vpc.vpcId, vpc]));
    this.vSwitchIndex = new Map(this.world.vSwitches.map((vSwitch) => [vSwitch.vSwitchId, vSwitch]));
    this.loadBalancerIndex = new Map(this.world.loadBalancers.map((lb) => [lb.loadBalancerId, lb]));
    this.clusterIndex = new Map(this.world.clusters.map((cluster) => [cluster.clusterId, cluster]));
    for (const cluster of this.world.clusters) {
      this.clusters.set(cluster.clusterId, {
        clusterId: cluster.clusterId,
        state: cluster.state ?? 'running',
        extraSans: [...cluster.extraSans],
        updated: isoSeconds(this.instant),
      });
    }
    for (const account of this.world.accounts) {
      if (account.privateLinkOpen !== false) this.privateLinkOpen.add(account.accountId);
    }
    for (const clusterId of this.world.serviceMesh.clusterIds) {
      this.meshMembers.set(clusterId, { clusterId, fromWorld: true, addedAt: isoSeconds(this.instant), joined: true });
    }
  }

  /** Applies every transition due by the clock; call before reading or changing anything. */
  settle(): number {
    const now = this.clock();
    this.timeline.settle(now);
    this.instant = now;
    return now;
  }

  /** The current instant: the clock, or the due time of the transition being applied. */
  now(): number {
    return this.instant;
  }

  /** Schedules a transition `delayMs` after the current instant. */
  after(delayMs: number, label: string, apply: () => void): void {
    const at = this.instant + delayMs;
    this.timeline.schedule(at, label, () => {
      this.instant = at;
      apply();
    });
  }

  accessKey(accessKeyId: string): KnownAccessKey | undefined {
    const issued = this.stsCredentials.get(accessKeyId);
    if (issued) return issued;
    for (const account of this.world.accounts) {
      const key = account.accessKeys.find((candidate) => candidate.accessKeyId === accessKeyId);
      if (key) return { ...key, accountId: account.accountId };
    }
    return undefined;
  }

  /**
   * The role an ARN names (`acs:ram::<account-id>:role/<name>`) and its account; RAM compares role
   * names without regard to case.
   */
  role(roleArn: string): { accountId: string; role: WorldRole } | undefined {
    const match = /^acs:ram::(\d+):role\/(.+)$/i.exec(roleArn);
    if (!match) return undefined;
    const account = this.world.accounts.find((candidate) => candidate.accountId === match[1]);
    const role = account?.roles?.find((candidate) => candidate.roleName.toLowerCase() === match[2]!.toLowerCase());
    return account && role ? { accountId: account.accountId, role } : undefined;
  }

  vSwitch(vSwitchId: string): WorldVSwitch | undefined {
    return this.vSwitchIndex.get(vSwitchId);
  }

  loadBalancer(loadBalancerId: string): WorldLoadBalancer | undefined {
    return this.loadBalancerIndex.get(loadBalancerId);
  }

  cluster(clusterId: string): WorldCluster | undefined {
    return this.clusterIndex.get(clusterId);
  }

  /** The account that owns a VPC (default: the first account). */
  vpcOwner(vpcId: string): string | undefined {
    const vpc = this.vpcIndex.get(vpcId);
    if (!vpc) return undefined;
    return vpc.accountId ?? this.world.accounts[0]!.accountId;
  }

  /** The zones PrivateLink supports for a resource type (DescribeZones). */
  privateLinkZones(resourceType: ServiceResourceType): string[] {
    return this.world.zones
      .filter((zone) => zone.privateLinkResourceTypes.includes(resourceType))
      .map((zone) => zone.zoneId);
  }

  /** A fresh private address in a vSwitch, for an endpoint's network interface. */
  allocateIp(vSwitch: WorldVSwitch): string {
    const next = (this.allocatedIps.get(vSwitch.vSwitchId) ?? 100) + 1;
    this.allocatedIps.set(vSwitch.vSwitchId, next);
    return hostAddress(vSwitch.cidrBlock, next);
  }

  meshClusterView(member: MeshMember): MeshClusterView {
    return this.meshView(this, member);
  }

  /** The whole inventory as plain data. */
  snapshot(): EmulatorState {
    const endpoints = [...this.endpoints.values()];
    return structuredClone({
      now: new Date(this.instant).toISOString(),
      regionId: this.world.regionId,
      endpointServices: [...this.services.values()],
      endpoints,
      connections: endpoints.map((endpoint) => ({
        serviceId: endpoint.serviceId,
        endpointId: endpoint.endpointId,
        endpointVpcId: endpoint.vpcId,
        connectionStatus: endpoint.connectionStatus,
        zones: endpoint.zones.map((zone) => ({ zoneId: zone.zoneId, zoneStatus: zone.zoneStatus })),
      })),
      clusters: [...this.clusters.values()],
      clusterTasks: [...this.tasks.values()],
      serviceMesh: {
        serviceMeshId: this.world.serviceMesh.serviceMeshId,
        clusters: [...this.meshMembers.values()].map((member) => ({
          clusterId: member.clusterId,
          ...this.meshClusterView(member),
        })),
      },
      pendingTransitions: this.timeline.pending(),
    });
  }
}
