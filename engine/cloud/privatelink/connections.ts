// Connections: the provider accepting an endpoint.
import { wire } from '../rpc';
import type { PrivateLinkCaller } from './caller';
import { type WriteOptions, type WriteResult, writeResultOf } from './models';

/** Connections between an endpoint and a service, as the provider sees them. */
export class ConnectionClient {
  constructor(private readonly caller: PrivateLinkCaller) {}

  /** EnableVpcEndpointConnection: the provider accepts an endpoint, `Connecting → Connected`. */
  async enableVpcEndpointConnection(
    request: { serviceId: string; endpointId: string; bandwidth?: number } & WriteOptions,
  ): Promise<WriteResult> {
    const params = wire({ ServiceId: request.serviceId, EndpointId: request.endpointId, Bandwidth: request.bandwidth });
    const answer = await this.caller.write('EnableVpcEndpointConnection', params, {
      resourceId: request.endpointId,
      clientToken: request.clientToken,
    });
    return writeResultOf(answer);
  }
}
