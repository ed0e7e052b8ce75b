/**
 * PrivateLink 2020-04-15 (RPC): endpoint services on the provider side, endpoints on the consumer
 * side, the connections between them, zones, activation and tags. One function per action; wire
 * names from the generated SDK's models (aliyun/alibabacloud-typescript-sdk,
 * privatelink-20200415/src/models) and reference §2.
 */
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import { type CloudContext, runtimeOptions } from './context';
import { collectTokenPages, type Page, type PagingOptions } from './pagination';
import {
  flag,
  integer,
  numberedRecords,
  numberedValues,
  type ProductApi,
  records,
  requiredText,
  RpcClient,
  type RpcRequest,
  type Tag,
  tagParams,
  text,
  texts,
  wire,
  type WireObject,
  type WireParams,
  wrappedRecords,
} from './rpc';
import { CloudError } from './errors';

export const privateLinkApi: ProductApi = {
  product: 'PrivateLink',
  productCode: 'privatelink',
  version: '2020-04-15',
  endpointRule: 'regional',
};

/** A type that names the known values and still accepts new ones the cloud may add. */
type Known<T extends string> = T | (string & {});

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
/**
 * The resource types of the tag actions. The SDK docs write `vpcendpoint` / `vpcendpointservice`;
 * Terraform sends `VpcEndpoint` / `VpcEndpointService` (so the cloud seems not to mind the case,
 * UNCONFIRMED). We send the documented spelling.
 */
export type TagResourceType = 'vpcendpoint' | 'vpcendpointservice';

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

export interface UpdateEndpointServiceRequest extends WriteOptions {
  serviceId: string;
  autoAcceptEnabled?: boolean;
  connectBandwidth?: number;
  serviceDescription?: string;
  zoneAffinityEnabled?: boolean;
  serviceSupportIPv6?: boolean;
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

// ---- connections ----

export interface EndpointConnectionFilter {
  serviceId: string;
  endpointId?: string;
  endpointOwnerId?: string;
  connectionStatus?: ConnectionStatus;
  resourceId?: string;
}

export interface EndpointConnectionZone {
  zoneId: string;
  vSwitchId?: string;
  eniId?: string;
  resourceId?: string;
  zoneDomain?: string;
  zoneStatus?: EndpointZoneStatus;
}

export interface EndpointConnection {
  endpointId: string;
  serviceId?: string;
  endpointOwnerId?: string;
  endpointVpcId?: string;
  connectionStatus?: ConnectionStatus;
  bandwidth?: number;
  modifiedTime?: string;
  zones: EndpointConnectionZone[];
}

// ---- account, zones, tags ----

export interface PrivateLinkZone {
  zoneId: string;
  localName?: string;
}

export interface OpenServiceResult {
  /** Absent when the service was already open (`OrderOpend`). */
  orderId?: string;
  alreadyOpen: boolean;
  requestId?: string;
}

export interface TagResource {
  resourceId: string;
  resourceType?: string;
  tagKey: string;
  tagValue?: string;
}

export interface TagResourceFilter {
  resourceType: TagResourceType;
  /** ≤ 50. */
  resourceIds?: string[];
  tags?: Tag[];
}

export interface TagResourcesRequest extends WriteOptions {
  resourceType: TagResourceType;
  resourceIds: string[];
  /** ≤ 20. */
  tags: Tag[];
}

/** Options of a single page of a List call. */
export interface PageRequest {
  nextToken?: string;
  /** 1-50; default 50 on the cloud's side. */
  maxResults?: number;
}

/** How a call is described to the runner. */
interface CallSpec {
  action: string;
  query?: WireParams;
  body?: WireParams;
  mutating: boolean;
  resourceId?: string;
}

/** The PrivateLink API of one region. */
export class PrivateLinkClient {
  private readonly rpc: RpcClient;

  constructor(
    private readonly context: CloudContext,
    config: $OpenApiUtil.Config,
  ) {
    this.rpc = new RpcClient(config, privateLinkApi);
  }

  // ---- endpoint services ----

  /** CreateVpcEndpointService: a service in front of load balancers. Asynchronous: `Creating → Active`. */
  async createVpcEndpointService(request: CreateEndpointServiceRequest): Promise<EndpointService> {
    const answer = await this.write(
      'CreateVpcEndpointService',
      {
        ...wire({
          ServiceResourceType: request.serviceResourceType,
          AutoAcceptEnabled: request.autoAcceptEnabled,
          Payer: request.payer,
          ZoneAffinityEnabled: request.zoneAffinityEnabled,
          ServiceDescription: request.serviceDescription,
          ServiceSupportIPv6: request.serviceSupportIPv6,
          ResourceGroupId: request.resourceGroupId,
        }),
        ...numberedRecords(
          'Resource',
          request.resources.map((resource) => ({
            ResourceType: resource.resourceType,
            ResourceId: resource.resourceId,
            ZoneId: resource.zoneId,
          })),
        ),
        ...tagParams(request.tags),
      },
      { resourceId: request.resources[0]?.resourceId, clientToken: request.clientToken },
    );
    requiredText(answer, 'ServiceId', 'PrivateLink', 'CreateVpcEndpointService');
    return endpointServiceOf(answer);
  }

  /** GetVpcEndpointServiceAttribute. `EndpointServiceNotFound` when it does not exist. */
  async getVpcEndpointServiceAttribute(serviceId: string): Promise<EndpointService> {
    const answer = await this.read('GetVpcEndpointServiceAttribute', { ServiceId: serviceId }, serviceId);
    return endpointServiceOf(answer);
  }

  /** ListVpcEndpointServices: one page. */
  async listVpcEndpointServices(filter: EndpointServiceFilter & PageRequest = {}): Promise<Page<EndpointService>> {
    const query = {
      ...wire({
        ServiceId: filter.serviceId,
        ServiceName: filter.serviceName,
        ResourceId: filter.resourceId,
        ServiceStatus: filter.serviceStatus,
        ServiceResourceType: filter.serviceResourceType,
        AutoAcceptEnabled: filter.autoAcceptEnabled,
        ResourceGroupId: filter.resourceGroupId,
      }),
      ...tagParams(filter.tags),
      ...pageParams(filter),
    };
    const answer = await this.read('ListVpcEndpointServices', query, filter.serviceId);
    return pageOf(answer, records(answer, 'Services').map(endpointServiceOf));
  }

  /** ListVpcEndpointServices, every page. */
  listAllVpcEndpointServices(filter: EndpointServiceFilter = {}, paging?: PagingOptions): Promise<EndpointService[]> {
    return collectTokenPages(
      { product: 'PrivateLink', action: 'ListVpcEndpointServices' },
      (nextToken, maxResults) => this.listVpcEndpointServices({ ...filter, nextToken, maxResults }),
      paging,
    );
  }

  /** DeleteVpcEndpointService: disconnect every connection and detach every resource first. */
  async deleteVpcEndpointService(serviceId: string, options: WriteOptions = {}): Promise<WriteResult> {
    const answer = await this.write(
      'DeleteVpcEndpointService',
      { ServiceId: serviceId },
      { resourceId: serviceId, ...options },
    );
    return writeResultOf(answer);
  }

  /** UpdateVpcEndpointServiceAttribute: the service must be Active. */
  async updateVpcEndpointServiceAttribute(request: UpdateEndpointServiceRequest): Promise<WriteResult> {
    const params = wire({
      ServiceId: request.serviceId,
      AutoAcceptEnabled: request.autoAcceptEnabled,
      ConnectBandwidth: request.connectBandwidth,
      ServiceDescription: request.serviceDescription,
      ZoneAffinityEnabled: request.zoneAffinityEnabled,
      ServiceSupportIPv6: request.serviceSupportIPv6,
    });
    const answer = await this.write('UpdateVpcEndpointServiceAttribute', params, {
      resourceId: request.serviceId,
      clientToken: request.clientToken,
    });
    return writeResultOf(answer);
  }

  /** AttachResourceToVpcEndpointService: the service must be Active. */
  async attachResourceToVpcEndpointService(request: EndpointServiceResourceRequest): Promise<WriteResult> {
    const answer = await this.write('AttachResourceToVpcEndpointService', serviceResourceParams(request), {
      resourceId: request.serviceId,
      clientToken: request.clientToken,
    });
    return writeResultOf(answer);
  }

  /** DetachResourceFromVpcEndpointService. */
  async detachResourceFromVpcEndpointService(request: EndpointServiceResourceRequest): Promise<WriteResult> {
    const answer = await this.write('DetachResourceFromVpcEndpointService', serviceResourceParams(request), {
      resourceId: request.serviceId,
      clientToken: request.clientToken,
    });
    return writeResultOf(answer);
  }

  /** ListVpcEndpointServiceResources: one page. */
  async listVpcEndpointServiceResources(
    request: { serviceId: string } & PageRequest,
  ): Promise<Page<EndpointServiceResource>> {
    const query = { ServiceId: request.serviceId, ...pageParams(request) };
    const answer = await this.read('ListVpcEndpointServiceResources', query, request.serviceId);
    return pageOf(answer, records(answer, 'Resources').map(serviceResourceOf));
  }

  /** ListVpcEndpointServiceResources, every page. */
  listAllVpcEndpointServiceResources(serviceId: string, paging?: PagingOptions): Promise<EndpointServiceResource[]> {
    return collectTokenPages(
      { product: 'PrivateLink', action: 'ListVpcEndpointServiceResources' },
      (nextToken, maxResults) => this.listVpcEndpointServiceResources({ serviceId, nextToken, maxResults }),
      paging,
    );
  }

  /** AddUserToVpcEndpointService: allow another account to connect (not needed for the service's own account). */
  async addUserToVpcEndpointService(
    request: { serviceId: string } & EndpointServiceUser & WriteOptions,
  ): Promise<WriteResult> {
    const params = wire({ ServiceId: request.serviceId, UserId: request.userId, UserARN: request.userArn });
    const answer = await this.write('AddUserToVpcEndpointService', params, {
      resourceId: request.serviceId,
      clientToken: request.clientToken,
    });
    return writeResultOf(answer);
  }

  /** ListVpcEndpointServiceUsers: one page; account ids and ARNs together. */
  async listVpcEndpointServiceUsers(
    request: { serviceId: string; userId?: string; userListType?: 'Users' | 'UserARNs' } & PageRequest,
  ): Promise<Page<EndpointServiceUser>> {
    const query = {
      ...wire({ ServiceId: request.serviceId, UserId: request.userId, UserListType: request.userListType }),
      ...pageParams(request),
    };
    const answer = await this.read('ListVpcEndpointServiceUsers', query, request.serviceId);
    const users: EndpointServiceUser[] = [
      ...records(answer, 'Users').flatMap((user) => optionalUser({ userId: text(user, 'UserId') })),
      ...records(answer, 'UserARNs').flatMap((user) => optionalUser({ userArn: text(user, 'UserARN') })),
    ];
    return pageOf(answer, users);
  }

  /** ListVpcEndpointServiceUsers, every page. */
  listAllVpcEndpointServiceUsers(serviceId: string, paging?: PagingOptions): Promise<EndpointServiceUser[]> {
    return collectTokenPages(
      { product: 'PrivateLink', action: 'ListVpcEndpointServiceUsers' },
      (nextToken, maxResults) => this.listVpcEndpointServiceUsers({ serviceId, nextToken, maxResults }),
      paging,
    );
  }

  // ---- endpoints ----

  /** CreateVpcEndpoint: an interface endpoint in the consumer VPC. Asynchronous: `Creating → Active`. */
  async createVpcEndpoint(request: CreateEndpointRequest): Promise<Endpoint> {
    const params = {
      ...wire({
        VpcId: request.vpcId,
        ServiceId: request.serviceId,
        ServiceName: request.serviceName,
        EndpointName: request.endpointName,
        EndpointDescription: request.endpointDescription,
        EndpointType: request.endpointType,
        ProtectedEnabled: request.protectedEnabled,
        ZoneAffinityEnabled: request.zoneAffinityEnabled,
        ResourceGroupId: request.resourceGroupId,
      }),
      ...numberedValues('SecurityGroupId', request.securityGroupIds),
      // The zone's fixed IP is `ip`, in lower case, on the wire.
      ...numberedRecords(
        'Zone',
        request.zones.map((zone) => ({ VSwitchId: zone.vSwitchId, ZoneId: zone.zoneId, ip: zone.ip })),
      ),
      ...tagParams(request.tags),
    };
    const answer = await this.write('CreateVpcEndpoint', params, {
      resourceId: request.serviceId ?? request.serviceName,
      clientToken: request.clientToken,
    });
    requiredText(answer, 'EndpointId', 'PrivateLink', 'CreateVpcEndpoint');
    return endpointOf(answer);
  }

  /** GetVpcEndpointAttribute. `EndpointNotFound` when it does not exist. */
  async getVpcEndpointAttribute(endpointId: string): Promise<Endpoint> {
    const answer = await this.read('GetVpcEndpointAttribute', { EndpointId: endpointId }, endpointId);
    return endpointOf(answer);
  }

  /** ListVpcEndpoints: one page. */
  async listVpcEndpoints(filter: EndpointFilter & PageRequest = {}): Promise<Page<Endpoint>> {
    const query = {
      ...wire({
        EndpointId: filter.endpointId,
        EndpointName: filter.endpointName,
        EndpointStatus: filter.endpointStatus,
        ConnectionStatus: filter.connectionStatus,
        ServiceName: filter.serviceName,
        VpcId: filter.vpcId,
        EndpointType: filter.endpointType,
        ResourceGroupId: filter.resourceGroupId,
      }),
      ...tagParams(filter.tags),
      ...pageParams(filter),
    };
    const answer = await this.read('ListVpcEndpoints', query, filter.endpointId ?? filter.vpcId);
    return pageOf(answer, records(answer, 'Endpoints').map(endpointOf));
  }

  /** ListVpcEndpoints, every page. */
  listAllVpcEndpoints(filter: EndpointFilter = {}, paging?: PagingOptions): Promise<Endpoint[]> {
    return collectTokenPages(
      { product: 'PrivateLink', action: 'ListVpcEndpoints' },
      (nextToken, maxResults) => this.listVpcEndpoints({ ...filter, nextToken, maxResults }),
      paging,
    );
  }

  /** DeleteVpcEndpoint: remove its zones first (`EndpointDependenceViolation`). */
  async deleteVpcEndpoint(endpointId: string, options: WriteOptions = {}): Promise<WriteResult> {
    const answer = await this.write(
      'DeleteVpcEndpoint',
      { EndpointId: endpointId },
      { resourceId: endpointId, ...options },
    );
    return writeResultOf(answer);
  }

  /** AddZoneToVpcEndpoint: zone `Creating → Wait`. */
  async addZoneToVpcEndpoint(request: EndpointZoneRequest): Promise<WriteResult> {
    const params = wire({
      EndpointId: request.endpointId,
      ZoneId: request.zoneId,
      VSwitchId: request.vSwitchId,
      ip: request.ip,
    });
    const answer = await this.write('AddZoneToVpcEndpoint', params, {
      resourceId: request.endpointId,
      clientToken: request.clientToken,
    });
    return writeResultOf(answer);
  }

  /** RemoveZoneFromVpcEndpoint: zone `Deleting`, then gone. */
  async removeZoneFromVpcEndpoint(
    request: { endpointId: string; zoneId: string } & WriteOptions,
  ): Promise<WriteResult> {
    const params = { EndpointId: request.endpointId, ZoneId: request.zoneId };
    const answer = await this.write('RemoveZoneFromVpcEndpoint', params, {
      resourceId: request.endpointId,
      clientToken: request.clientToken,
    });
    return writeResultOf(answer);
  }

  /** ListVpcEndpointZones: one page. */
  async listVpcEndpointZones(request: { endpointId: string } & PageRequest): Promise<Page<EndpointZone>> {
    const query = { EndpointId: request.endpointId, ...pageParams(request) };
    const answer = await this.read('ListVpcEndpointZones', query, request.endpointId);
    return pageOf(answer, records(answer, 'Zones').map(endpointZoneOf));
  }

  /** ListVpcEndpointZones, every page. */
  listAllVpcEndpointZones(endpointId: string, paging?: PagingOptions): Promise<EndpointZone[]> {
    return collectTokenPages(
      { product: 'PrivateLink', action: 'ListVpcEndpointZones' },
      (nextToken, maxResults) => this.listVpcEndpointZones({ endpointId, nextToken, maxResults }),
      paging,
    );
  }

  // ---- connections ----

  /** ListVpcEndpointConnections: one page of the connections to a service. */
  async listVpcEndpointConnections(filter: EndpointConnectionFilter & PageRequest): Promise<Page<EndpointConnection>> {
    const query = {
      ...wire({
        ServiceId: filter.serviceId,
        EndpointId: filter.endpointId,
        EndpointOwnerId: filter.endpointOwnerId,
        ConnectionStatus: filter.connectionStatus,
        ResourceId: filter.resourceId,
      }),
      ...pageParams(filter),
    };
    const answer = await this.read('ListVpcEndpointConnections', query, filter.serviceId);
    return pageOf(answer, records(answer, 'Connections').map(connectionOf));
  }

  /** ListVpcEndpointConnections, every page. */
  listAllVpcEndpointConnections(
    filter: EndpointConnectionFilter,
    paging?: PagingOptions,
  ): Promise<EndpointConnection[]> {
    return collectTokenPages(
      { product: 'PrivateLink', action: 'ListVpcEndpointConnections' },
      (nextToken, maxResults) => this.listVpcEndpointConnections({ ...filter, nextToken, maxResults }),
      paging,
    );
  }

  /** EnableVpcEndpointConnection: the provider accepts an endpoint, `Connecting → Connected`. */
  async enableVpcEndpointConnection(
    request: { serviceId: string; endpointId: string; bandwidth?: number } & WriteOptions,
  ): Promise<WriteResult> {
    const params = wire({ ServiceId: request.serviceId, EndpointId: request.endpointId, Bandwidth: request.bandwidth });
    const answer = await this.write('EnableVpcEndpointConnection', params, {
      resourceId: request.endpointId,
      clientToken: request.clientToken,
    });
    return writeResultOf(answer);
  }

  // ---- account, zones, tags ----

  /** DescribeZones: the zones of this region where PrivateLink works for a resource type. */
  async describeZones(request: { serviceResourceType?: ServiceResourceType } = {}): Promise<PrivateLinkZone[]> {
    const answer = await this.read('DescribeZones', wire({ ServiceResourceType: request.serviceResourceType }));
    return wrappedRecords(answer, 'Zones', 'Zone').flatMap((zone) => {
      const zoneId = text(zone, 'ZoneId');
      return zoneId ? [{ zoneId, localName: text(zone, 'LocalName') }] : [];
    });
  }

  /** CheckProductOpen: whether PrivateLink is activated for the account. */
  async checkProductOpen(): Promise<boolean> {
    const answer = await this.call({ action: 'CheckProductOpen', mutating: false }, false);
    return flag(answer, 'Success') === true;
  }

  /** OpenPrivateLinkService: activate PrivateLink; already open (`OrderOpend`) counts as success. */
  async openPrivateLinkService(): Promise<OpenServiceResult> {
    try {
      const answer = await this.call({ action: 'OpenPrivateLinkService', mutating: true }, false);
      return { orderId: text(answer, 'OrderId'), alreadyOpen: false, requestId: text(answer, 'RequestId') };
    } catch (error) {
      if (error instanceof CloudError && error.code === 'OrderOpend')
        return { alreadyOpen: true, requestId: error.requestId };
      throw error;
    }
  }

  /** ListTagResources: one page of tags on endpoints or services. */
  async listTagResources(filter: TagResourceFilter & { nextToken?: string }): Promise<Page<TagResource>> {
    const query = {
      ...wire({ ResourceType: filter.resourceType, NextToken: filter.nextToken }),
      ...numberedValues('ResourceId', filter.resourceIds),
      ...tagParams(filter.tags),
    };
    const answer = await this.read('ListTagResources', query, filter.resourceIds?.[0]);
    return pageOf(answer, records(answer, 'TagResources').flatMap(tagResourceOf));
  }

  /** ListTagResources, every page (the action takes no page size). */
  listAllTagResources(filter: TagResourceFilter, paging?: PagingOptions): Promise<TagResource[]> {
    return collectTokenPages(
      { product: 'PrivateLink', action: 'ListTagResources' },
      (nextToken) => this.listTagResources({ ...filter, nextToken }),
      paging,
    );
  }

  /** TagResources: its parameters go in the form body, as the SDK declares them. */
  async tagResources(request: TagResourcesRequest): Promise<WriteResult> {
    const params = {
      ResourceType: request.resourceType,
      ...numberedValues('ResourceId', request.resourceIds),
      ...tagParams(request.tags),
    };
    const answer = await this.write('TagResources', params, {
      resourceId: request.resourceIds[0],
      clientToken: request.clientToken,
      inBody: true,
    });
    return writeResultOf(answer);
  }

  // ---- plumbing ----

  private read(action: string, query: WireParams, resourceId?: string): Promise<WireObject> {
    return this.call({ action, query, mutating: false, resourceId }, true);
  }

  /**
   * A write with a ClientToken made once here, outside the retry loop, so every attempt carries
   * the same one and a retry after a lost answer cannot do the work twice.
   */
  private write(
    action: string,
    params: WireParams,
    options: { resourceId?: string; clientToken?: string; inBody?: boolean },
  ): Promise<WireObject> {
    const withToken = { ...params, ClientToken: options.clientToken ?? this.context.newClientToken() };
    const placement = options.inBody ? { body: withToken } : { query: withToken };
    return this.call({ action, mutating: true, resourceId: options.resourceId, ...placement }, true);
  }

  /** Every action but CheckProductOpen, OpenPrivateLinkService (and DescribeRegions) needs RegionId. */
  private call(spec: CallSpec, inRegion: boolean): Promise<WireObject> {
    const region: WireParams = inRegion ? { RegionId: this.context.region } : {};
    const request: RpcRequest = spec.body
      ? { action: spec.action, query: spec.query, body: { ...region, ...spec.body } }
      : { action: spec.action, query: { ...region, ...spec.query } };
    const runtime = runtimeOptions(this.context.timeouts);
    const descriptor = {
      product: 'PrivateLink' as const,
      action: spec.action,
      mutating: spec.mutating,
      // Every PrivateLink write carries a ClientToken; OpenPrivateLinkService answers OrderOpend when repeated.
      idempotent: true,
      resourceId: spec.resourceId,
    };
    return this.context.runner.run(
      descriptor,
      () => this.rpc.invoke(request, runtime),
      (answer) => text(answer, 'RequestId'),
    );
  }
}

// ---- mapping answers ----

function pageParams(request: PageRequest): WireParams {
  return wire({ NextToken: request.nextToken, MaxResults: request.maxResults });
}

function pageOf<T>(answer: WireObject, items: T[]): Page<T> {
  return {
    items,
    nextToken: text(answer, 'NextToken') || undefined,
    totalCount: integer(answer, 'TotalCount'),
    requestId: text(answer, 'RequestId'),
  };
}

function writeResultOf(answer: WireObject): WriteResult {
  return { requestId: text(answer, 'RequestId') };
}

function tagsOf(object: WireObject): Tag[] {
  return records(object, 'Tags').flatMap((tag) => {
    const key = text(tag, 'Key');
    return key === undefined ? [] : [{ key, value: text(tag, 'Value') ?? '' }];
  });
}

function endpointServiceOf(object: WireObject): EndpointService {
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

function endpointOf(object: WireObject): Endpoint {
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

function serviceResourceParams(request: EndpointServiceResourceRequest): WireParams {
  return wire({
    ServiceId: request.serviceId,
    ResourceId: request.resourceId,
    ResourceType: request.resourceType,
    ZoneId: request.zoneId,
  });
}

function serviceResourceOf(object: WireObject): EndpointServiceResource {
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

function optionalUser(user: { userId?: string; userArn?: string }): EndpointServiceUser[] {
  if (user.userId) return [{ userId: user.userId }];
  if (user.userArn) return [{ userArn: user.userArn }];
  return [];
}

function endpointZoneOf(object: WireObject): EndpointZone {
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

function connectionOf(object: WireObject): EndpointConnection {
  return {
    endpointId: text(object, 'EndpointId') ?? '',
    serviceId: text(object, 'ServiceId'),
    endpointOwnerId: text(object, 'EndpointOwnerId'),
    endpointVpcId: text(object, 'EndpointVpcId'),
    connectionStatus: text(object, 'ConnectionStatus'),
    bandwidth: integer(object, 'Bandwidth'),
    modifiedTime: text(object, 'ModifiedTime'),
    zones: records(object, 'Zones').map((zone) => ({
      zoneId: text(zone, 'ZoneId') ?? '',
      vSwitchId: text(zone, 'VSwitchId'),
      eniId: text(zone, 'EniId'),
      resourceId: text(zone, 'ResourceId'),
      zoneDomain: text(zone, 'ZoneDomain'),
      zoneStatus: text(zone, 'ZoneStatus'),
    })),
  };
}

function tagResourceOf(object: WireObject): TagResource[] {
  const resourceId = text(object, 'ResourceId');
  const tagKey = text(object, 'TagKey');
  if (!resourceId || tagKey === undefined) return [];
  return [{ resourceId, resourceType: text(object, 'ResourceType'), tagKey, tagValue: text(object, 'TagValue') }];
}
