/**
 * PrivateLink 2020-04-15 (RPC), hand-written on openapi-core (there is no npm SDK for it): one
 * client per resource, each function named after its action, and only the actions a command calls.
 */
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import type { CloudContext } from '../context';
import { AccountClient } from './account';
import { PrivateLinkCaller } from './caller';
import { ConnectionClient } from './connections';
import { EndpointServiceClient } from './endpoint-services';
import { EndpointClient } from './endpoints';

export { privateLinkApi } from './caller';
export * from './models';
export { AccountClient, ConnectionClient, EndpointClient, EndpointServiceClient };

/** The PrivateLink API of one region. */
export class PrivateLinkClient {
  readonly services: EndpointServiceClient;
  readonly endpoints: EndpointClient;
  readonly connections: ConnectionClient;
  readonly account: AccountClient;

  constructor(context: CloudContext, config: $OpenApiUtil.Config) {
    const caller = new PrivateLinkCaller(context, config);
    this.services = new EndpointServiceClient(caller);
    this.endpoints = new EndpointClient(caller);
    this.connections = new ConnectionClient(caller);
    this.account = new AccountClient(caller);
  }
}
