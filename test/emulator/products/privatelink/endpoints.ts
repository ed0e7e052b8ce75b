// Endpoints (the consumer side) and their zones.
import { isoSeconds, type Endpoint, type EndpointService, type EndpointZone } from '../../cloud';
import { ApiError, missingParam } from '../../errors';
import { pageByToken } from '../../pagination';
import type { RpcAction, RpcContext } from '../product';
import { requireRegion } from '../product';
import {
  checkEndpointZone,
  endpointDomain,
  endpointView,
  matchesTags,
  ownedEndpoint,
  requireProductOpen,
  tagsView,
  zoneDomain,
} from './common';
import { scheduleEndpointCreated, scheduleEndpointDeleted, scheduleZoneAdded, scheduleZoneRemoved } from './lifecycle';
import { mayConnect } from './services';

const MAX_SECURITY_GROUPS = 10;
const MAX_ZONES = 10;

/** The service an endpoint names by ServiceId or ServiceName (any account's, if it may connect). */
function targetService(context: RpcContext): EndpointService {
  const { cloud, params } = context;
  const serviceId = params.optionalString('ServiceId');
  const name = params.optionalString('ServiceName');
  if (serviceId === undefined && name === undefined) throw missingParam('ServiceId');
  const service = [...cloud.services.values()].find(
    (candidate) =>
      (serviceId === undefined || candidate.serviceId === serviceId) &&
      (name === undefined || candidate.serviceName === name),
  );
  if (!service || service.serviceStatus === 'Deleting') {
    throw new ApiError('EndpointServiceNotFound', `The endpoint service ${serviceId ?? name} does not exist.`);
  }
  return service;
}

function readSecurityGroups(context: RpcContext, vpcId: string): string[] {
  // Optional in the API reference's parameter list, yet the cloud refuses an endpoint without one.
  const ids = context.params.repeatList('SecurityGroupId', { max: MAX_SECURITY_GROUPS });
  if (ids.length === 0) {
    throw new ApiError(
      'EndpointMustContainSecurityGroup',
      'An endpoint needs at least one security group (SecurityGroupId.1).',
    );
  }
  for (const id of ids) {
    const group = context.cloud.world.securityGroups.find((candidate) => candidate.securityGroupId === id);
    if (!group || group.vpcId !== vpcId)
      throw new ApiError('SecurityGroupNotFound', `The security group ${id} does not exist in VPC ${vpcId}.`);
  }
  return ids;
}

function newZone(
  context: RpcContext,
  endpointId: string,
  service: EndpointService,
  zoneId: string,
  vSwitchId: string,
  eniIp: string,
): EndpointZone {
  return {
    zoneId,
    vSwitchId,
    zoneStatus: 'Creating',
    zoneDomain: zoneDomain(service.regionId, endpointId, zoneId, service.serviceId),
    eniId: context.cloud.ids.eniId(),
    eniIp,
  };
}

const createVpcEndpoint: RpcAction = {
  mutating: true,
  handle(context) {
    const { cloud, params, caller } = context;
    const regionId = requireRegion(context);
    requireProductOpen(context);
    const vpcId = params.requiredString('VpcId');
    if (cloud.vpcOwner(vpcId) !== caller.accountId)
      throw new ApiError('VpcNotFound', `The VPC ${vpcId} does not exist.`);
    const service = targetService(context);
    if (service.serviceStatus !== 'Active') {
      throw new ApiError(
        'IncorrectStatus.VpcEndpointService',
        `The endpoint service ${service.serviceId} is ${service.serviceStatus}; endpoints can connect once it is Active.`,
      );
    }
    if (!mayConnect(service, caller.accountId)) {
      throw new ApiError(
        'EndpointServiceNotAuthorized',
        `Account ${caller.accountId} is not on the allowlist of ${service.serviceId} (AddUserToVpcEndpointService).`,
      );
    }
    params.optionalEnum('EndpointType', ['Interface'] as const);
    const securityGroupIds = readSecurityGroups(context, vpcId);
    const zoneRequests = params.repeatObjects('Zone', { max: MAX_ZONES }).map(({ index, fields }) => {
      const field = `Zone.${index}`;
      const vSwitchId = fields.get('VSwitchId');
      const zoneId = fields.get('ZoneId');
      if (!vSwitchId) throw missingParam(`${field}.VSwitchId`);
      if (!zoneId) throw missingParam(`${field}.ZoneId`);
      const ip = fields.get('ip') || undefined;
      const vSwitch = checkEndpointZone(cloud, field, vpcId, service, zoneId, vSwitchId, ip);
      return { zoneId, vSwitch, ip };
    });
    const zoneIds = zoneRequests.map((zone) => zone.zoneId);
    const duplicate = zoneIds.find((zoneId, index) => zoneIds.indexOf(zoneId) !== index);
    if (duplicate !== undefined) throw new ApiError('EndpointZoneDuplicated', `Zone ${duplicate} is listed twice.`);
    const endpointName = params.optionalString('EndpointName', { maxLength: 128 }) ?? '';
    const endpointDescription = params.optionalString('EndpointDescription', { maxLength: 256 }) ?? '';
    const protectedEnabled = params.optionalBoolean('ProtectedEnabled') ?? false;
    const zoneAffinityEnabled = params.optionalBoolean('ZoneAffinityEnabled') ?? false;
    params.optionalInteger('ZonePrivateIpAddressCount', { min: 1, max: 1 });
    const resourceGroupId = params.optionalString('ResourceGroupId') ?? 'rg-default';
    const tags = params.tags();
    params.endDryRun();

    const endpointId = cloud.ids.endpointId();
    const endpoint: Endpoint = {
      endpointId,
      endpointName,
      endpointDescription,
      endpointDomain: endpointDomain(regionId, endpointId, service.serviceId),
      endpointStatus: 'Creating',
      endpointBusinessStatus: 'Normal',
      endpointType: 'Interface',
      connectionStatus: 'Disconnected',
      bandwidth: service.connectBandwidth,
      serviceId: service.serviceId,
      serviceName: service.serviceName,
      vpcId,
      securityGroupIds,
      zones: zoneRequests.map(({ zoneId, vSwitch, ip }) =>
        newZone(context, endpointId, service, zoneId, vSwitch.vSwitchId, ip ?? cloud.allocateIp(vSwitch)),
      ),
      protectedEnabled,
      zoneAffinityEnabled,
      resourceGroupId,
      regionId,
      ownerAccountId: caller.accountId,
      createTime: isoSeconds(cloud.now()),
      tags,
    };
    cloud.endpoints.set(endpointId, endpoint);
    scheduleEndpointCreated(cloud, endpoint);
    return {
      EndpointId: endpoint.endpointId,
      EndpointName: endpoint.endpointName,
      EndpointDescription: endpoint.endpointDescription,
      EndpointDomain: endpoint.endpointDomain,
      EndpointStatus: endpoint.endpointStatus,
      EndpointBusinessStatus: endpoint.endpointBusinessStatus,
      ConnectionStatus: endpoint.connectionStatus,
      Bandwidth: endpoint.bandwidth,
      ServiceId: endpoint.serviceId,
      ServiceName: endpoint.serviceName,
      VpcId: endpoint.vpcId,
      ZoneAffinityEnabled: endpoint.zoneAffinityEnabled,
      AddressIpVersion: 'IPv4',
      CreateTime: endpoint.createTime,
    };
  },
};

const getVpcEndpointAttribute: RpcAction = {
  mutating: false,
  handle(context) {
    requireRegion(context);
    const endpoint = ownedEndpoint(context.cloud, context.caller, context.params.requiredString('EndpointId'));
    return {
      ...endpointView(context.cloud, endpoint),
      Payer: context.cloud.services.get(endpoint.serviceId)?.payer ?? 'Endpoint',
      ZonePrivateIpAddressCount: 1,
    };
  },
};

const listVpcEndpoints: RpcAction = {
  mutating: false,
  handle(context) {
    const { cloud, params, caller } = context;
    requireRegion(context);
    const endpointId = params.optionalString('EndpointId');
    const endpointName = params.optionalString('EndpointName');
    const endpointStatus = params.optionalString('EndpointStatus');
    const connectionStatus = params.optionalString('ConnectionStatus');
    const serviceName = params.optionalString('ServiceName');
    const vpcId = params.optionalString('VpcId');
    const endpointType = params.optionalString('EndpointType');
    const resourceGroupId = params.optionalString('ResourceGroupId');
    const tags = params.tags();
    const matching = [...cloud.endpoints.values()].filter(
      (endpoint) =>
        endpoint.ownerAccountId === caller.accountId &&
        (endpointId === undefined || endpoint.endpointId === endpointId) &&
        (endpointName === undefined || endpoint.endpointName === endpointName) &&
        (endpointStatus === undefined || endpoint.endpointStatus === endpointStatus) &&
        (connectionStatus === undefined || endpoint.connectionStatus === connectionStatus) &&
        (serviceName === undefined || endpoint.serviceName === serviceName) &&
        (vpcId === undefined || endpoint.vpcId === vpcId) &&
        (endpointType === undefined || endpoint.endpointType === endpointType) &&
        (resourceGroupId === undefined || endpoint.resourceGroupId === resourceGroupId) &&
        matchesTags(endpoint.tags, tags),
    );
    const page = pageByToken(matching, params);
    return {
      Endpoints: page.items.map((endpoint) => ({ ...endpointView(cloud, endpoint), Tags: tagsView(endpoint.tags) })),
      NextToken: page.nextToken,
      MaxResults: page.maxResults,
      TotalCount: page.totalCount,
    };
  },
};

/** Zone changes need the endpoint Active; Pending means another zone change is under way. */
function requireUnlockedEndpoint(endpoint: Endpoint): void {
  if (endpoint.endpointStatus === 'Active') return;
  throw new ApiError(
    'EndpointLocked',
    `The endpoint ${endpoint.endpointId} is ${endpoint.endpointStatus}; retry once it is Active.`,
  );
}

const deleteVpcEndpoint: RpcAction = {
  mutating: true,
  handle(context) {
    const { cloud, params, caller } = context;
    requireRegion(context);
    const endpoint = ownedEndpoint(cloud, caller, params.requiredString('EndpointId'));
    if (endpoint.protectedEnabled) {
      throw new ApiError(
        'OperationDenied.EndpointProtected',
        `The endpoint ${endpoint.endpointId} is protected and cannot be deleted.`,
      );
    }
    if (endpoint.endpointStatus !== 'Active') {
      throw new ApiError(
        'EndpointOperationDenied',
        `The endpoint ${endpoint.endpointId} is ${endpoint.endpointStatus}; it can be deleted once it is Active.`,
      );
    }
    params.endDryRun();
    scheduleEndpointDeleted(cloud, endpoint);
    return {};
  },
};

const addZoneToVpcEndpoint: RpcAction = {
  mutating: true,
  handle(context) {
    const { cloud, params, caller } = context;
    requireRegion(context);
    const endpoint = ownedEndpoint(cloud, caller, params.requiredString('EndpointId'));
    const zoneId = params.requiredString('ZoneId');
    const vSwitchId = params.requiredString('VSwitchId');
    const ip = params.optionalString('ip');
    requireUnlockedEndpoint(endpoint);
    if (endpoint.zones.some((zone) => zone.zoneId === zoneId)) {
      throw new ApiError(
        'EndpointZoneDuplicated',
        `The endpoint ${endpoint.endpointId} already has an interface in ${zoneId}.`,
      );
    }
    const service = cloud.services.get(endpoint.serviceId);
    if (!service)
      throw new ApiError('EndpointServiceNotFound', `The endpoint service ${endpoint.serviceId} no longer exists.`);
    const vSwitch = checkEndpointZone(cloud, '', endpoint.vpcId, service, zoneId, vSwitchId, ip);
    params.endDryRun();
    const zone = newZone(context, endpoint.endpointId, service, zoneId, vSwitchId, ip ?? cloud.allocateIp(vSwitch));
    endpoint.zones.push(zone);
    scheduleZoneAdded(cloud, endpoint, zone);
    return {};
  },
};

const removeZoneFromVpcEndpoint: RpcAction = {
  mutating: true,
  handle(context) {
    const { cloud, params, caller } = context;
    requireRegion(context);
    const endpoint = ownedEndpoint(cloud, caller, params.requiredString('EndpointId'));
    const zoneId = params.requiredString('ZoneId');
    const zone = endpoint.zones.find((candidate) => candidate.zoneId === zoneId && candidate.zoneStatus !== 'Deleting');
    if (!zone)
      throw new ApiError('EndpointZoneNotFound', `The endpoint ${endpoint.endpointId} has no interface in ${zoneId}.`);
    requireUnlockedEndpoint(endpoint);
    params.endDryRun();
    scheduleZoneRemoved(cloud, endpoint, zone);
    return {};
  },
};

const listVpcEndpointZones: RpcAction = {
  mutating: false,
  handle(context) {
    requireRegion(context);
    const endpoint = ownedEndpoint(context.cloud, context.caller, context.params.requiredString('EndpointId'));
    const page = pageByToken(endpoint.zones, context.params);
    return {
      Zones: page.items.map((zone) => ({
        ZoneId: zone.zoneId,
        ZoneStatus: zone.zoneStatus,
        ZoneDomain: zone.zoneDomain,
        VSwitchId: zone.vSwitchId,
        EniId: zone.eniId,
        EniIp: zone.eniIp,
        RegionId: endpoint.regionId,
      })),
      NextToken: page.nextToken,
      MaxResults: page.maxResults,
      TotalCount: page.totalCount,
    };
  },
};

export const endpointActions: Record<string, RpcAction> = {
  CreateVpcEndpoint: createVpcEndpoint,
  GetVpcEndpointAttribute: getVpcEndpointAttribute,
  ListVpcEndpoints: listVpcEndpoints,
  DeleteVpcEndpoint: deleteVpcEndpoint,
  AddZoneToVpcEndpoint: addZoneToVpcEndpoint,
  RemoveZoneFromVpcEndpoint: removeZoneFromVpcEndpoint,
  ListVpcEndpointZones: listVpcEndpointZones,
};
