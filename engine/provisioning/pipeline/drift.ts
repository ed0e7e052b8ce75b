/**
 * The cheap look a converged object gets on each resync: our endpoint services and endpoints by
 * tag (two paged lists) and the mesh's view of its clusters (one call), whatever the cluster count.
 * Anything off (a resource missing, surplus, not Active or not Connected; a cluster the mesh does not
 * run, which is how a removed SAN or zone shows) sends the caller to a full reconcile.
 */
import type { ProvisioningCloud } from '../cloud-port';
import { meshFilter, ownershipOf } from '../tags';

export interface DriftCheck {
  converged: boolean;
  /** What is off, when not converged. */
  drift?: string;
  /** Cloud calls it made (pages included are counted by the cloud layer, not here). */
  reads: number;
}

/** Looks for drift of `clusterIds`' links of `meshId`; throws when the cloud cannot be read. */
export async function checkDrift(cloud: ProvisioningCloud, meshId: string, clusterIds: string[]): Promise<DriftCheck> {
  const filter = meshFilter(meshId);
  const [services, endpoints, meshClusters] = await Promise.all([
    cloud.listServices(filter),
    cloud.listEndpoints(filter),
    cloud.describeMeshClusters(meshId),
  ]);
  const drift = (text: string): DriftCheck => ({ converged: false, drift: text, reads: 3 });
  const ownServices = services.flatMap((service) => {
    const owner = ownershipOf(service.tags, meshId);
    return owner ? [{ ...owner, status: service.serviceStatus, id: service.serviceId }] : [];
  });
  const ownEndpoints = endpoints.flatMap((endpoint) => {
    const owner = ownershipOf(endpoint.tags, meshId);
    return owner
      ? [{ ...owner, status: endpoint.endpointStatus, connection: endpoint.connectionStatus, id: endpoint.endpointId }]
      : [];
  });
  const wanted = new Set(clusterIds);
  const wantedServices = clusterIds.length + (clusterIds.length > 0 ? 1 : 0);
  if (ownServices.length !== wantedServices)
    return drift(`${ownServices.length} endpoint service(s) where ${wantedServices} belong`);
  if (ownEndpoints.length !== clusterIds.length * 2)
    return drift(`${ownEndpoints.length} endpoint(s) where ${clusterIds.length * 2} belong`);
  for (const service of ownServices) {
    const belongs = service.link === 'pilot' ? !service.clusterId : wanted.has(service.clusterId ?? '');
    if (!belongs) return drift(`endpoint service ${service.id} belongs to no cluster of the spec`);
    if (service.status !== 'Active') return drift(`endpoint service ${service.id} is ${service.status ?? 'unknown'}`);
  }
  for (const clusterId of clusterIds) {
    for (const link of ['apiserver', 'pilot'] as const) {
      const found = ownEndpoints.filter((endpoint) => endpoint.clusterId === clusterId && endpoint.link === link);
      if (found.length !== 1) return drift(`${found.length} ${link} endpoint(s) for ${clusterId}`);
      const [endpoint] = found;
      if (endpoint!.status !== 'Active' || endpoint!.connection !== 'Connected')
        return drift(`endpoint ${endpoint!.id} is ${endpoint!.status ?? '?'}/${endpoint!.connection ?? '?'}`);
    }
    if (!ownServices.some((service) => service.link === 'apiserver' && service.clusterId === clusterId))
      return drift(`no API-server endpoint service for ${clusterId}`);
    const member = meshClusters.find((cluster) => cluster.clusterId === clusterId);
    if (member?.state !== 'running')
      return drift(`service mesh ${meshId} has ${clusterId} ${member?.state ?? 'absent'}`);
  }
  return { converged: true, reads: 3 };
}
