// Endpoint services: the provider side of PrivateLink.
import { collectTokenPages, type Page, type PagingOptions } from '../pagination';
import { numberedRecords, records, requiredText, tagParams, text, wire } from '../rpc';
import type { PrivateLinkCaller } from './caller';
import {
  type CreateEndpointServiceRequest,
  type EndpointService,
  type EndpointServiceFilter,
  type EndpointServiceResource,
  type EndpointServiceResourceRequest,
  type EndpointServiceUser,
  endpointServiceOf,
  optionalUser,
  type PageRequest,
  pageOf,
  pageParams,
  serviceResourceOf,
  serviceResourceParams,
  type WriteOptions,
  type WriteResult,
  writeResultOf,
} from './models';

/** Endpoint services, the provider side: create, read, list, delete, their load balancers and the accounts allowed to connect. */
export class EndpointServiceClient {
  constructor(private readonly caller: PrivateLinkCaller) {}

  /** CreateVpcEndpointService: a service in front of load balancers. Asynchronous: `Creating → Active`. */
  async createVpcEndpointService(request: CreateEndpointServiceRequest): Promise<EndpointService> {
    const answer = await this.caller.write(
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
    const answer = await this.caller.read('GetVpcEndpointServiceAttribute', { ServiceId: serviceId }, serviceId);
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
    const answer = await this.caller.read('ListVpcEndpointServices', query, filter.serviceId);
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
    const answer = await this.caller.write(
      'DeleteVpcEndpointService',
      { ServiceId: serviceId },
      { resourceId: serviceId, ...options },
    );
    return writeResultOf(answer);
  }

  /** AttachResourceToVpcEndpointService: the service must be Active. */
  async attachResourceToVpcEndpointService(request: EndpointServiceResourceRequest): Promise<WriteResult> {
    const answer = await this.caller.write('AttachResourceToVpcEndpointService', serviceResourceParams(request), {
      resourceId: request.serviceId,
      clientToken: request.clientToken,
    });
    return writeResultOf(answer);
  }

  /** DetachResourceFromVpcEndpointService. */
  async detachResourceFromVpcEndpointService(request: EndpointServiceResourceRequest): Promise<WriteResult> {
    const answer = await this.caller.write('DetachResourceFromVpcEndpointService', serviceResourceParams(request), {
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
    const answer = await this.caller.read('ListVpcEndpointServiceResources', query, request.serviceId);
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
    const answer = await this.caller.write('AddUserToVpcEndpointService', params, {
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
    const answer = await this.caller.read('ListVpcEndpointServiceUsers', query, request.serviceId);
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
}
