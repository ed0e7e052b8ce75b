/**
 * The desired state: from the spec and what discovery found, where every endpoint service and
 * endpoint must be. Pure.
 *
 * PrivateLink places an endpoint only in zones its service covers, and a service covers only the
 * zones its load balancer serves. So for each cluster:
 * - paired zones = the zones of its vSwitches that the ASM vSwitches share;
 * - API-server link: service zones = paired zones the cluster's API server load balancer serves;
 *   the endpoint goes in the ASM vSwitch of each of those zones;
 * - Pilot link: zones = paired zones the Pilot load balancer serves; the endpoint goes in the
 *   cluster's vSwitch of each of those zones, and the shared Pilot service covers the union over
 *   every cluster of the spec.
 */
import { listForSentence, pairedZones, sortedZones } from '../../core';
import type {
  ClusterSpec,
  DesiredInputs,
  DesiredLink,
  DesiredProblem,
  DesiredState,
  LoadBalancerRef,
  VSwitchPlacement,
} from './model';

/** Zones both the placement and the load balancer allow; all of `zones` when the load balancer's are unknown. */
function servedZones(zones: string[], loadBalancer: LoadBalancerRef): string[] {
  if (!loadBalancer.zoneIds) return zones;
  const served = new Set(loadBalancer.zoneIds);
  return zones.filter((zone) => served.has(zone));
}

/** The first vSwitch of each zone, in zone order: one endpoint interface per zone. */
export function placementsIn(vSwitches: VSwitchPlacement[], zones: string[]): VSwitchPlacement[] {
  return zones.flatMap((zoneId) => {
    const vSwitch = vSwitches.find((candidate) => candidate.zoneId === zoneId);
    return vSwitch ? [{ vSwitchId: vSwitch.vSwitchId, zoneId }] : [];
  });
}

/** The zones where a cluster and the ASM side can meet. */
export function clusterPairedZones(cluster: ClusterSpec, asmVSwitches: VSwitchPlacement[]): string[] {
  return pairedZones(
    cluster.vSwitches.map((vSwitch) => vSwitch.zoneId),
    asmVSwitches.map((vSwitch) => vSwitch.zoneId),
  );
}

function zonesOf(vSwitches: VSwitchPlacement[]): string {
  return listForSentence(sortedZones(vSwitches.map((vSwitch) => vSwitch.zoneId))) || 'no zone';
}

function noSharedZone(cluster: ClusterSpec, asmVSwitches: VSwitchPlacement[]): DesiredProblem {
  return {
    clusterId: cluster.clusterId,
    message: `cluster ${cluster.clusterId} has vSwitches in ${zonesOf(cluster.vSwitches)} and the ASM side in ${zonesOf(asmVSwitches)}: no zone pairs. Add a vSwitch in a shared zone (connect --vswitch) on either side.`,
  };
}

function loadBalancerMisses(
  clusterId: string,
  what: string,
  loadBalancer: LoadBalancerRef,
  paired: string[],
): DesiredProblem {
  return {
    clusterId,
    message: `${what} ${loadBalancer.loadBalancerId} serves ${listForSentence(loadBalancer.zoneIds ?? [])}, none of the zones cluster ${clusterId} pairs in (${listForSentence(paired)}): PrivateLink cannot place the endpoint. Use vSwitches in a zone the load balancer serves.`,
  };
}

/** The desired state; clusters that cannot be planned are listed in `problems`, the rest still are. */
export function desiredState(inputs: DesiredInputs): DesiredState {
  const { mesh, asmVSwitches } = inputs;
  const pilotLoadBalancer = mesh.pilotLoadBalancer;
  const links: DesiredLink[] = [];
  const problems: DesiredProblem[] = [];
  const apiServerServices: DesiredState['apiServerServices'] = {};
  const pilotZones = new Set<string>();

  for (const cluster of inputs.clusters) {
    const paired = clusterPairedZones(cluster, asmVSwitches);
    if (paired.length === 0) {
      problems.push(noSharedZone(cluster, asmVSwitches));
      continue;
    }
    const pilotLinkZones = servedZones(paired, pilotLoadBalancer);
    for (const zone of pilotLinkZones) pilotZones.add(zone);
    const facts = inputs.clusterFacts[cluster.clusterId];
    if (!facts) continue;

    const apiServerLoadBalancer = facts.apiServerLoadBalancer;
    if (apiServerLoadBalancer) {
      const zones = servedZones(paired, apiServerLoadBalancer);
      if (zones.length === 0) {
        problems.push(
          loadBalancerMisses(
            cluster.clusterId,
            `the API server load balancer of cluster ${cluster.clusterId}`,
            apiServerLoadBalancer,
            paired,
          ),
        );
      } else {
        apiServerServices[cluster.clusterId] = { loadBalancer: apiServerLoadBalancer, zones };
        links.push({
          link: 'apiserver',
          clusterId: cluster.clusterId,
          serviceZones: zones,
          endpointVpcId: mesh.vpcId,
          endpointSecurityGroupIds: [mesh.securityGroupId],
          endpointZones: placementsIn(asmVSwitches, zones),
          providerAccountId: facts.accountId,
          consumerAccountId: mesh.accountId,
        });
      }
    }

    if (pilotLinkZones.length === 0) {
      problems.push(loadBalancerMisses(cluster.clusterId, 'the Pilot load balancer', pilotLoadBalancer, paired));
    } else if (facts.vpcId && facts.securityGroupId) {
      links.push({
        link: 'pilot',
        clusterId: cluster.clusterId,
        serviceZones: pilotLinkZones,
        endpointVpcId: facts.vpcId,
        endpointSecurityGroupIds: [facts.securityGroupId],
        endpointZones: placementsIn(cluster.vSwitches, pilotLinkZones),
        providerAccountId: mesh.accountId,
        consumerAccountId: facts.accountId,
      });
    }
  }

  return {
    meshId: inputs.meshId,
    pilotService: { loadBalancer: pilotLoadBalancer, zones: sortedZones(pilotZones) },
    apiServerServices,
    links,
    clusterIds: inputs.clusters.map((cluster) => cluster.clusterId),
    problems,
  };
}
