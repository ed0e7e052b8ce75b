/**
 * The endpoint service manager: one PrivateLink endpoint service fronting a load balancer, from
 * create to delete. Every change waits for the service to be Active first (a service being
 * changed is Pending and refuses the next change), and every change is safe to send again: the
 * answers that mean "already so" are taken as done.
 */
import type { EndpointService, EndpointServiceResource, ServiceResourceType } from '../../cloud/privatelink';
import { ResourceGoneError } from '../errors';
import type { LoadBalancerRef } from '../model';
import type { BatchedPoll } from '../polls';
import type { Tag } from '../tags';
import {
  type CreateToken,
  createReplayingTokens,
  type ManagerContext,
  oneOffToken,
  pollShared,
  tolerating,
} from './manager';
import { SERVICE_STATES } from './states';

/** The answers of each call that mean its end state already holds. */
export const SERVICE_TOLERATED = {
  /** The load balancer is already attached in that zone. */
  attach: ['EndpointServiceResourceExist'],
  /** The load balancer is already detached from that zone. */
  detach: ['EndpointServiceResourceNotFound'],
  /** The service is already gone. */
  delete: ['EndpointServiceNotFound'],
} as const;

/** A new service: the load balancer, the zones it is attached in, and how it is labelled. */
export interface ServiceToCreate {
  loadBalancer: LoadBalancerRef;
  zones: string[];
  description: string;
  tags: Tag[];
}

export class EndpointServiceManager {
  constructor(
    private readonly context: ManagerContext,
    /** The run's shared reads of services by id (polls.ts). */
    private readonly poll: BatchedPoll<EndpointService>,
  ) {}

  /** The service as the cloud holds it now; undefined once it is gone. */
  observe(serviceId: string): Promise<EndpointService | undefined> {
    return this.context.cloud.getService(serviceId);
  }

  /** Waits until the service is Active, or gone (undefined). */
  settled(serviceId: string): Promise<EndpointService | undefined> {
    return pollShared(
      this.context,
      this.poll,
      serviceId,
      (found) => found === undefined || found.serviceStatus === SERVICE_STATES.settled,
      `endpoint service ${serviceId} to be Active`,
      (found) => `status ${found?.serviceStatus ?? 'gone'}`,
    );
  }

  /** Waits until the service is Active; its disappearance is an error. */
  async active(serviceId: string): Promise<EndpointService> {
    const service = await this.settled(serviceId);
    if (!service)
      throw new ResourceGoneError(
        `endpoint service ${serviceId} disappeared while we waited for it; the next run recreates it`,
      );
    return service;
  }

  /**
   * Creates the service and returns its id once it exists (and, unless the run does not wait, is
   * Active). The provider accepts each endpoint itself (see EndpointManager.accept): a shared Pilot
   * service must not take connections from endpoints it does not know.
   */
  create(wanted: ServiceToCreate, tokenFor: CreateToken): Promise<string> {
    const { loadBalancer, zones } = wanted;
    return createReplayingTokens(
      { loadBalancer: loadBalancer.loadBalancerId, kind: loadBalancer.kind, zones },
      tokenFor,
      async (clientToken) =>
        (
          await this.context.cloud.createService({
            resources: zones.map((zoneId) => ({
              resourceType: loadBalancer.kind,
              resourceId: loadBalancer.loadBalancerId,
              zoneId,
            })),
            serviceResourceType: loadBalancer.kind,
            autoAcceptEnabled: false,
            serviceDescription: wanted.description,
            tags: wanted.tags,
            clientToken,
          })
        ).serviceId,
      (serviceId) => this.exists(serviceId),
    );
  }

  /** Attaches the load balancer in one more zone. */
  async attachZone(serviceId: string, loadBalancer: LoadBalancerRef, zoneId: string): Promise<void> {
    await this.active(serviceId);
    await tolerating(SERVICE_TOLERATED.attach, () =>
      this.context.cloud.attachResource({
        serviceId,
        resourceId: loadBalancer.loadBalancerId,
        resourceType: loadBalancer.kind,
        zoneId,
        clientToken: oneOffToken(),
      }),
    );
  }

  /** Detaches one of the service's resources (a load balancer in one zone). */
  async detachZone(
    serviceId: string,
    resource: Pick<EndpointServiceResource, 'resourceId' | 'resourceType' | 'zoneId'>,
  ): Promise<void> {
    await this.active(serviceId);
    await tolerating(SERVICE_TOLERATED.detach, () =>
      this.context.cloud.detachResource({
        serviceId,
        resourceId: resource.resourceId,
        // Optional to detach: absent, the cloud takes the type of the id.
        resourceType: resource.resourceType as ServiceResourceType,
        zoneId: resource.zoneId,
        clientToken: oneOffToken(),
      }),
    );
  }

  /** Lets another account's endpoints connect (the allowlist); the planner asks only when the list lacks the account. */
  async allowAccount(serviceId: string, accountId: string): Promise<void> {
    await this.context.cloud.allowAccount(serviceId, accountId, oneOffToken());
  }

  /**
   * Starts deleting the service: `gone` when it already was, `deleting` otherwise. PrivateLink
   * refuses to delete a service with resources attached (`EndpointServiceDependenceViolation`), so
   * every resource is detached first, one at a time (each change makes the service busy).
   */
  async delete(serviceId: string): Promise<'gone' | 'deleting'> {
    const service = await this.observe(serviceId);
    if (!service) return 'gone';
    if (service.serviceStatus === SERVICE_STATES.going) return 'deleting';
    await this.active(serviceId);
    const resources = await this.context.cloud.listServiceResources(serviceId);
    for (const resource of resources) await this.detachZone(serviceId, resource);
    if (resources.length > 0) await this.active(serviceId);
    await tolerating(SERVICE_TOLERATED.delete, () => this.context.cloud.deleteService(serviceId, oneOffToken()));
    return 'deleting';
  }

  /** Waits until the service is gone. */
  async gone(serviceId: string): Promise<void> {
    await pollShared(
      this.context,
      this.poll,
      serviceId,
      (found) => found === undefined,
      `endpoint service ${serviceId} to be deleted`,
      (found) => `status ${found ? found.serviceStatus : 'gone'}`,
    );
  }

  // A create's answer names a service that may be gone already (a replayed token).
  private async exists(serviceId: string): Promise<boolean> {
    if (this.context.wait) return (await this.settled(serviceId)) !== undefined;
    const found = await this.observe(serviceId);
    return found !== undefined && found.serviceStatus !== SERVICE_STATES.going;
  }
}
