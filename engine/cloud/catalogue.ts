/**
 * The one list of the cloud actions asmpvl calls: for each, its product, the RAM action that grants
 * it, whether it changes anything, whether the API takes `DryRun`, and how `doctor` can check the
 * permission without changing anything. The least-privilege policy (`kubectl asmpvl policy`), the
 * doctor's permission checks and the emulator's fidelity table are derived from it; the clients'
 * calls are checked against it (catalogue.test.ts), so no second list exists to drift.
 */
import type { CloudProduct } from './errors';

/** How doctor checks a permission without changing anything. */
export type PermissionProbe =
  /** The write itself with `DryRun=true`: `DryRunOperation` means allowed. */
  | 'dry-run'
  /** The read itself (on a resource that need not exist): any answer but a permission error means allowed. */
  | 'read'
  /** A write without DryRun, sent for a resource that cannot exist, so it can change nothing. */
  | 'absent-resource';

export interface CatalogueEntry {
  product: CloudProduct;
  action: string;
  /** The `Action` of a RAM policy statement that allows the call (`privatelink:CreateVpcEndpoint`). */
  ramAction: string;
  mutating: boolean;
  /** The API takes `DryRun` (PrivateLink's writes). */
  dryRun: boolean;
  probe: PermissionProbe;
  /** Why asmpvl calls it, for the policy's readers and doctor's findings. */
  purpose: string;
  /** False for a call any valid credential may make (STS GetCallerIdentity): no policy lists it, doctor does not probe it. */
  governed: boolean;
}

/** The RAM service code of each product (the prefix of its RAM actions). */
export const RAM_CODES: Record<CloudProduct, string> = {
  PrivateLink: 'privatelink',
  ACK: 'cs',
  VPC: 'vpc',
  ASM: 'servicemesh',
  SLB: 'slb',
  NLB: 'nlb',
  STS: 'sts',
};

type Row = [action: string, mutating: boolean, dryRun: boolean, purpose: string];

// PrivateLink's writes all take DryRun (API reference of each action); its reads are probed by calling them.
const PRIVATELINK: Row[] = [
  ['CheckProductOpen', false, false, 'doctor: is PrivateLink activated'],
  ['DescribeZones', false, false, 'doctor: zones where PrivateLink serves the load balancers'],
  ['CreateVpcEndpointService', true, true, 'connect: a service in front of each API server and of Pilot'],
  ['GetVpcEndpointServiceAttribute', false, false, 'connect: wait for a service to be Active'],
  ['ListVpcEndpointServices', false, false, 'connect, status, disconnect: find our services by tag'],
  ['DeleteVpcEndpointService', true, true, 'disconnect: remove a service'],
  ['AttachResourceToVpcEndpointService', true, true, 'connect: put the load balancer behind the service'],
  ['DetachResourceFromVpcEndpointService', true, true, 'connect: take a wrong zone off a service'],
  ['ListVpcEndpointServiceResources', false, false, 'connect, status: the load balancers behind a service'],
  [
    'AddUserToVpcEndpointService',
    true,
    true,
    'connect across accounts: allow the consumer account to connect to the service',
  ],
  ['ListVpcEndpointServiceUsers', false, false, 'connect across accounts: who may connect to the service'],
  ['CreateVpcEndpoint', true, true, 'connect: an endpoint in each VPC'],
  ['GetVpcEndpointAttribute', false, false, 'connect: wait for an endpoint to be Active and Connected'],
  ['ListVpcEndpoints', false, false, 'connect, status, disconnect: find our endpoints by tag'],
  ['DeleteVpcEndpoint', true, true, 'disconnect: remove an endpoint'],
  ['AddZoneToVpcEndpoint', true, true, 'connect: place an endpoint in a new zone'],
  ['RemoveZoneFromVpcEndpoint', true, true, 'connect: take an endpoint out of a zone no longer wanted'],
  ['ListVpcEndpointZones', false, false, 'connect, status: the zones of an endpoint'],
  ['EnableVpcEndpointConnection', true, true, 'connect: accept a pending connection'],
];

const ACK: Row[] = [
  ['DescribeClusterDetail', false, false, "connect, status, doctor: a cluster's VPC, SANs and state"],
  ['DescribeClusterResources', false, false, "connect: the cluster's API server load balancer"],
  ['ModifyCluster', true, false, "connect, sync-san: append the endpoint's domain to the API server SANs"],
  ['DescribeTaskInfo', false, false, 'connect, sync-san: wait for the SAN update task'],
];

const VPC: Row[] = [
  ['DescribeVSwitchAttributes', false, false, "connect: a vSwitch's zone and VPC"],
  ['DescribeVSwitches', false, false, "connect: the vSwitches of a cluster's VPC; doctor: a cheap signed read"],
];

const ASM: Row[] = [
  ['DescribeServiceMeshDetail', false, false, "connect: the mesh's VPC, security group and Pilot address"],
  ['DescribeClustersInServiceMesh', false, false, "connect, status, doctor: the mesh's view of each cluster"],
  ['AddClusterIntoServiceMesh', true, false, 'connect: add each cluster to the mesh'],
];

const SLB: Row[] = [['DescribeLoadBalancers', false, false, "connect: the CLB behind Pilot's address, a CLB's zones"]];

const NLB: Row[] = [
  ['GetLoadBalancerAttribute', false, false, 'connect: the zones of an NLB in front of an API server'],
];

// RAM does not govern these: any valid credential may call them.
const UNGOVERNED = new Set(['STS GetCallerIdentity']);

// Called only when a cluster lives in another account than the mesh (a role is configured for it).
const STS: Row[] = [
  ['AssumeRole', false, false, "connect across accounts: act in a cluster's account through its role"],
  ['GetCallerIdentity', false, false, "connect across accounts: the mesh account's id, for the allowlists"],
];

function entries(product: CloudProduct, rows: Row[]): CatalogueEntry[] {
  return rows.map(([action, mutating, dryRun, purpose]) => ({
    product,
    action,
    ramAction: `${RAM_CODES[product]}:${action}`,
    mutating,
    dryRun,
    probe: dryRun ? 'dry-run' : !mutating ? 'read' : 'absent-resource',
    purpose,
    governed: !UNGOVERNED.has(`${product} ${action}`),
  }));
}

/** Every cloud action asmpvl calls, in the order the policy lists them: what the policy grants and doctor checks. */
export const CLOUD_ACTIONS: readonly CatalogueEntry[] = [
  ...entries('PrivateLink', PRIVATELINK),
  ...entries('ACK', ACK),
  ...entries('VPC', VPC),
  ...entries('ASM', ASM),
  ...entries('SLB', SLB),
  ...entries('NLB', NLB),
  ...entries('STS', STS),
];

/** The actions a RAM policy must allow: what `policy` prints and doctor probes. */
export const GOVERNED_ACTIONS: readonly CatalogueEntry[] = CLOUD_ACTIONS.filter((entry) => entry.governed);

/** Which account an identity acts in when the mesh and its clusters are in different accounts. */
export type AccountSide = 'mesh' | 'cluster';

// The mesh's side never calls ACK; a cluster's never calls ASM, and never assumes a role.
const NOT_ON: Record<AccountSide, readonly CloudProduct[]> = { mesh: ['ACK'], cluster: ['ASM', 'STS'] };

/**
 * The actions one side's identity calls across accounts: the mesh account's (its services and
 * endpoints, the mesh, AssumeRole) or a cluster account's role (its services and endpoints, the
 * cluster, its load balancer). In one account, one identity calls them all (GOVERNED_ACTIONS).
 */
export function actionsOf(side: AccountSide): CatalogueEntry[] {
  return GOVERNED_ACTIONS.filter((entry) => !NOT_ON[side].includes(entry.product));
}

/**
 * Every call the clients make goes through this check (the CallRunner of createCloud): an action
 * missing from the catalogue, or declared with another `mutating`, is a programming error here, not
 * a permission a user discovers missing in production.
 */
export function assertCatalogued(call: { product: CloudProduct; action: string; mutating: boolean }): void {
  const entry = catalogueEntry(call.product, call.action);
  if (!entry) throw new Error(`${call.product} ${call.action} is not in engine/cloud/catalogue.ts: add it there`);
  if (entry.mutating !== call.mutating)
    throw new Error(
      `${call.product} ${call.action}: the catalogue says mutating=${entry.mutating}, the client ${call.mutating}`,
    );
}

/** The entry of an action; undefined for one asmpvl never calls. */
export function catalogueEntry(product: CloudProduct, action: string): CatalogueEntry | undefined {
  return CLOUD_ACTIONS.find((entry) => entry.product === product && entry.action === action);
}

/** The entry whose RAM action is `ramAction`. */
export function entryByRamAction(ramAction: string): CatalogueEntry | undefined {
  return CLOUD_ACTIONS.find((entry) => entry.ramAction === ramAction);
}

/** A RAM policy document (policy language version 1). */
export interface RamPolicy {
  Version: '1';
  Statement: RamStatement[];
}

export interface RamStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
}

/**
 * The least-privilege policy: exactly the RAM actions asmpvl calls, on every resource. Resource
 * `*` because the services and endpoints are created by the run itself (their ids are not known
 * beforehand) and the read actions are account-wide lists.
 */
export function leastPrivilegePolicy(entries: readonly CatalogueEntry[] = GOVERNED_ACTIONS): RamPolicy {
  return {
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: entries.map((entry) => entry.ramAction), Resource: '*' }],
  };
}

/** The line of the policy that grants one action, as doctor quotes it. */
export function policyLine(entry: CatalogueEntry): string {
  return `{"Effect": "Allow", "Action": "${entry.ramAction}", "Resource": "*"}`;
}

/** A RAM role's trust policy: who may assume it. */
export interface RamTrustPolicy {
  Version: '1';
  Statement: Array<{ Effect: 'Allow'; Action: 'sts:AssumeRole'; Principal: { RAM: string[] } }>;
}

/** What each account needs when clusters live in other accounts than the mesh. */
export interface CrossAccountPolicies {
  mesh: { accountId: string; policy: RamPolicy };
  roles: Array<{
    roleArn: string;
    accountId: string;
    clusterIds: string[];
    policy: RamPolicy;
    trustPolicy: RamTrustPolicy;
  }>;
}

/**
 * The policies across accounts: the mesh account's identity gets the mesh side's actions and
 * sts:AssumeRole on exactly the cluster roles; each role gets a cluster side's actions, and trusts
 * the mesh account (any of its identities whose own policy allows the AssumeRole).
 */
export function crossAccountPolicies(
  meshAccountId: string,
  clusterRoles: Readonly<Record<string, string>>,
): CrossAccountPolicies {
  const roleArns = [...new Set(Object.values(clusterRoles))];
  const meshEntries = actionsOf('mesh').filter((entry) => entry.ramAction !== 'sts:AssumeRole');
  const meshStatements: RamStatement[] = [leastPrivilegePolicy(meshEntries).Statement[0]!];
  if (roleArns.length > 0) meshStatements.push({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArns });
  return {
    mesh: { accountId: meshAccountId, policy: { Version: '1', Statement: meshStatements } },
    roles: roleArns.map((roleArn) => ({
      roleArn,
      accountId: /^acs:ram::(\d+):/.exec(roleArn)?.[1] ?? '',
      clusterIds: Object.keys(clusterRoles).filter((clusterId) => clusterRoles[clusterId] === roleArn),
      policy: leastPrivilegePolicy(actionsOf('cluster')),
      trustPolicy: {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${meshAccountId}:root`] } },
        ],
      },
    })),
  };
}
