/**
 * Discovery: the network facts the desired state needs, read from the cloud. The mesh's VPC,
 * security group and private Pilot load balancer (ASM DescribeServiceMeshDetail, then the SLB at
 * the IntranetPilotEndpoint address, or the one given with --pilot-load-balancer), and each
 * cluster's VPC, security group, SANs and API server load balancer (ACK).
 */
import type { ClusterDetail } from '../cloud/ack';
import { loadBalancerKind } from '../cloud/ack';
import { servingZones } from '../cloud/nlb';
import type { LoadBalancer } from '../cloud/slb';
import type { ProvisioningCloud } from './cloud-port';
import { mapBounded } from '../concurrency';
import { ProvisioningInputError, StepError } from './errors';
import type { ClusterFacts, LoadBalancerRef, MeshFacts } from './model';

function zonesOf(loadBalancer: LoadBalancer): string[] {
  return [loadBalancer.masterZoneId, loadBalancer.slaveZoneId].filter((zone): zone is string => Boolean(zone));
}

/** A load balancer's zones: CLBs (`lb-`) from SLB, NLBs from NLB; ALB zones stay unknown. */
async function loadBalancerRef(cloud: ProvisioningCloud, loadBalancerId: string): Promise<LoadBalancerRef | undefined> {
  const kind = loadBalancerKind(loadBalancerId);
  if (kind === 'nlb') {
    const nlb = await cloud.describeNetworkLoadBalancer(loadBalancerId);
    return nlb ? { loadBalancerId, kind, zoneIds: servingZones(nlb) } : undefined;
  }
  if (kind !== 'slb') return { loadBalancerId, kind };
  const found = await cloud.describeLoadBalancer(loadBalancerId);
  return found ? { loadBalancerId, kind, zoneIds: zonesOf(found) } : undefined;
}

/**
 * The mesh's network and its private Pilot load balancer. ASM names no private Pilot load
 * balancer, so it is the internal CLB at the IntranetPilotEndpoint address in the mesh's VPC
 * (an inference: the mesh API names only the public one), unless `pilotLoadBalancerId` names it.
 */
export async function discoverMesh(
  cloud: ProvisioningCloud,
  meshId: string,
  pilotLoadBalancerId?: string,
): Promise<MeshFacts> {
  const step = `read service mesh ${meshId} (ASM DescribeServiceMeshDetail)`;
  let mesh;
  try {
    mesh = await cloud.describeMesh(meshId);
  } catch (error) {
    throw new StepError(step, error);
  }
  if (!mesh.vpcId || !mesh.securityGroupId) {
    throw new ProvisioningInputError(
      `service mesh ${meshId} reports no VPC or security group (VpcId ${mesh.vpcId ?? 'missing'}, SecurityGroupId ${mesh.securityGroupId ?? 'missing'}); is it still being created?`,
    );
  }
  const pilotLoadBalancer = await findPilotLoadBalancer(
    cloud,
    meshId,
    mesh.vpcId,
    mesh.pilotAddress?.host,
    pilotLoadBalancerId,
  );
  let accountId;
  try {
    accountId = await cloud.meshAccountId();
  } catch (error) {
    throw new StepError("read the mesh account's id (STS GetCallerIdentity)", error);
  }
  return { meshId, vpcId: mesh.vpcId, securityGroupId: mesh.securityGroupId, pilotLoadBalancer, accountId };
}

async function findPilotLoadBalancer(
  cloud: ProvisioningCloud,
  meshId: string,
  vpcId: string,
  pilotHost: string | undefined,
  given?: string,
): Promise<LoadBalancerRef> {
  if (given) {
    let found;
    try {
      found = await loadBalancerRef(cloud, given);
    } catch (error) {
      throw new StepError(`read the Pilot load balancer ${given} (SLB DescribeLoadBalancers)`, error);
    }
    if (!found)
      throw new ProvisioningInputError(
        `--pilot-load-balancer ${given}: no such load balancer in this region and account`,
      );
    return found;
  }
  if (!pilotHost) {
    throw new ProvisioningInputError(
      `service mesh ${meshId} reports no IntranetPilotEndpoint, so its private Pilot load balancer cannot be found; pass --pilot-load-balancer lb-...`,
    );
  }
  let found;
  try {
    found = await cloud.findLoadBalancerByAddress(pilotHost, vpcId);
  } catch (error) {
    throw new StepError(`find the Pilot load balancer at ${pilotHost} in ${vpcId} (SLB DescribeLoadBalancers)`, error);
  }
  if (!found) {
    throw new ProvisioningInputError(
      `no internal load balancer answers at ${pilotHost} (the mesh's IntranetPilotEndpoint) in ${vpcId}; pass --pilot-load-balancer lb-... to name it`,
    );
  }
  return { loadBalancerId: found.loadBalancerId, kind: 'slb', zoneIds: zonesOf(found) };
}

function factsOf(detail: ClusterDetail): ClusterFacts {
  return {
    clusterId: detail.clusterId,
    vpcId: detail.vpcId,
    securityGroupId: detail.securityGroupId,
    state: detail.state,
    certSans: detail.apiServerCertSans,
  };
}

/**
 * A cluster's facts; with `withLoadBalancer`, also its API server load balancer and that load
 * balancer's zones (needed only to provision the cluster, not to report on it).
 */
export async function discoverCluster(
  cloud: ProvisioningCloud,
  clusterId: string,
  withLoadBalancer: boolean,
): Promise<ClusterFacts> {
  let detail: ClusterDetail;
  try {
    detail = await cloud.describeCluster(clusterId);
  } catch (error) {
    throw new StepError(`read cluster ${clusterId} (ACK DescribeClusterDetail)`, error, clusterId);
  }
  const facts = { ...factsOf(detail), accountId: cloud.clusterAccountId(clusterId) };
  if (!withLoadBalancer) return facts;
  if (!facts.vpcId || !facts.securityGroupId) {
    throw new StepError(
      `read cluster ${clusterId}`,
      new ProvisioningInputError(
        `ACK reports no VPC or security group for cluster ${clusterId} (state ${facts.state ?? 'unknown'})`,
      ),
      clusterId,
    );
  }
  const step = `find the API server load balancer of cluster ${clusterId} (ACK DescribeClusterResources, then SLB DescribeLoadBalancers or NLB GetLoadBalancerAttribute)`;
  try {
    const found = await cloud.findApiServerLoadBalancer(detail);
    const apiServerLoadBalancer = (await loadBalancerRef(cloud, found.loadBalancerId)) ?? {
      loadBalancerId: found.loadBalancerId,
      kind: found.kind,
    };
    return { ...facts, apiServerLoadBalancer };
  } catch (error) {
    throw new StepError(step, error, clusterId);
  }
}

/**
 * Starts the reads the run's discovery of a cluster will make (its resources and load balancer) as
 * soon as its detail is in, beside the other clusters' reads: the port keeps each answer for the
 * run (RunReads), so discovery then finds them read. A failure is left for discovery to meet again
 * and report.
 */
export function warmClusterDiscovery(cloud: ProvisioningCloud, clusterId: string): void {
  discoverCluster(cloud, clusterId, true).catch(() => undefined);
}

export interface ClusterDiscovery {
  facts: Record<string, ClusterFacts>;
  failures: StepError[];
}

/**
 * Facts of many clusters side by side; a cluster that cannot be read is a failure, not the end of
 * the run. `onFacts` is told as each cluster's facts are in, with the record the answer returns
 * (filled as the clusters come in).
 */
export async function discoverClusters(
  cloud: ProvisioningCloud,
  clusterIds: string[],
  provisioned: ReadonlySet<string>,
  concurrency: number,
  onFacts?: (clusterId: string, facts: Record<string, ClusterFacts>) => void,
): Promise<ClusterDiscovery> {
  const facts: Record<string, ClusterFacts> = {};
  const failures: StepError[] = [];
  await mapBounded(clusterIds, concurrency, async (clusterId) => {
    try {
      facts[clusterId] = await discoverCluster(cloud, clusterId, provisioned.has(clusterId));
    } catch (error) {
      failures.push(error instanceof StepError ? error : new StepError(`read cluster ${clusterId}`, error, clusterId));
      return;
    }
    onFacts?.(clusterId, facts);
  });
  return { facts, failures };
}
