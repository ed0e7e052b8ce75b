/**
 * The provisioning vocabulary shared by discovery, the planner, the executor and the status
 * builder. Plain data only: nothing here talks to the cloud or to Kubernetes.
 *
 * Two links per cluster:
 * - the **API-server link**: an endpoint service in the cluster's VPC fronting its API server load
 *   balancer, and an endpoint in the ASM VPC reaching it;
 * - the **Pilot link**: one endpoint service in the ASM VPC fronting the mesh's private Pilot load
 *   balancer, shared by every cluster, and one endpoint per cluster in that cluster's VPC.
 */

export type LinkKind = 'apiserver' | 'pilot';

/** A load balancer as PrivateLink needs it: its id, its resource type and (when known) its zones. */
export interface LoadBalancerRef {
  loadBalancerId: string;
  kind: 'slb' | 'nlb' | 'alb';
  /** The zones it serves; undefined when it could not be read (an NLB: no client for it). */
  zoneIds?: string[];
}

export interface VSwitchPlacement {
  vSwitchId: string;
  zoneId: string;
}

/** What discovery learned about the mesh (ASM DescribeServiceMeshDetail + SLB). */
export interface MeshFacts {
  meshId: string;
  vpcId: string;
  securityGroupId: string;
  pilotLoadBalancer: LoadBalancerRef;
  /** The Alibaba Cloud account that owns the mesh's VPC, when known (cross-account allowlists). */
  accountId?: string;
}

/** What discovery learned about one ACK cluster (ACK DescribeClusterDetail/Resources + SLB). */
export interface ClusterFacts {
  clusterId: string;
  vpcId?: string;
  securityGroupId?: string;
  /** `running`, `updating`, ... */
  state?: string;
  /** The API server certificate's custom SANs as they are now. */
  certSans: string[];
  /** Only looked up for clusters being provisioned. */
  apiServerLoadBalancer?: LoadBalancerRef;
  accountId?: string;
}

/** One cluster as the spec wants it. */
export interface ClusterSpec {
  clusterId: string;
  vSwitches: VSwitchPlacement[];
}

/** The inputs of the desired state: the spec (after admission) and the facts found in the cloud. */
export interface DesiredInputs {
  meshId: string;
  clusters: ClusterSpec[];
  asmVSwitches: VSwitchPlacement[];
  mesh: MeshFacts;
  /** Facts per cluster id; a cluster missing here cannot be provisioned. */
  clusterFacts: Record<string, ClusterFacts>;
}

/** Where one link's endpoint service and endpoint go. */
export interface DesiredLink {
  link: LinkKind;
  clusterId: string;
  /** The zones the service must cover for this link. */
  serviceZones: string[];
  /** The endpoint: VPC, security groups and one vSwitch per zone. */
  endpointVpcId: string;
  endpointSecurityGroupIds: string[];
  endpointZones: VSwitchPlacement[];
  /** Both sides' accounts, when known: a cross-account link needs an allowlist entry. */
  providerAccountId?: string;
  consumerAccountId?: string;
}

/** A cluster whose links cannot be planned, and why, for a person. */
export interface DesiredProblem {
  clusterId: string;
  message: string;
}

export interface DesiredState {
  meshId: string;
  /** The shared Pilot service: the Pilot load balancer in every zone some cluster pairs in. */
  pilotService: { loadBalancer: LoadBalancerRef; zones: string[] };
  /** The API-server service of each cluster, by cluster id. */
  apiServerServices: Record<string, { loadBalancer: LoadBalancerRef; zones: string[] }>;
  /** Every link of every plannable cluster, API-server first. */
  links: DesiredLink[];
  /** Every cluster of the spec, plannable or not, in spec order. */
  clusterIds: string[];
  problems: DesiredProblem[];
}

// ---- what the cloud holds (found by tags) ----

export interface ObservedServiceResource {
  resourceId: string;
  resourceType: string;
  zoneId: string;
}

export interface ObservedService {
  serviceId: string;
  serviceName?: string;
  status?: string;
  autoAcceptEnabled?: boolean;
  createTime?: string;
  link: LinkKind;
  /** Absent on the shared Pilot service. */
  clusterId?: string;
  resources: ObservedServiceResource[];
  /** Accounts on the allowlist (only read when a cross-account link needs it). */
  allowedAccountIds?: string[];
}

export interface ObservedEndpointZone {
  zoneId: string;
  vSwitchId?: string;
  status?: string;
}

export interface ObservedEndpoint {
  endpointId: string;
  serviceId?: string;
  status?: string;
  connectionStatus?: string;
  domainName?: string;
  vpcId?: string;
  createTime?: string;
  link: LinkKind;
  clusterId: string;
  zones: ObservedEndpointZone[];
}

/** Everything of ours in the cloud for one mesh. */
export interface Inventory {
  services: ObservedService[];
  endpoints: ObservedEndpoint[];
}

// ---- the plan ----

/** Names a resource the plan may create: resolved to an id when the step runs. */
export type ResourceKey = { resource: 'service' | 'endpoint'; link: LinkKind; clusterId?: string };

interface ActionBase {
  /** Stable and unique in a plan, e.g. `apiserver/c0123…/create-endpoint`. */
  id: string;
  /** What a person reads in the progress display. */
  description: string;
  link: LinkKind;
  /** Absent for steps on the shared Pilot service. */
  clusterId?: string;
  /** Ids of the actions that must be done first. */
  dependsOn: string[];
  /** Whether the step changes anything in the cloud. */
  mutating: boolean;
}

export type Action =
  | (ActionBase & { kind: 'createService'; key: ResourceKey; loadBalancer: LoadBalancerRef; zones: string[] })
  | (ActionBase & { kind: 'awaitService'; serviceId: string })
  | (ActionBase & { kind: 'attachServiceZone'; key: ResourceKey; loadBalancer: LoadBalancerRef; zoneId: string })
  | (ActionBase & { kind: 'detachServiceZone'; serviceId: string; resource: ObservedServiceResource })
  | (ActionBase & { kind: 'allowAccount'; key: ResourceKey; accountId: string })
  | (ActionBase & {
      kind: 'createEndpoint';
      key: ResourceKey;
      serviceKey: ResourceKey;
      vpcId: string;
      securityGroupIds: string[];
      zones: VSwitchPlacement[];
    })
  | (ActionBase & { kind: 'awaitEndpoint'; endpointId: string })
  | (ActionBase & { kind: 'addEndpointZone'; key: ResourceKey; zone: VSwitchPlacement })
  | (ActionBase & { kind: 'removeEndpointZone'; key: ResourceKey; zoneId: string })
  | (ActionBase & { kind: 'connectEndpoint'; key: ResourceKey; serviceKey: ResourceKey })
  | (ActionBase & { kind: 'deleteEndpoint'; endpointId: string })
  /** An endpoint already being deleted (a run stopped after asking): only waited for until it is gone. */
  | (ActionBase & { kind: 'awaitEndpointGone'; endpointId: string })
  | (ActionBase & { kind: 'deleteService'; serviceId: string });

export type ActionKind = Action['kind'];

/** The kinds of step that only wait for the cloud to get somewhere: never reported as a change. */
export const WAIT_KINDS: ReadonlySet<ActionKind> = new Set(['awaitService', 'awaitEndpoint', 'awaitEndpointGone']);

/** Whether a step only waits (its kind is one of WAIT_KINDS): it changes nothing in the cloud. */
export function onlyWaits(action: Action): boolean {
  return WAIT_KINDS.has(action.kind);
}

/** Which clusters a run may change: the ones named, or every cluster (orphans included). */
export type PlanScope = { clusterIds: string[] } | 'all';

export interface Plan {
  actions: Action[];
  /** The existing resource each key resolves to before any step runs. */
  known: Array<{ key: ResourceKey; id: string }>;
}

/** The text form of a key, for maps and messages. */
export function keyName(key: ResourceKey): string {
  return key.clusterId ? `${key.resource}/${key.link}/${key.clusterId}` : `${key.resource}/${key.link}`;
}

/** How a link is named for people. */
export function linkLabel(link: LinkKind): string {
  return link === 'apiserver' ? 'API-server' : 'Pilot';
}
