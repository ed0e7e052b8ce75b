// Endpoint services (the provider side): create, read, list, update, delete, their load balancer
// resources and the allowlist of accounts that may connect.
import {
  isoSeconds,
  type Cloud,
  type EndpointService,
  type ServiceResource,
  type ServiceResourceType,
} from '../../cloud';
import { ApiError, missingParam } from '../../errors';
import { pageByToken } from '../../pagination';
import type { Caller, RpcAction, RpcContext } from '../product';
import { requireRegion } from '../product';
import { scheduleServiceCreated, scheduleServiceDeleted, scheduleServiceUpdated } from './lifecycle';
import {
  endpointsOf,
  matchesTags,
  ownedService,
  requireProductOpen,
  RESOURCE_TYPES,
  serviceDomain,
  serviceName,
  serviceView,
  serviceZones,
  tagsView,
} from './common';

const MAX_RESOURCES = 10;

/** The load balancer id prefix says which resource type it is. */
function resourceTypeOf(loadBalancerId: string): ServiceResourceType | undefined {
  if (loadBalancerId.startsWith('lb-')) return 'slb';
  if (loadBalancerId.startsWith('nlb-')) return 'nlb';
  if (loadBalancerId.startsWith('alb-')) return 'alb';
  return undefined;
}

/**
 * A load balancer placed behind a service in one zone: it must be the caller's, of the service's
 * type, internal and PrivateLink-capable, and serve the zone, which PrivateLink must support.
 */
function checkServiceResource(
  cloud: Cloud,
  caller: Caller,
  field: string,
  serviceType: ServiceResourceType,
  resourceId: string,
  resourceType: string,
  zoneId: string,
): ServiceResource {
  if (resourceType !== serviceType) {
    throw new ApiError(
      'Mismatch.ResourceType',
      `${field}: resource type ${resourceType} does not match the service resource type ${serviceType}.`,
    );
  }
  const lb = cloud.loadBalancer(resourceId);
  if (!lb || cloud.vpcOwner(lb.vpcId) !== caller.accountId) {
    throw new ApiError('LoadBalancerNotFound', `${field}: the load balancer ${resourceId} does not exist.`);
  }
  if (resourceTypeOf(resourceId) !== resourceType) {
    throw new ApiError('Mismatch.ResourceType', `${field}: ${resourceId} is not a ${resourceType} instance.`);
  }
  if (lb.addressType !== 'intranet' || lb.privateLinkSupported === false) {
    throw new ApiError(
      'LoadBalancerNotSupportPrivateLink',
      `${field}: the load balancer ${resourceId} cannot back an endpoint service (it must be an internal, PrivateLink-capable instance).`,
    );
  }
  if (!lb.zoneIds.includes(zoneId)) {
    throw new ApiError(
      'EndpointServiceNotSupportedZone',
      `${field}: the load balancer ${resourceId} serves zones ${lb.zoneIds.join(', ')}, not ${zoneId}.`,
    );
  }
  if (!cloud.privateLinkZones(serviceType).includes(zoneId)) {
    throw new ApiError(
      'EndpointServiceNotSupportedZone',
      `${field}: PrivateLink does not support ${serviceType} services in zone ${zoneId}; see DescribeZones.`,
    );
  }
  return { resourceId, resourceType: serviceType, zoneId, vpcId: lb.vpcId, vSwitchId: lb.vSwitchId, ip: lb.address };
}

/**
 * `ZoneId` of a service resource: optional in the API reference, "required when the service
 * resource is an ALB, NLB or GWLB instance". A CLB given without one is placed in its master zone
 * (assumed: the reference does not say which zone is taken).
 */
function resourceZone(cloud: Cloud, field: string, resourceType: string, resourceId: string, zoneId?: string): string {
  if (zoneId) return zoneId;
  if (resourceType !== 'slb') throw missingParam(`${field}ZoneId`);
  return cloud.loadBalancer(resourceId)?.zoneIds[0] ?? '';
}

/** The service must be Active to change; Pending means another change is still being applied. */
function requireActiveService(service: EndpointService): void {
  if (service.serviceStatus === 'Active') return;
  if (service.serviceStatus === 'Pending')
    throw new ApiError(
      'EndpointServiceLocked',
      `The endpoint service ${service.serviceId} is being modified; retry shortly.`,
    );
  throw new ApiError(
    'EndpointServiceOperationDenied',
    `The endpoint service ${service.serviceId} is ${service.serviceStatus}; the operation needs it Active.`,
  );
}

const createVpcEndpointService: RpcAction = {
  mutating: true,
  handle(context) {
    const { cloud, params, caller } = context;
    const regionId = requireRegion(context);
    requireProductOpen(context);
    const serviceResourceType = params.optionalEnum('ServiceResourceType', RESOURCE_TYPES) ?? 'slb';
    const autoAcceptEnabled = params.optionalBoolean('AutoAcceptEnabled') ?? false;
    const zoneAffinityEnabled = params.optionalBoolean('ZoneAffinityEnabled') ?? false;
    const serviceSupportIPv6 = params.optionalBoolean('ServiceSupportIPv6') ?? false;
    const payer = params.optionalEnum('Payer', ['Endpoint', 'EndpointService'] as const) ?? 'Endpoint';
    const serviceDescription = params.optionalString('ServiceDescription', { maxLength: 256 }) ?? '';
    const resourceGroupId = params.optionalString('ResourceGroupId') ?? 'rg-default';
    const resources: ServiceResource[] = [];
    for (const { index, fields } of params.repeatObjects('Resource', { max: MAX_RESOURCES })) {
      const field = `Resource.${index}`;
      const resourceId = fields.get('ResourceId');
      const resourceType = fields.get('ResourceType');
      if (!resourceId) throw missingParam(`${field}.ResourceId`);
      if (!resourceType) throw missingParam(`${field}.ResourceType`);
      const zoneId = resourceZone(cloud, `${field}.`, resourceType, resourceId, fields.get('ZoneId'));
      const resource = checkServiceResource(
        cloud,
        caller,
        field,
        serviceResourceType,
        resourceId,
        resourceType,
        zoneId,
      );
      if (resources.some((other) => other.resourceId === resourceId && other.zoneId === zoneId)) {
        throw new ApiError('EndpointServiceResourceExist', `${field}: ${resourceId} in ${zoneId} is listed twice.`);
      }
      resources.push(resource);
    }
    const tags = params.tags();
    params.endDryRun();

    const serviceId = cloud.ids.endpointServiceId();
    const service: EndpointService = {
      serviceId,
      serviceName: serviceName(regionId, serviceId),
      serviceDomain: serviceDomain(regionId, serviceId),
      serviceDescription,
      serviceStatus: 'Creating',
      serviceBusinessStatus: 'Normal',
      serviceResourceType,
      autoAcceptEnabled,
      zoneAffinityEnabled,
      serviceSupportIPv6,
      payer,
      connectBandwidth: 3072,
      resourceGroupId,
      regionId,
      ownerAccountId: caller.accountId,
      createTime: isoSeconds(cloud.now()),
      resources,
      allowedUserIds: [],
      allowedUserArns: [],
      tags,
    };
    cloud.services.set(serviceId, service);
    scheduleServiceCreated(cloud, service);
    return {
      ServiceId: service.serviceId,
      ServiceName: service.serviceName,
      ServiceDomain: service.serviceDomain,
      ServiceDescription: service.serviceDescription,
      ServiceStatus: service.serviceStatus,
      ServiceBusinessStatus: service.serviceBusinessStatus,
      AutoAcceptEnabled: service.autoAcceptEnabled,
      ZoneAffinityEnabled: service.zoneAffinityEnabled,
      ServiceSupportIPv6: service.serviceSupportIPv6,
      AddressIpVersion: 'IPv4',
      ResourceGroupId: service.resourceGroupId,
      CreateTime: service.createTime,
    };
  },
};

const getVpcEndpointServiceAttribute: RpcAction = {
  mutating: false,
  handle(context) {
    requireRegion(context);
    const service = ownedService(context.cloud, context.caller, context.params.requiredString('ServiceId'));
    return { ...serviceView(service), Zones: serviceZones(service) };
  },
};

const listVpcEndpointServices: RpcAction = {
  mutating: false,
  handle(context) {
    const { cloud, params, caller } = context;
    requireRegion(context);
    const serviceId = params.optionalString('ServiceId');
    const name = params.optionalString('ServiceName');
    const resourceId = params.optionalString('ResourceId');
    const status = params.optionalString('ServiceStatus');
    const businessStatus = params.optionalString('ServiceBusinessStatus');
    const resourceType = params.optionalEnum('ServiceResourceType', RESOURCE_TYPES);
    const autoAccept = params.optionalBoolean('AutoAcceptEnabled');
    const zoneAffinity = params.optionalBoolean('ZoneAffinityEnabled');
    const resourceGroupId = params.optionalString('ResourceGroupId');
    const tags = params.tags();
    const matching = [...cloud.services.values()].filter(
      (service) =>
        service.ownerAccountId === caller.accountId &&
        (serviceId === undefined || service.serviceId === serviceId) &&
        (name === undefined || service.serviceName === name) &&
        (resourceId === undefined || service.resources.some((resource) => resource.resourceId === resourceId)) &&
        (status === undefined || service.serviceStatus === status) &&
        (businessStatus === undefined || service.serviceBusinessStatus === businessStatus) &&
        (resourceType === undefined || service.serviceResourceType === resourceType) &&
        (autoAccept === undefined || service.autoAcceptEnabled === autoAccept) &&
        (zoneAffinity === undefined || service.zoneAffinityEnabled === zoneAffinity) &&
        (resourceGroupId === undefined || service.resourceGroupId === resourceGroupId) &&
        matchesTags(service.tags, tags),
    );
    const page = pageByToken(matching, params);
    return {
      Services: page.items.map((service) => ({ ...serviceView(service), Tags: tagsView(service.tags) })),
      NextToken: page.nextToken,
      MaxResults: page.maxResults,
      TotalCount: page.totalCount,
    };
  },
};

const updateVpcEndpointServiceAttribute: RpcAction = {
  mutating: true,
  handle(context) {
    const { cloud, params, caller } = context;
    requireRegion(context);
    const service = ownedService(cloud, caller, params.requiredString('ServiceId'));
    const autoAcceptEnabled = params.optionalBoolean('AutoAcceptEnabled');
    const connectBandwidth = params.optionalInteger('ConnectBandwidth', { min: 100, max: 10240 });
    const serviceDescription = params.optionalString('ServiceDescription', { maxLength: 256 });
    const zoneAffinityEnabled = params.optionalBoolean('ZoneAffinityEnabled');
    const serviceSupportIPv6 = params.optionalBoolean('ServiceSupportIPv6');
    requireActiveService(service);
    params.endDryRun();
    if (autoAcceptEnabled !== undefined) service.autoAcceptEnabled = autoAcceptEnabled;
    if (connectBandwidth !== undefined) service.connectBandwidth = connectBandwidth;
    if (serviceDescription !== undefined) service.serviceDescription = serviceDescription;
    if (zoneAffinityEnabled !== undefined) service.zoneAffinityEnabled = zoneAffinityEnabled;
    if (serviceSupportIPv6 !== undefined) service.serviceSupportIPv6 = serviceSupportIPv6;
    scheduleServiceUpdated(cloud, service);
    return {};
  },
};

const deleteVpcEndpointService: RpcAction = {
  mutating: true,
  handle(context) {
    const { cloud, params, caller } = context;
    requireRegion(context);
    const service = ownedService(cloud, caller, params.requiredString('ServiceId'));
    requireActiveService(service);
    const endpoints = endpointsOf(cloud, service);
    const connected = endpoints.filter((endpoint) =>
      ['Connecting', 'Connected', 'Disconnecting'].includes(endpoint.connectionStatus),
    );
    if (connected.length > 0) {
      throw new ApiError(
        'EndpointServiceConnectionDependence',
        `The endpoint service ${service.serviceId} still has connections from ${connected.map((endpoint) => endpoint.endpointId).join(', ')}; disable them first.`,
      );
    }
    if (endpoints.length > 0) {
      throw new ApiError(
        'DeleteFailedDueToEndpointExist',
        `The endpoint service ${service.serviceId} still has endpoints ${endpoints.map((endpoint) => endpoint.endpointId).join(', ')}.`,
      );
    }
    if (service.resources.length > 0) {
      throw new ApiError(
        'EndpointServiceDependenceViolation',
        `The endpoint service ${service.serviceId} still has service resources ${service.resources.map((resource) => resource.resourceId).join(', ')}; detach them first (DetachResourceFromVpcEndpointService).`,
      );
    }
    params.endDryRun();
    scheduleServiceDeleted(cloud, service);
    return {};
  },
};

/**
 * ServiceId, ResourceId, ResourceType and ZoneId of Attach/Detach. ResourceType is required to
 * attach and optional to detach (API reference; absent, the type of the id); ZoneId is optional,
 * required for ALB and NLB (see resourceZone).
 */
function readResourceParams(
  context: RpcContext,
  typeRequired: boolean,
): {
  service: EndpointService;
  resourceId: string;
  resourceType: string;
  zoneId?: string;
} {
  const { cloud, params, caller } = context;
  requireRegion(context);
  const service = ownedService(cloud, caller, params.requiredString('ServiceId'));
  const resourceId = params.requiredString('ResourceId');
  const resourceType = typeRequired
    ? params.requiredString('ResourceType')
    : (params.optionalString('ResourceType') ?? resourceTypeOf(resourceId) ?? service.serviceResourceType);
  const zoneId = params.optionalString('ZoneId');
  if (zoneId === undefined && resourceType !== 'slb') throw missingParam('ZoneId');
  return { service, resourceId, resourceType, zoneId };
}

const attachResourceToVpcEndpointService: RpcAction = {
  mutating: true,
  handle(context) {
    const given = readResourceParams(context, true);
    const { service, resourceId, resourceType } = given;
    const zoneId = resourceZone(context.cloud, '', resourceType, resourceId, given.zoneId);
    requireActiveService(service);
    const resource = checkServiceResource(
      context.cloud,
      context.caller,
      'ResourceId',
      service.serviceResourceType,
      resourceId,
      resourceType,
      zoneId,
    );
    if (service.resources.some((other) => other.resourceId === resourceId && other.zoneId === zoneId)) {
      throw new ApiError(
        'EndpointServiceResourceExist',
        `${resourceId} in ${zoneId} is already attached to ${service.serviceId}.`,
      );
    }
    context.params.endDryRun();
    service.resources.push(resource);
    return {};
  },
};

const detachResourceFromVpcEndpointService: RpcAction = {
  mutating: true,
  handle(context) {
    const { cloud } = context;
    const given = readResourceParams(context, false);
    const { service, resourceId, resourceType } = given;
    // Without ZoneId (a CLB), the resource's one attachment is meant; in several zones it is ambiguous (assumed).
    const matching = service.resources.filter(
      (candidate) =>
        candidate.resourceId === resourceId &&
        candidate.resourceType === resourceType &&
        (given.zoneId === undefined || candidate.zoneId === given.zoneId),
    );
    if (given.zoneId === undefined && matching.length > 1) throw missingParam('ZoneId');
    const resource = matching[0];
    const zoneId = resource?.zoneId ?? given.zoneId ?? '(any zone)';
    if (!resource)
      throw new ApiError(
        'EndpointServiceResourceNotFound',
        `${resourceId} in ${zoneId} is not attached to ${service.serviceId}.`,
      );
    requireActiveService(service);
    // The last resource of a zone carries the traffic of every connected endpoint zone there.
    const lastInZone = !service.resources.some((other) => other !== resource && other.zoneId === zoneId);
    const dependent = endpointsOf(cloud, service).filter(
      (endpoint) =>
        ['Connecting', 'Connected'].includes(endpoint.connectionStatus) &&
        endpoint.zones.some((zone) => zone.zoneId === zoneId && zone.zoneStatus !== 'Deleting'),
    );
    if (lastInZone && dependent.length > 0) {
      throw new ApiError(
        'EndpointServiceConnectionDependence',
        `Endpoints ${dependent.map((endpoint) => endpoint.endpointId).join(', ')} are connected in ${zoneId} through ${resourceId}.`,
      );
    }
    context.params.endDryRun();
    service.resources = service.resources.filter((candidate) => candidate !== resource);
    return {};
  },
};

const listVpcEndpointServiceResources: RpcAction = {
  mutating: false,
  handle(context) {
    const { cloud, params, caller } = context;
    requireRegion(context);
    const service = ownedService(cloud, caller, params.requiredString('ServiceId'));
    const page = pageByToken(service.resources, params);
    const endpoints = endpointsOf(cloud, service);
    return {
      Resources: page.items.map((resource) => ({
        ResourceId: resource.resourceId,
        ResourceType: resource.resourceType,
        VpcId: resource.vpcId,
        VSwitchId: resource.vSwitchId,
        ZoneId: resource.zoneId,
        Ip: resource.ip,
        RegionId: service.regionId,
        RelatedEndpointCount: endpoints.filter((endpoint) =>
          endpoint.zones.some((zone) => zone.zoneId === resource.zoneId),
        ).length,
        RelatedDeprecatedEndpointCount: 0,
        AutoAllocatedEnabled: false,
        ResourceSupportIPv6: false,
      })),
      // No TotalCount: the SDK's ListVpcEndpointServiceResourcesResponseBody has none.
      NextToken: page.nextToken,
      MaxResults: page.maxResults,
    };
  },
};

const USER_ID = /^\d{1,20}$/;
const USER_ARN = /^acs:ram:\*:(\d{1,20}):\*$/;

function readUser(context: RpcContext): { userId?: string; userArn?: string } {
  const userId = context.params.optionalString('UserId', { pattern: USER_ID, hint: 'an account id (digits)' });
  const userArn = context.params.optionalString('UserARN', { pattern: USER_ARN, hint: 'acs:ram:*:<account id>:*' });
  if (userId === undefined && userArn === undefined) throw missingParam('UserId');
  return { userId, userArn };
}

const addUserToVpcEndpointService: RpcAction = {
  mutating: true,
  handle(context) {
    requireRegion(context);
    const service = ownedService(context.cloud, context.caller, context.params.requiredString('ServiceId'));
    const { userId, userArn } = readUser(context);
    context.params.endDryRun();
    if (userId !== undefined && !service.allowedUserIds.includes(userId)) service.allowedUserIds.push(userId);
    if (userArn !== undefined && !service.allowedUserArns.includes(userArn)) service.allowedUserArns.push(userArn);
    return {};
  },
};

const removeUserFromVpcEndpointService: RpcAction = {
  mutating: true,
  handle(context) {
    requireRegion(context);
    const service = ownedService(context.cloud, context.caller, context.params.requiredString('ServiceId'));
    const { userId, userArn } = readUser(context);
    context.params.endDryRun();
    service.allowedUserIds = service.allowedUserIds.filter((id) => id !== userId);
    service.allowedUserArns = service.allowedUserArns.filter((arn) => arn !== userArn);
    return {};
  },
};

const listVpcEndpointServiceUsers: RpcAction = {
  mutating: false,
  handle(context) {
    const { params } = context;
    requireRegion(context);
    const service = ownedService(context.cloud, context.caller, params.requiredString('ServiceId'));
    const userId = params.optionalString('UserId', { pattern: USER_ID, hint: 'an account id (digits)' });
    const listType = params.optionalEnum('UserListType', ['Users', 'UserARNs'] as const) ?? 'Users';
    if (listType === 'UserARNs') {
      const arns = service.allowedUserArns.filter((arn) => userId === undefined || USER_ARN.exec(arn)?.[1] === userId);
      const page = pageByToken(arns, params);
      return {
        UserARNs: page.items.map((arn) => ({ UserARN: arn })),
        NextToken: page.nextToken,
        MaxResults: page.maxResults,
        TotalCount: String(page.totalCount),
      };
    }
    const ids = service.allowedUserIds.filter((id) => userId === undefined || id === userId);
    const page = pageByToken(ids, params);
    return {
      Users: page.items.map((id) => ({ UserId: Number(id) })),
      NextToken: page.nextToken,
      MaxResults: page.maxResults,
      TotalCount: String(page.totalCount),
    };
  },
};

/** Whether an account may connect endpoints to a service: its owner, or one on the allowlist. */
export function mayConnect(service: EndpointService, accountId: string): boolean {
  if (service.ownerAccountId === accountId) return true;
  return (
    service.allowedUserIds.includes(accountId) ||
    service.allowedUserArns.some((arn) => USER_ARN.exec(arn)?.[1] === accountId)
  );
}

/**
 * The services an account can connect endpoints to: its own and those whose allowlist names it,
 * with the consumer's view of each (no status, no resources, no allowlist).
 */
const listVpcEndpointServicesByEndUser: RpcAction = {
  mutating: false,
  handle(context) {
    const { cloud, params, caller } = context;
    requireRegion(context);
    const serviceId = params.optionalString('ServiceId');
    const name = params.optionalString('ServiceName');
    // Every service here is an Interface one, so the filter only checks its value.
    params.optionalEnum('ServiceType', ['Interface'] as const);
    const resourceGroupId = params.optionalString('ResourceGroupId');
    const tags = params.tags();
    const matching = [...cloud.services.values()].filter(
      (service) =>
        service.serviceStatus === 'Active' &&
        mayConnect(service, caller.accountId) &&
        (serviceId === undefined || service.serviceId === serviceId) &&
        (name === undefined || service.serviceName === name) &&
        (resourceGroupId === undefined || service.resourceGroupId === resourceGroupId) &&
        matchesTags(service.tags, tags),
    );
    const page = pageByToken(matching, params);
    return {
      Services: page.items.map((service) => ({
        ServiceId: service.serviceId,
        ServiceName: service.serviceName,
        ServiceDomain: service.serviceDomain,
        ServiceType: 'Interface',
        ServiceResourceType: service.serviceResourceType,
        ServiceSupportIPv6: service.serviceSupportIPv6,
        AutoAcceptEnabled: service.autoAcceptEnabled,
        ZoneAffinityEnabled: service.zoneAffinityEnabled,
        AddressIpVersion: 'IPv4',
        Payer: service.payer,
        ResourceGroupId: service.resourceGroupId,
        Zones: serviceZones(service),
        Tags: tagsView(service.tags),
      })),
      NextToken: page.nextToken,
      MaxResults: page.maxResults,
      // A string, as in the SDK's ListVpcEndpointServicesByEndUserResponseBody.
      TotalCount: String(page.totalCount),
    };
  },
};

export const serviceActions: Record<string, RpcAction> = {
  CreateVpcEndpointService: createVpcEndpointService,
  GetVpcEndpointServiceAttribute: getVpcEndpointServiceAttribute,
  ListVpcEndpointServices: listVpcEndpointServices,
  ListVpcEndpointServicesByEndUser: listVpcEndpointServicesByEndUser,
  UpdateVpcEndpointServiceAttribute: updateVpcEndpointServiceAttribute,
  DeleteVpcEndpointService: deleteVpcEndpointService,
  AttachResourceToVpcEndpointService: attachResourceToVpcEndpointService,
  DetachResourceFromVpcEndpointService: detachResourceFromVpcEndpointService,
  ListVpcEndpointServiceResources: listVpcEndpointServiceResources,
  AddUserToVpcEndpointService: addUserToVpcEndpointService,
  RemoveUserFromVpcEndpointService: removeUserFromVpcEndpointService,
  ListVpcEndpointServiceUsers: listVpcEndpointServiceUsers,
};
