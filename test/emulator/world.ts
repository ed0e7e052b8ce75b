// The world the emulator starts from: one region, its zones, accounts, networks, load balancers,
// ACK clusters and one ASM instance. Everything the plugin provisions is created on top of it.
import { readFileSync } from 'node:fs';
import { checkPolicy, type RamPolicy } from './ram';

/** A zone of the region and the PrivateLink resource types that can be placed in it. */
export interface WorldZone {
  zoneId: string;
  localName?: string;
  /** Service resource types PrivateLink supports in this zone (DescribeZones answers per type). */
  privateLinkResourceTypes: Array<'slb' | 'alb' | 'nlb'>;
}

/** An AccessKey pair; with `securityToken` it is an STS credential and requests must carry the token. */
export interface WorldAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** The RAM policy of the identity the key belongs to; absent: the account itself, allowed everything. */
  policy?: RamPolicy;
}

/**
 * A role's trust policy as RAM stores it: who may assume the role. Principals are accounts
 * (`acs:ram::<account-id>:root`: any identity of that account its own policy lets call
 * sts:AssumeRole) or one RAM user (`acs:ram::<account-id>:user/<name>`, matched on the account).
 */
export interface RamTrustPolicy {
  Version: string;
  Statement: Array<{ Effect: 'Allow' | 'Deny'; Action: string | string[]; Principal: { RAM?: string | string[] } }>;
}

/** A RAM role of an account, assumable through STS AssumeRole by the accounts its trust policy names. */
export interface WorldRole {
  /** Its ARN is `acs:ram::<account-id>:role/<roleName, lower case>`. */
  roleName: string;
  trustPolicy: RamTrustPolicy;
  /** What the role's STS credentials may do; absent: everything. */
  policy?: RamPolicy;
  /** The longest session AssumeRole grants (900–43200 s); default 3600. */
  maxSessionDurationSeconds?: number;
}

export interface WorldAccount {
  /** The Alibaba Cloud account (UID), 16 digits. */
  accountId: string;
  accessKeys: WorldAccessKey[];
  /** RAM roles other accounts (or this one) may assume. */
  roles?: WorldRole[];
  /** Whether PrivateLink is activated for the account (CheckProductOpen); default true. */
  privateLinkOpen?: boolean;
}

export interface WorldVpc {
  vpcId: string;
  name?: string;
  cidrBlock: string;
  /** Owner account; default the first account. */
  accountId?: string;
}

export interface WorldVSwitch {
  vSwitchId: string;
  vpcId: string;
  zoneId: string;
  cidrBlock: string;
  name?: string;
}

export interface WorldSecurityGroup {
  securityGroupId: string;
  vpcId: string;
}

/** A Classic Load Balancer (`lb-...`, resource type slb) or a Network Load Balancer (`nlb-...`). */
export interface WorldLoadBalancer {
  loadBalancerId: string;
  name?: string;
  address: string;
  addressType: 'intranet' | 'internet';
  vpcId: string;
  vSwitchId: string;
  /** The zones the load balancer serves from: master zone first (CLB master/slave zones). */
  zoneIds: string[];
  /** Only PrivateLink-capable instances can back an endpoint service; default true for intranet ones. */
  privateLinkSupported?: boolean;
}

export interface WorldCluster {
  clusterId: string;
  name: string;
  vpcId: string;
  vSwitchIds: string[];
  securityGroupId: string;
  /** The internal load balancer in front of the API server (`k8s_master_slb`). */
  apiServerLoadBalancerId: string;
  /** Custom API server certificate SANs already set. */
  extraSans: string[];
  clusterType?: string;
  state?: string;
  /** Old clusters report SANs only in meta_data.ExtraCertSAN, not in extra_sans. */
  sansOnlyInMetaData?: boolean;
}

export interface WorldServiceMesh {
  serviceMeshId: string;
  name: string;
  vpcId: string;
  vSwitchIds: string[];
  securityGroupId: string;
  /** The private CLB in front of Pilot (istiod); its address is the IntranetPilotEndpoint IP. */
  pilotLoadBalancerId: string;
  /** The CLB in front of the mesh's own API server. */
  apiServerLoadBalancerId: string;
  /** Clusters already in the mesh (reported running). */
  clusterIds: string[];
  version?: string;
}

/** The whole world, as written in a world JSON file. */
export interface World {
  regionId: string;
  regionLocalName?: string;
  zones: WorldZone[];
  accounts: WorldAccount[];
  vpcs: WorldVpc[];
  vSwitches: WorldVSwitch[];
  securityGroups: WorldSecurityGroup[];
  loadBalancers: WorldLoadBalancer[];
  clusters: WorldCluster[];
  serviceMesh: WorldServiceMesh;
}

/** A world file that does not hold together; the message names the offending entry. */
export class WorldError extends Error {
  override name = 'WorldError';
}

/** Reads a world JSON file and checks that it holds together. */
export function loadWorldFile(path: string): World {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new WorldError(`cannot read world file ${path}: ${(cause as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new WorldError(`world file ${path} is not JSON: ${(cause as Error).message}`);
  }
  return checkWorld(parsed as World);
}

/** Accepts a world object or a path to a world file. */
export function resolveWorld(world: World | string): World {
  return typeof world === 'string' ? loadWorldFile(world) : checkWorld(structuredClone(world));
}

/**
 * Checks the references inside a world (every vSwitch's VPC and zone exists, every cluster's load
 * balancer exists, ...) so that a broken fixture fails at start, not as a puzzling API answer.
 */
export function checkWorld(world: World): World {
  const problems: string[] = [];
  const zones = new Set(world.zones.map((zone) => zone.zoneId));
  const vpcs = new Set(world.vpcs.map((vpc) => vpc.vpcId));
  const vSwitches = new Map(world.vSwitches.map((vSwitch) => [vSwitch.vSwitchId, vSwitch]));
  const securityGroups = new Map(world.securityGroups.map((group) => [group.securityGroupId, group]));
  const loadBalancers = new Map(world.loadBalancers.map((lb) => [lb.loadBalancerId, lb]));
  const clusters = new Set(world.clusters.map((cluster) => cluster.clusterId));

  if (world.accounts.length === 0 || world.accounts.every((account) => account.accessKeys.length === 0)) {
    problems.push('accounts: at least one account with one access key is needed');
  }
  for (const account of world.accounts) {
    for (const key of account.accessKeys) {
      if (key.policy) problems.push(...checkPolicy(key.policy, `access key ${key.accessKeyId} policy`));
    }
    for (const role of account.roles ?? []) {
      const where = `account ${account.accountId} role ${role.roleName}`;
      if (role.policy) problems.push(...checkPolicy(role.policy, `${where} policy`));
      if (!Array.isArray(role.trustPolicy?.Statement)) problems.push(`${where}: trustPolicy.Statement must be a list`);
    }
  }
  for (const zone of world.zones) {
    if (!zone.zoneId.startsWith(world.regionId))
      problems.push(`zone ${zone.zoneId} is not in region ${world.regionId}`);
  }
  for (const vSwitch of world.vSwitches) {
    if (!vpcs.has(vSwitch.vpcId)) problems.push(`vSwitch ${vSwitch.vSwitchId}: unknown VPC ${vSwitch.vpcId}`);
    if (!zones.has(vSwitch.zoneId)) problems.push(`vSwitch ${vSwitch.vSwitchId}: unknown zone ${vSwitch.zoneId}`);
  }
  for (const group of world.securityGroups) {
    if (!vpcs.has(group.vpcId)) problems.push(`security group ${group.securityGroupId}: unknown VPC ${group.vpcId}`);
  }
  for (const lb of world.loadBalancers) {
    if (!vpcs.has(lb.vpcId)) problems.push(`load balancer ${lb.loadBalancerId}: unknown VPC ${lb.vpcId}`);
    if (vSwitches.get(lb.vSwitchId)?.vpcId !== lb.vpcId)
      problems.push(`load balancer ${lb.loadBalancerId}: vSwitch ${lb.vSwitchId} is not in ${lb.vpcId}`);
    for (const zoneId of lb.zoneIds)
      if (!zones.has(zoneId)) problems.push(`load balancer ${lb.loadBalancerId}: unknown zone ${zoneId}`);
  }
  const checkNetworked = (what: string, owner: { vpcId: string; vSwitchIds: string[]; securityGroupId: string }) => {
    if (!vpcs.has(owner.vpcId)) problems.push(`${what}: unknown VPC ${owner.vpcId}`);
    for (const id of owner.vSwitchIds) {
      if (vSwitches.get(id)?.vpcId !== owner.vpcId) problems.push(`${what}: vSwitch ${id} is not in ${owner.vpcId}`);
    }
    if (securityGroups.get(owner.securityGroupId)?.vpcId !== owner.vpcId) {
      problems.push(`${what}: security group ${owner.securityGroupId} is not in ${owner.vpcId}`);
    }
  };
  for (const cluster of world.clusters) {
    checkNetworked(`cluster ${cluster.clusterId}`, cluster);
    const lb = loadBalancers.get(cluster.apiServerLoadBalancerId);
    if (lb?.vpcId !== cluster.vpcId)
      problems.push(
        `cluster ${cluster.clusterId}: API server load balancer ${cluster.apiServerLoadBalancerId} is not in ${cluster.vpcId}`,
      );
  }
  const mesh = world.serviceMesh;
  checkNetworked(`service mesh ${mesh.serviceMeshId}`, mesh);
  for (const lbId of [mesh.pilotLoadBalancerId, mesh.apiServerLoadBalancerId]) {
    if (loadBalancers.get(lbId)?.vpcId !== mesh.vpcId)
      problems.push(`service mesh ${mesh.serviceMeshId}: load balancer ${lbId} is not in ${mesh.vpcId}`);
  }
  for (const id of mesh.clusterIds)
    if (!clusters.has(id)) problems.push(`service mesh ${mesh.serviceMeshId}: unknown cluster ${id}`);

  if (problems.length > 0) throw new WorldError(`the world does not hold together:\n  ${problems.join('\n  ')}`);
  return world;
}
