/**
 * Observation: every endpoint service and endpoint of ours for one mesh, found by our tags (two
 * list calls), with the zones each covers (one call per resource).
 */
import { isNotFound, type ProvisioningCloud, RunReads } from './cloud-port';
import { mapBounded } from '../concurrency';
import { StepError } from './errors';
import type { Inventory, ObservedEndpoint, ObservedService } from './model';
import { meshFilter, ownershipOf } from './tags';

export interface ObserveOptions {
  concurrency: number;
  /** Read the allowlists of the services too (only cross-account links need them). */
  withAllowlists?: boolean;
  /** Zones already read after the run's last change to a resource (see DetailReads). */
  details?: DetailReads;
}

type ServiceResources = Awaited<ReturnType<ProvisioningCloud['listServiceResources']>>;
type EndpointZones = Awaited<ReturnType<ProvisioningCloud['listEndpointZones']>>;

/**
 * The zones of resources a run has finished with, read as soon as it finished with them (a
 * cluster's steps all ended) rather than all at once after the last step: the observation that
 * writes the status then reads only what no cluster's steps covered. A read that failed is made
 * again when the observation asks.
 */
export class DetailReads {
  // Kept like the run's settled reads: a failed one is dropped (never unhandled), so asking reads again.
  private readonly kept = new RunReads();

  constructor(private readonly cloud: ProvisioningCloud) {}

  prefetchService(serviceId: string): void {
    void this.kept.once(`resources/${serviceId}`, this.resourcesOf(serviceId));
  }

  prefetchEndpoint(endpointId: string): void {
    void this.kept.once(`zones/${endpointId}`, this.zonesOf(endpointId));
  }

  serviceResources(serviceId: string): Promise<ServiceResources> {
    const read = this.resourcesOf(serviceId);
    return this.kept.once(`resources/${serviceId}`, read).catch(read);
  }

  endpointZones(endpointId: string): Promise<EndpointZones> {
    const read = this.zonesOf(endpointId);
    return this.kept.once(`zones/${endpointId}`, read).catch(read);
  }

  private resourcesOf(serviceId: string) {
    return () => this.cloud.listServiceResources(serviceId);
  }

  private zonesOf(endpointId: string) {
    return () => this.cloud.listEndpointZones(endpointId);
  }
}

/** What the cloud holds of ours for `meshId`. */
export async function observeInventory(
  cloud: ProvisioningCloud,
  meshId: string,
  options: ObserveOptions,
): Promise<Inventory> {
  const filter = meshFilter(meshId);
  let listed;
  try {
    listed = await Promise.all([cloud.listServices(filter), cloud.listEndpoints(filter)]);
  } catch (error) {
    throw new StepError(`list the PrivateLink resources tagged for mesh ${meshId}`, error);
  }
  const [services, endpoints] = listed;

  const ownedServices = services.flatMap((service) => {
    const owner = ownershipOf(service.tags, meshId);
    return owner ? [{ service, owner }] : [];
  });
  const ownedEndpoints = endpoints.flatMap((endpoint) => {
    const owner = ownershipOf(endpoint.tags, meshId);
    return owner?.clusterId ? [{ endpoint, owner: { link: owner.link, clusterId: owner.clusterId } }] : [];
  });

  // Both kinds side by side: they are different actions, each paced at its own limit.
  const [observedServices, observedEndpoints] = await Promise.all([
    mapBounded(ownedServices, options.concurrency, async ({ service, owner }): Promise<ObservedService | undefined> => {
      const step = `list the zones of endpoint service ${service.serviceId}`;
      try {
        const resources = await (options.details?.serviceResources(service.serviceId) ??
          cloud.listServiceResources(service.serviceId));
        const allowedAccountIds =
          (options.withAllowlists ?? cloud.crossAccount)
            ? await cloud.listServiceUserIds(service.serviceId)
            : undefined;
        return {
          serviceId: service.serviceId,
          serviceName: service.serviceName,
          status: service.serviceStatus,
          autoAcceptEnabled: service.autoAcceptEnabled,
          createTime: service.createTime,
          link: owner.link,
          clusterId: owner.clusterId,
          resources: resources.map((resource) => ({
            resourceId: resource.resourceId,
            resourceType: resource.resourceType ?? 'slb',
            zoneId: resource.zoneId ?? '',
          })),
          allowedAccountIds,
        };
      } catch (error) {
        // Deleted between the list and this call: it is gone, not ours to report.
        if (isNotFound(error)) return undefined;
        throw new StepError(step, error, owner.clusterId);
      }
    }),
    mapBounded(
      ownedEndpoints,
      options.concurrency,
      async ({ endpoint, owner }): Promise<ObservedEndpoint | undefined> => {
        try {
          const zones = await (options.details?.endpointZones(endpoint.endpointId) ??
            cloud.listEndpointZones(endpoint.endpointId));
          return {
            endpointId: endpoint.endpointId,
            serviceId: endpoint.serviceId,
            status: endpoint.endpointStatus,
            connectionStatus: endpoint.connectionStatus,
            domainName: endpoint.endpointDomain,
            vpcId: endpoint.vpcId,
            createTime: endpoint.createTime,
            link: owner.link,
            clusterId: owner.clusterId,
            zones: zones.map((zone) => ({ zoneId: zone.zoneId, vSwitchId: zone.vSwitchId, status: zone.zoneStatus })),
          };
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw new StepError(`list the zones of endpoint ${endpoint.endpointId}`, error, owner.clusterId);
        }
      },
    ),
  ]);

  return {
    services: observedServices.filter((service): service is ObservedService => service !== undefined),
    endpoints: observedEndpoints.filter((endpoint): endpoint is ObservedEndpoint => endpoint !== undefined),
  };
}
