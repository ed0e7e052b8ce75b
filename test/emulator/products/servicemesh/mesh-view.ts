// A causal model of how the mesh sees a data-plane cluster in another VPC. The control plane can
// manage the cluster only when
//   (a) an endpoint in the ASM VPC reaches an Active service in front of the cluster's API server
//       load balancer, its connection Connected in at least one zone the service covers;
//   (b) an endpoint in the cluster's VPC reaches an Active service in front of the mesh's Pilot
//       load balancer, its connection Connected in at least one zone;
//   (c) the cluster's API server certificate lists the domain of endpoint (a) among its SANs,
//       or the control plane's TLS check against the API server fails.
// Until then DescribeClustersInServiceMesh reports the cluster `failed` (a State value the docs list
// for DescribeServiceMeshClusters; for this action it is assumed), its ErrorMessage saying what is missing.
import type { Cloud, Endpoint, MeshClusterView, MeshMember } from '../../cloud';

/** Connected endpoints in `vpcId` that reach an Active service fronting `loadBalancerId`. */
function connectedEndpointsTo(cloud: Cloud, vpcId: string, loadBalancerId: string): Endpoint[] {
  return [...cloud.endpoints.values()].filter((endpoint) => {
    if (endpoint.vpcId !== vpcId || endpoint.endpointStatus !== 'Active' || endpoint.connectionStatus !== 'Connected')
      return false;
    const service = cloud.services.get(endpoint.serviceId);
    if (service?.serviceStatus !== 'Active') return false;
    const fronted = service.resources.filter((resource) => resource.resourceId === loadBalancerId);
    // Traffic flows only in a zone both sides share: a Connected endpoint zone the service covers.
    return endpoint.zones.some(
      (zone) => zone.zoneStatus === 'Connected' && fronted.some((resource) => resource.zoneId === zone.zoneId),
    );
  });
}

/** What DescribeClustersInServiceMesh reports for a member cluster. */
export function meshViewOfCluster(cloud: Cloud, member: MeshMember): MeshClusterView {
  if (member.fromWorld) return { state: 'running', errorMessage: '' };
  if (!member.joined) return { state: 'starting', errorMessage: '' };
  const cluster = cloud.cluster(member.clusterId);
  const mesh = cloud.world.serviceMesh;
  if (!cluster) return { state: 'failed', errorMessage: `cluster ${member.clusterId} no longer exists` };
  if (cluster.vpcId === mesh.vpcId) return { state: 'running', errorMessage: '' };

  const problems: string[] = [];
  const apiServerEndpoints = connectedEndpointsTo(cloud, mesh.vpcId, cluster.apiServerLoadBalancerId);
  if (apiServerEndpoints.length === 0) {
    problems.push(
      `the control plane cannot reach the API server: no Connected endpoint in ${mesh.vpcId} to an Active service on ${cluster.apiServerLoadBalancerId}`,
    );
  }
  if (connectedEndpointsTo(cloud, cluster.vpcId, mesh.pilotLoadBalancerId).length === 0) {
    problems.push(
      `sidecars cannot reach Pilot: no Connected endpoint in ${cluster.vpcId} to an Active service on ${mesh.pilotLoadBalancerId}`,
    );
  }
  const sans = cloud.clusters.get(cluster.clusterId)?.extraSans ?? [];
  if (apiServerEndpoints.length > 0 && !apiServerEndpoints.some((endpoint) => sans.includes(endpoint.endpointDomain))) {
    problems.push(
      `x509: the API server certificate of ${cluster.clusterId} is not valid for ${apiServerEndpoints[0]!.endpointDomain} (add it to the certificate SANs)`,
    );
  }
  return problems.length === 0
    ? { state: 'running', errorMessage: '' }
    : { state: 'failed', errorMessage: problems.join('; ') };
}
