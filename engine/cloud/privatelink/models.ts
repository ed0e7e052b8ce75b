/**
 * PrivateLink 2020-04-15 wire models: what the clients take and give back, and how each answer
 * maps to them. Wire names from the SDK's response models (privatelink-20200415/src/models).
 */
import type { Page } from '../pagination';
import { flag, integer, records, type Tag, text, texts, wire, type WireObject, type WireParams } from '../rpc';

/** A type that names the known values and still accepts new ones the cloud may add. */
export type Known<T extends string> = T | (string & {});

/** The kind of load balancer behind an endpoint service. */
export type ServiceResourceType = 'slb' | 'alb' | 'nlb';
/** `Creating → Active`; `Pending` while being modified; `Deleting`; some docs say `Inactive`. */
export type EndpointServiceStatus = Known<'Creating' | 'Pending' | 'Active' | 'Deleting' | 'Inactive'>;
/** `Creating → Active`; `Pending` while being modified; `Deleting`. */
export type EndpointStatus = Known<'Creating' | 'Active' | 'Pending' | 'Deleting'>;
export type ConnectionStatus = Known<
  'Pending' | 'Connecting' | 'Connected' | 'Disconnecting' | 'Disconnected' | 'Deleting' | 'ServiceDeleted'
>;
/** `Creating → Wait` (created, connection not yet accepted) `→ Connecting → Connected`. */
export type EndpointZoneStatus = Known<
  'Creating' | 'Wait' | 'Connecting' | 'Connected' | 'Disconnecting' | 'Disconnected' | 'Deleting'
>;

/** Options every write takes. */
export interface WriteOptions {
  /**
   * Idempotency token (≤ 64 ASCII characters). Sent unchanged on every retry; when absent a
   * random one is made per call. Pass a deterministic one (from the cluster id and the link) to
   * make a whole re-run idempotent as well.
   */
  clientToken?: string;
}

/** What a write without a result of its own returns. */
export interface WriteResult {
  requestId?: string;
}

// ---- endpoint services ----

export interface EndpointServiceResourceSpec {
  resourceType: ServiceResourceType;
  resourceId: string;
  /**
   * The zone this resource serves the service in: give one entry per zone of the load balancer.
   * The SDK documents it as required only for alb/nlb (UNCONFIRMED for slb); the emulator
   * requires it for every type, and a service covers exactly the zones of its entries there.
   */
  zoneId?: string;
}

export interface CreateEndpointServiceRequest extends WriteOptions {
  /** The load balancers behind the service (≤ 10). */
  resources: EndpointServiceResourceSpec[];
  serviceResourceType?: ServiceResourceType;
  /** Default false: each connection waits for EnableVpcEndpointConnection. */
  autoAcceptEnabled?: boolean;
  payer?: 'Endpoint' | 'EndpointService';
  zoneAffinityEnabled?: boolean;
  serviceDescription?: string;
  serviceSupportIPv6?: boolean;
  resourceGroupId?: string;
  /** Tagging at create time means the resource is never untagged (so never orphaned). */
  tags?: Tag[];
}

export interface EndpointService {
  serviceId: string;
  serviceName?: string;
  serviceDomain?: string;
  serviceStatus?: EndpointServiceStatus;
  /** `Normal` or `FinancialLocked`. */
  serviceBusinessStatus?: string;
  serviceResourceType?: Known<ServiceResourceType>;
  /** `Interface`. */
  serviceType?: string;
  serviceDescription?: string;
  autoAcceptEnabled?: boolean;
  zoneAffinityEnabled?: boolean;
  payer?: string;
  regionId?: string;
  connectBandwidth?: number;
  resourceGroupId?: string;
  createTime?: string;
  /** Zones the service covers (GetVpcEndpointServiceAttribute only). */
  zones: string[];
  /** Tags (ListVpcEndpointServices only). */
  tags: Tag[];
  requestId?: string;
}

export interface EndpointServiceFilter {
  serviceId?: string;
  serviceName?: string;
  resourceId?: string;
  serviceStatus?: EndpointServiceStatus;
  serviceResourceType?: ServiceResourceType;
  autoAcceptEnabled?: boolean;
  resourceGroupId?: string;
  tags?: Tag[];
}

export interface EndpointServiceResourceRequest extends WriteOptions {
  serviceId: string;
  resourceId: string;
  resourceType: ServiceResourceType;
  /** Documented as required for alb/nlb; the emulator requires it for every type. */
  zoneId?: string;
}

export interface EndpointServiceResource {
  resourceId: string;
  resourceType?: Known<ServiceResourceType>;
  vpcId?: string;
  vSwitchId?: string;
  zoneId?: string;
  ip?: string;
  regionId?: string;
  relatedEndpointCount?: number;
}

/** An account allowed to connect: by id, or by RAM ARN (`acs:ram:*:<account-id>:*`). */
export type EndpointServiceUser = { userId: string; userArn?: undefined } | { userArn: string; userId?: undefined };

// ---- endpoints ----

export interface EndpointZoneSpec {
  zoneId: string;
  vSwitchId: string;
  /** A fixed private IP in the vSwitch; the cloud picks one when absent. */
  ip?: string;
}

export interface CreateEndpointRequest extends WriteOptions {
  vpcId: string;
  /** Which of ServiceId and ServiceName is strictly required is UNCONFIRMED; give serviceId. */
  serviceId?: string;
  serviceName?: string;
  /** At least one (`EndpointMustContainSecurityGroup`), at most 10. */
  securityGroupIds: string[];
  zones: EndpointZoneSpec[];
  endpointName?: string;
  endpointDescription?: string;
  /** `Interface` (the default). */
  endpointType?: string;
  protectedEnabled?: boolean;
  zoneAffinityEnabled?: boolean;
  resourceGroupId?: string;
  tags?: Tag[];
}

export interface Endpoint {
  endpointId: string;
  endpointName?: string;
  endpointDescription?: string;
  endpointDomain?: string;
  endpointStatus?: EndpointStatus;
  endpointBusinessStatus?: string;
  connectionStatus?: ConnectionStatus;
  endpointType?: string;
  serviceId?: string;
  serviceName?: string;
  vpcId?: string;
  regionId?: string;
  bandwidth?: number;
  zoneAffinityEnabled?: boolean;
  protectedEnabled?: boolean;
  resourceGroupId?: string;
  createTime?: string;
  /** Tags (ListVpcEndpoints only). */
  tags: Tag[];
  requestId?: string;
}

export interface EndpointFilter {
  endpointId?: string;
  endpointName?: string;
  endpointStatus?: EndpointStatus;
  connectionStatus?: ConnectionStatus;
  serviceName?: string;
  vpcId?: string;
  endpointType?: string;
  resourceGroupId?: string;
  tags?: Tag[];
}

export interface EndpointZoneRequest extends WriteOptions {
  endpointId: string;
  zoneId: string;
  vSwitchId: string;
  ip?: string;
}

export interface EndpointZone {
  zoneId: string;
  zoneStatus?: EndpointZoneStatus;
  zoneDomain?: string;
  vSwitchId?: string;
  eniId?: string;
  eniIp?: string;
  regionId?: string;
}

// ---- account and zones ----

export interface PrivateLinkZone {
  zoneId: string;
  localName?: string;
}

/** Options of a single page of a List call. */
export interface PageRequest {
  nextToken?: string;
  /** 1-50; default 50 on the cloud's side. */
  maxResults?: number;
}

// ---- mapping answers ----

export function pageParams(request: PageRequest): WireParams {
  return wire({ NextToken: request.nextToken, MaxResults: request.maxResults });
}

export function pageOf<T>(answer: WireObject, items: T[]): Page<T> {
  return {
    items,
    nextToken: text(answer, 'NextToken') || undefined,
    totalCount: integer(answer, 'TotalCount'),
    requestId: text(answer, 'RequestId'),
  };
}

export function writeResultOf(answer: WireObject): WriteResult {
  return { requestId: text(answer, 'RequestId') };
}

function tagsOf(object: WireObject): Tag[] {
  return records(object, 'Tags').flatMap((tag) => {
    const key = text(tag, 'Key');
    return key === undefined ? [] : [{ key, value: text(tag, 'Value') ?? '' }];
  });
}

export function endpointServiceOf(object: WireObject): EndpointService {
  return {
    serviceId: text(object, 'ServiceId') ?? '',
    serviceName: text(object, 'ServiceName'),
    serviceDomain: text(object, 'ServiceDomain'),
    serviceStatus: text(object, 'ServiceStatus'),
    serviceBusinessStatus: text(object, 'ServiceBusinessStatus'),
    serviceResourceType: text(object, 'ServiceResourceType'),
    serviceType: text(object, 'ServiceType'),
    serviceDescription: text(object, 'ServiceDescription'),
    autoAcceptEnabled: flag(object, 'AutoAcceptEnabled'),
    zoneAffinityEnabled: flag(object, 'ZoneAffinityEnabled'),
    payer: text(object, 'Payer'),
    regionId: text(object, 'RegionId'),
    connectBandwidth: integer(object, 'ConnectBandwidth'),
    resourceGroupId: text(object, 'ResourceGroupId'),
    createTime: text(object, 'CreateTime'),
    zones: texts(object, 'Zones'),
    tags: tagsOf(object),
    requestId: text(object, 'RequestId'),
  };
}

export function endpointOf(object: WireObject): Endpoint {
  return {
    endpointId: text(object, 'EndpointId') ?? '',
    endpointName: text(object, 'EndpointName'),
    endpointDescription: text(object, 'EndpointDescription'),
    endpointDomain: text(object, 'EndpointDomain'),
    endpointStatus: text(object, 'EndpointStatus'),
    endpointBusinessStatus: text(object, 'EndpointBusinessStatus'),
    connectionStatus: text(object, 'ConnectionStatus'),
    endpointType: text(object, 'EndpointType'),
    serviceId: text(object, 'ServiceId'),
    serviceName: text(object, 'ServiceName'),
    vpcId: text(object, 'VpcId'),
    regionId: text(object, 'RegionId'),
    bandwidth: integer(object, 'Bandwidth'),
    zoneAffinityEnabled: flag(object, 'ZoneAffinityEnabled'),
    protectedEnabled: flag(object, 'ProtectedEnabled'),
    resourceGroupId: text(object, 'ResourceGroupId'),
    createTime: text(object, 'CreateTime'),
    tags: tagsOf(object),
    requestId: text(object, 'RequestId'),
  };
}

export function serviceResourceParams(request: EndpointServiceResourceRequest): WireParams {
  return wire({
    ServiceId: request.serviceId,
    ResourceId: request.resourceId,
    ResourceType: request.resourceType,
    ZoneId: request.zoneId,
  });
}

export function serviceResourceOf(object: WireObject): EndpointServiceResource {
  return {
    resourceId: text(object, 'ResourceId') ?? '',
    resourceType: text(object, 'ResourceType'),
    vpcId: text(object, 'VpcId'),
    vSwitchId: text(object, 'VSwitchId'),
    zoneId: text(object, 'ZoneId'),
    ip: text(object, 'Ip'),
    regionId: text(object, 'RegionId'),
    relatedEndpointCount: integer(object, 'RelatedEndpointCount'),
  };
}

export function optionalUser(user: { userId?: string; userArn?: string }): EndpointServiceUser[] {
  if (user.userId) return [{ userId: user.userId }];
  if (user.userArn) return [{ userArn: user.userArn }];
  return [];
}

export function endpointZoneOf(object: WireObject): EndpointZone {
  return {
    zoneId: text(object, 'ZoneId') ?? '',
    zoneStatus: text(object, 'ZoneStatus'),
    zoneDomain: text(object, 'ZoneDomain'),
    vSwitchId: text(object, 'VSwitchId'),
    eniId: text(object, 'EniId'),
    eniIp: text(object, 'EniIp'),
    regionId: text(object, 'RegionId'),
  };
}
