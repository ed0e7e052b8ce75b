// Lookups, placement rules and response shapes shared by the PrivateLink actions.
import type { Cloud, Endpoint, EndpointService, ServiceResourceType } from '../../cloud';
import { ApiError, illegalParam } from '../../errors';
import type { Tag } from '../../params';
import type { WorldVSwitch } from '../../world';
import type { Caller, RpcContext } from '../product';

export const RESOURCE_TYPES: readonly ServiceResourceType[] = ['slb', 'alb', 'nlb'];

export function serviceName(regionId: string, serviceId: string): string {
  return `com.aliyuncs.privatelink.${regionId}.${serviceId}`;
}

export function serviceDomain(regionId: string, serviceId: string): string {
  return `${serviceId}.${regionId}.privatelink.aliyuncs.com`;
}

export function endpointDomain(regionId: string, endpointId: string, serviceId: string): string {
  return `${endpointId}.${serviceId}.${regionId}.privatelink.aliyuncs.com`;
}

export function zoneDomain(regionId: string, endpointId: string, zoneId: string, serviceId: string): string {
  return `${endpointId}-${zoneId}.${serviceId}.${regionId}.privatelink.aliyuncs.com`;
}

export function requireProductOpen(context: RpcContext): void {
  if (!context.cloud.privateLinkOpen.has(context.caller.accountId)) {
    throw new ApiError(
      'NeedOpenProduct',
      `PrivateLink is not activated for account ${context.caller.accountId}; call OpenPrivateLinkService first.`,
    );
  }
}

/** An endpoint service the caller owns; Deleting ones still answer, gone ones do not. */
export function ownedService(cloud: Cloud, caller: Caller, serviceId: string): EndpointService {
  const service = cloud.services.get(serviceId);
  if (!service || service.ownerAccountId !== caller.accountId) {
    throw new ApiError('EndpointServiceNotFound', `The endpoint service ${serviceId} does not exist.`);
  }
  return service;
}

/** Every endpoint that connects to `service`, whoever owns it. */
export function endpointsOf(cloud: Cloud, service: EndpointService): Endpoint[] {
  return [...cloud.endpoints.values()].filter((endpoint) => endpoint.serviceId === service.serviceId);
}

export function ownedEndpoint(cloud: Cloud, caller: Caller, endpointId: string): Endpoint {
  const endpoint = cloud.endpoints.get(endpointId);
  if (!endpoint || endpoint.ownerAccountId !== caller.accountId) {
    throw new ApiError('EndpointNotFound', `The endpoint ${endpointId} does not exist.`);
  }
  return endpoint;
}

/** The zones an endpoint service can be reached in: the zones of its resources. */
export function serviceZones(service: EndpointService): string[] {
  return [...new Set(service.resources.map((resource) => resource.zoneId))];
}

/**
 * Where an endpoint may place an interface: a vSwitch of its own VPC in the named zone, in a zone
 * the service's resources cover (PrivateLink places endpoints only in zones both ends share) and
 * where PrivateLink supports the service's resource type.
 */
export function checkEndpointZone(
  cloud: Cloud,
  field: string,
  vpcId: string,
  service: EndpointService,
  zoneId: string,
  vSwitchId: string,
  ip: string | undefined,
): WorldVSwitch {
  const where = field === '' ? '' : ` (${field})`;
  const vSwitch = cloud.vSwitch(vSwitchId);
  if (!vSwitch || vSwitch.vpcId !== vpcId) {
    throw new ApiError('VSwitchNotFound', `The vSwitch ${vSwitchId}${where} does not exist in VPC ${vpcId}.`);
  }
  if (vSwitch.zoneId !== zoneId) {
    throw new ApiError(
      'VSwitchNotFound',
      `The vSwitch ${vSwitchId}${where} is in zone ${vSwitch.zoneId}, not ${zoneId}.`,
    );
  }
  if (!cloud.privateLinkZones(service.serviceResourceType).includes(zoneId)) {
    throw new ApiError(
      'EndpointServiceNotSupportedZone',
      `PrivateLink does not support ${service.serviceResourceType} services in zone ${zoneId}${where}; see DescribeZones.`,
    );
  }
  const covered = serviceZones(service);
  if (!covered.includes(zoneId)) {
    throw new ApiError(
      'EndpointServiceNotSupportedZone',
      `The endpoint service ${service.serviceId} has no resource in zone ${zoneId}${where}; it covers ${covered.length > 0 ? covered.join(', ') : 'no zone'}.`,
    );
  }
  if (ip !== undefined && !ipInCidr(ip, vSwitch.cidrBlock)) {
    throw illegalParam(
      field === '' ? 'ip' : `${field}.ip`,
      `${ip} is not an address of ${vSwitch.vSwitchId} (${vSwitch.cidrBlock})`,
    );
  }
  return vSwitch;
}

function ipToNumber(ip: string): number | undefined {
  const octets = ip.split('.');
  if (octets.length !== 4 || octets.some((octet) => !/^\d{1,3}$/.test(octet) || Number(octet) > 255)) return undefined;
  return octets.reduce((value, octet) => value * 256 + Number(octet), 0);
}

export function ipInCidr(ip: string, cidrBlock: string): boolean {
  const [base, bits] = cidrBlock.split('/');
  const address = ipToNumber(ip);
  const network = ipToNumber(base!);
  if (address === undefined || network === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(address / size) === Math.floor(network / size);
}

/** Whether a resource carries every tag of the filter; a filter without a value matches any value. */
export function matchesTags(tags: Tag[], filter: Tag[]): boolean {
  return filter.every((wanted) =>
    tags.some((tag) => tag.key === wanted.key && (wanted.value === '' || tag.value === wanted.value)),
  );
}

export function tagsView(tags: Tag[]): Array<{ Key: string; Value: string }> {
  return tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
}

/** The fields GetVpcEndpointServiceAttribute and ListVpcEndpointServices share. */
export function serviceView(service: EndpointService): Record<string, unknown> {
  return {
    ServiceId: service.serviceId,
    ServiceName: service.serviceName,
    ServiceDomain: service.serviceDomain,
    ServiceDescription: service.serviceDescription,
    ServiceStatus: service.serviceStatus,
    ServiceBusinessStatus: service.serviceBusinessStatus,
    ServiceType: 'Interface',
    ServiceResourceType: service.serviceResourceType,
    AutoAcceptEnabled: service.autoAcceptEnabled,
    ZoneAffinityEnabled: service.zoneAffinityEnabled,
    ServiceSupportIPv6: service.serviceSupportIPv6,
    AddressIpVersion: 'IPv4',
    Payer: service.payer,
    ConnectBandwidth: service.connectBandwidth,
    MaxBandwidth: 10240,
    MinBandwidth: 100,
    RegionId: service.regionId,
    ResourceGroupId: service.resourceGroupId,
    CreateTime: service.createTime,
  };
}

/**
 * The fields GetVpcEndpointAttribute and ListVpcEndpoints share. ResourceOwner says whether the
 * endpoint and its service belong to the same account.
 */
export function endpointView(cloud: Cloud, endpoint: Endpoint): Record<string, unknown> {
  return {
    EndpointId: endpoint.endpointId,
    EndpointName: endpoint.endpointName,
    EndpointDescription: endpoint.endpointDescription,
    EndpointDomain: endpoint.endpointDomain,
    EndpointStatus: endpoint.endpointStatus,
    EndpointBusinessStatus: endpoint.endpointBusinessStatus,
    EndpointType: endpoint.endpointType,
    ConnectionStatus: endpoint.connectionStatus,
    Bandwidth: endpoint.bandwidth,
    ServiceId: endpoint.serviceId,
    ServiceName: endpoint.serviceName,
    VpcId: endpoint.vpcId,
    RegionId: endpoint.regionId,
    ResourceGroupId: endpoint.resourceGroupId,
    ZoneAffinityEnabled: endpoint.zoneAffinityEnabled,
    ProtectedEnabled: endpoint.protectedEnabled,
    ResourceOwner: cloud.services.get(endpoint.serviceId)?.ownerAccountId === endpoint.ownerAccountId,
    AddressIpVersion: 'IPv4',
    CreateTime: endpoint.createTime,
  };
}
