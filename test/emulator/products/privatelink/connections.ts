// Connections: the provider's view of the endpoints that reach its service, and its consent.
import type { Endpoint, EndpointService } from '../../cloud';
import { ApiError } from '../../errors';
import { pageByToken } from '../../pagination';
import type { RpcAction, RpcContext } from '../product';
import { requireRegion } from '../product';
import { endpointsOf, ownedService } from './common';
import { startConnecting, startDisconnecting } from './lifecycle';

function connectionOf(context: RpcContext): { service: EndpointService; endpoint: Endpoint } {
  const { cloud, params, caller } = context;
  requireRegion(context);
  const service = ownedService(cloud, caller, params.requiredString('ServiceId'));
  const endpointId = params.requiredString('EndpointId');
  const endpoint = cloud.endpoints.get(endpointId);
  if (!endpoint || endpoint.serviceId !== service.serviceId) {
    throw new ApiError('EndpointConnectionNotFound', `No endpoint ${endpointId} connects to ${service.serviceId}.`);
  }
  return { service, endpoint };
}

// ServiceId is optional in the API reference; without it the connections of every service the
// caller owns are listed (assumed: the reference does not say).
const listVpcEndpointConnections: RpcAction = {
  mutating: false,
  handle(context) {
    const { cloud, params, caller } = context;
    requireRegion(context);
    const serviceId = params.optionalString('ServiceId');
    const services = serviceId
      ? [ownedService(cloud, caller, serviceId)]
      : [...cloud.services.values()].filter((service) => service.ownerAccountId === caller.accountId);
    const endpointId = params.optionalString('EndpointId');
    const connectionStatus = params.optionalString('ConnectionStatus');
    const endpointOwnerId = params.optionalString('EndpointOwnerId');
    const eniId = params.optionalString('EniId');
    const resourceId = params.optionalString('ResourceId');
    const connections = services.flatMap((service) => {
      const resourceIn = (zoneId: string) =>
        service.resources.find((resource) => resource.zoneId === zoneId)?.resourceId ?? '';
      return endpointsOf(cloud, service)
        .filter(
          (endpoint) =>
            (endpointId === undefined || endpoint.endpointId === endpointId) &&
            (connectionStatus === undefined || endpoint.connectionStatus === connectionStatus) &&
            (endpointOwnerId === undefined || endpoint.ownerAccountId === endpointOwnerId) &&
            (eniId === undefined || endpoint.zones.some((zone) => zone.eniId === eniId)) &&
            (resourceId === undefined || endpoint.zones.some((zone) => resourceIn(zone.zoneId) === resourceId)),
        )
        .map((endpoint) => ({ service, endpoint, resourceIn }));
    });
    const page = pageByToken(connections, params);
    return {
      Connections: page.items.map(({ service, endpoint, resourceIn }) => ({
        EndpointId: endpoint.endpointId,
        EndpointOwnerId: Number(endpoint.ownerAccountId),
        EndpointVpcId: endpoint.vpcId,
        EndpointRegionId: endpoint.regionId,
        ServiceId: service.serviceId,
        ServiceRegionId: service.regionId,
        ConnectionStatus: endpoint.connectionStatus,
        Bandwidth: endpoint.bandwidth,
        ResourceOwner: endpoint.ownerAccountId === service.ownerAccountId,
        ResourceGroupId: service.resourceGroupId,
        TrafficControlMode: 'Manual',
        ModifiedTime: endpoint.createTime,
        Zones: endpoint.zones.map((zone) => ({
          ZoneId: zone.zoneId,
          VSwitchId: zone.vSwitchId,
          EniId: zone.eniId,
          ResourceId: resourceIn(zone.zoneId),
          ZoneDomain: zone.zoneDomain,
          ZoneStatus: zone.zoneStatus,
        })),
      })),
      NextToken: page.nextToken,
      MaxResults: page.maxResults,
      // A string here, unlike the other List actions (see the SDK's ListVpcEndpointConnectionsResponseBody).
      TotalCount: String(page.totalCount),
    };
  },
};

const enableVpcEndpointConnection: RpcAction = {
  mutating: true,
  handle(context) {
    const { service, endpoint } = connectionOf(context);
    context.params.optionalInteger('Bandwidth', { min: 100, max: 10240 });
    if (endpoint.endpointStatus !== 'Active' || !['Pending', 'Disconnected'].includes(endpoint.connectionStatus)) {
      throw new ApiError(
        'EndpointConnectionOperationDenied',
        `The connection from ${endpoint.endpointId} is ${endpoint.connectionStatus} (endpoint ${endpoint.endpointStatus}); only a Pending or Disconnected connection of an Active endpoint can be accepted.`,
      );
    }
    if (service.resources.length === 0) {
      throw new ApiError(
        'OperationDenied.NoAvailableServiceResource',
        `The endpoint service ${service.serviceId} has no resource to carry the connection.`,
      );
    }
    context.params.endDryRun();
    const bandwidth = context.params.optionalInteger('Bandwidth', { min: 100, max: 10240 });
    if (bandwidth !== undefined) endpoint.bandwidth = bandwidth;
    startConnecting(context.cloud, endpoint);
    return {};
  },
};

const disableVpcEndpointConnection: RpcAction = {
  mutating: true,
  handle(context) {
    const { endpoint } = connectionOf(context);
    if (endpoint.connectionStatus !== 'Connected') {
      throw new ApiError(
        'EndpointConnectionOperationDenied',
        `The connection from ${endpoint.endpointId} is ${endpoint.connectionStatus}; only a Connected one can be disconnected.`,
      );
    }
    context.params.endDryRun();
    startDisconnecting(context.cloud, endpoint);
    return {};
  },
};

export const connectionActions: Record<string, RpcAction> = {
  ListVpcEndpointConnections: listVpcEndpointConnections,
  EnableVpcEndpointConnection: enableVpcEndpointConnection,
  DisableVpcEndpointConnection: disableVpcEndpointConnection,
};
