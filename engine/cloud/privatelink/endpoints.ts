// Endpoints: the consumer side of PrivateLink.
import { collectTokenPages, type Page, type PagingOptions } from '../pagination';
import { numberedRecords, numberedValues, records, requiredText, tagParams, wire } from '../rpc';
import type { PrivateLinkCaller } from './caller';
import {
  type CreateEndpointRequest,
  type Endpoint,
  type EndpointFilter,
  endpointOf,
  type EndpointZone,
  endpointZoneOf,
  type EndpointZoneRequest,
  type PageRequest,
  pageOf,
  pageParams,
  type WriteOptions,
  type WriteResult,
  writeResultOf,
} from './models';

/** Endpoints, the consumer side: create, read, list, delete, and their zones. */
export class EndpointClient {
  constructor(private readonly caller: PrivateLinkCaller) {}

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
    const answer = await this.caller.write('CreateVpcEndpoint', params, {
      resourceId: request.serviceId ?? request.serviceName,
      clientToken: request.clientToken,
    });
    requiredText(answer, 'EndpointId', 'PrivateLink', 'CreateVpcEndpoint');
    return endpointOf(answer);
  }

  /** GetVpcEndpointAttribute. `EndpointNotFound` when it does not exist. */
  async getVpcEndpointAttribute(endpointId: string): Promise<Endpoint> {
    const answer = await this.caller.read('GetVpcEndpointAttribute', { EndpointId: endpointId }, endpointId);
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
    const answer = await this.caller.read('ListVpcEndpoints', query, filter.endpointId ?? filter.vpcId);
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
    const answer = await this.caller.write(
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
    const answer = await this.caller.write('AddZoneToVpcEndpoint', params, {
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
    const answer = await this.caller.write('RemoveZoneFromVpcEndpoint', params, {
      resourceId: request.endpointId,
      clientToken: request.clientToken,
    });
    return writeResultOf(answer);
  }

  /** ListVpcEndpointZones: one page. */
  async listVpcEndpointZones(request: { endpointId: string } & PageRequest): Promise<Page<EndpointZone>> {
    const query = { EndpointId: request.endpointId, ...pageParams(request) };
    const answer = await this.caller.read('ListVpcEndpointZones', query, request.endpointId);
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
}
