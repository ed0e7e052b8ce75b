/**
 * The endpoint manager: one PrivateLink endpoint reaching an endpoint service, from create to
 * delete, and its connection. A zone change locks the endpoint (Pending) until it settles, so
 * every change waits for it to be Active first; every change is safe to send again: the answers
 * that mean "already so" are taken as done.
 */
import type { Endpoint } from '../../cloud/privatelink';
import { ProvisioningInputError, ResourceGoneError } from '../errors';
import type { VSwitchPlacement } from '../model';
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
import { ENDPOINT_STATES } from './states';

/** The answers of each call that mean its end state already holds. */
export const ENDPOINT_TOLERATED = {
  /** The endpoint already has an interface in that zone. */
  addZone: ['EndpointZoneDuplicated'],
  /** The endpoint has no interface in that zone any more. */
  removeZone: ['EndpointZoneNotFound'],
  /** The endpoint is already gone. */
  delete: ['EndpointNotFound'],
} as const;

/** A new endpoint: where it goes, what it reaches, and how it is labelled. */
export interface EndpointToCreate {
  serviceId: string;
  vpcId: string;
  securityGroupIds: string[];
  zones: VSwitchPlacement[];
  name: string;
  description: string;
  tags: Tag[];
}

/** Where an accept left the connection. */
export type ConnectionStart = { state: 'connected'; endpoint: Endpoint } | { state: 'moving'; endpoint: Endpoint };

export class EndpointManager {
  constructor(
    private readonly context: ManagerContext,
    /** The run's shared reads of endpoints by id (polls.ts). */
    private readonly poll: BatchedPoll<Endpoint>,
  ) {}

  /** The endpoint as the cloud holds it now; undefined once it is gone. */
  observe(endpointId: string): Promise<Endpoint | undefined> {
    return this.context.cloud.getEndpoint(endpointId);
  }

  /** Waits until the endpoint is Active, or gone (undefined). */
  settled(endpointId: string): Promise<Endpoint | undefined> {
    return pollShared(
      this.context,
      this.poll,
      endpointId,
      (found) => found === undefined || found.endpointStatus === ENDPOINT_STATES.settled,
      `endpoint ${endpointId} to be Active`,
      (found) => `status ${found?.endpointStatus ?? 'gone'}`,
    );
  }

  /** Waits until the endpoint is Active; its disappearance is an error. */
  async active(endpointId: string): Promise<Endpoint> {
    const endpoint = await this.settled(endpointId);
    if (!endpoint)
      throw new ResourceGoneError(
        `endpoint ${endpointId} disappeared while we waited for it; the next run recreates it`,
      );
    return endpoint;
  }

  /** Creates the endpoint and returns its id once it exists (and, unless the run does not wait, is Active). */
  create(wanted: EndpointToCreate, tokenFor: CreateToken): Promise<string> {
    return createReplayingTokens(
      {
        serviceId: wanted.serviceId,
        vpcId: wanted.vpcId,
        securityGroupIds: wanted.securityGroupIds,
        zones: wanted.zones,
      },
      tokenFor,
      async (clientToken) =>
        (
          await this.context.cloud.createEndpoint({
            vpcId: wanted.vpcId,
            serviceId: wanted.serviceId,
            securityGroupIds: wanted.securityGroupIds,
            zones: wanted.zones,
            endpointName: wanted.name,
            endpointDescription: wanted.description,
            tags: wanted.tags,
            clientToken,
          })
        ).endpointId,
      (endpointId) => this.exists(endpointId),
    );
  }

  /** Adds an interface in one more zone. */
  async addZone(endpointId: string, zone: VSwitchPlacement): Promise<void> {
    await this.active(endpointId);
    await tolerating(ENDPOINT_TOLERATED.addZone, () =>
      this.context.cloud.addEndpointZone({
        endpointId,
        zoneId: zone.zoneId,
        vSwitchId: zone.vSwitchId,
        clientToken: oneOffToken(),
      }),
    );
  }

  /** Removes the interface in one zone. */
  async removeZone(endpointId: string, zoneId: string): Promise<void> {
    await this.active(endpointId);
    await tolerating(ENDPOINT_TOLERATED.removeZone, () =>
      this.context.cloud.removeEndpointZone(endpointId, zoneId, oneOffToken()),
    );
  }

  /**
   * Has the provider (the service's account) accept the endpoint's connection, unless it is
   * Connected already or on its way. The connection is looked up again rather than trusted from
   * the plan: it may have moved since. A connection that can neither be accepted nor waited for
   * (Rejected, ServiceDeleted, ...) is an error.
   */
  async accept(endpointId: string, serviceId: string): Promise<ConnectionStart> {
    const endpoint = await this.active(endpointId);
    const status = endpoint.connectionStatus ?? 'unknown';
    if (status === ENDPOINT_STATES.connected) return { state: 'connected', endpoint };
    if (ENDPOINT_STATES.acceptable.has(status))
      await this.context.cloud.enableConnection(serviceId, endpointId, oneOffToken());
    else if (!ENDPOINT_STATES.moving.has(status))
      throw new ProvisioningInputError(
        `the connection of endpoint ${endpointId} to ${serviceId} is ${status}; delete the endpoint (disconnect) and connect again`,
      );
    return { state: 'moving', endpoint };
  }

  /** Waits until the endpoint's connection is Connected; its disappearance is an error. */
  async connected(endpointId: string): Promise<Endpoint> {
    const connected = await pollShared(
      this.context,
      this.poll,
      endpointId,
      (found) => found === undefined || found.connectionStatus === ENDPOINT_STATES.connected,
      `the connection of endpoint ${endpointId} to be Connected`,
      (found) => `connection ${found?.connectionStatus ?? 'gone'}`,
    );
    if (!connected)
      throw new ResourceGoneError(
        `endpoint ${endpointId} disappeared while its connection was being accepted; the next run recreates it`,
      );
    return connected;
  }

  /**
   * Starts deleting the endpoint: `gone` when it already was, `deleting` otherwise. Only an Active
   * endpoint can be deleted; one being created or changed is waited for first.
   */
  async delete(endpointId: string): Promise<'gone' | 'deleting'> {
    const endpoint = await this.observe(endpointId);
    if (!endpoint) return 'gone';
    if (endpoint.endpointStatus === ENDPOINT_STATES.going) return 'deleting';
    await this.active(endpointId);
    await tolerating(ENDPOINT_TOLERATED.delete, () => this.context.cloud.deleteEndpoint(endpointId, oneOffToken()));
    return 'deleting';
  }

  /** Waits until the endpoint is gone. */
  async gone(endpointId: string): Promise<void> {
    await pollShared(
      this.context,
      this.poll,
      endpointId,
      (found) => found === undefined,
      `endpoint ${endpointId} to be deleted`,
      (found) => `status ${found ? found.endpointStatus : 'gone'}`,
    );
  }

  // A create's answer names an endpoint that may be gone already (a replayed token).
  private async exists(endpointId: string): Promise<boolean> {
    if (this.context.wait) return (await this.settled(endpointId)) !== undefined;
    const found = await this.observe(endpointId);
    return found !== undefined && found.endpointStatus !== ENDPOINT_STATES.going;
  }
}
