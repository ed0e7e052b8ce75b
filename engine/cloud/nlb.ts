/**
 * NLB 2022-04-30 (RPC; no npm SDK here, so written on the shared RpcClient): the zones of a
 * Network Load Balancer. Newer ACK clusters put the API server behind an NLB; PrivateLink can
 * place such a service only in the zones the NLB serves (GetLoadBalancerAttribute's ZoneMappings).
 */
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import { type CloudContext, runtimeOptions } from './context';
import { type ProductApi, records, RpcClient, text, type WireObject } from './rpc';

export const nlbApi: ProductApi = {
  product: 'NLB',
  productCode: 'nlb',
  version: '2022-04-30',
  endpointRule: 'regional',
};

/** One zone an NLB serves. */
export interface NlbZoneMapping {
  zoneId: string;
  vSwitchId?: string;
  /** `Active`, `Stopped`, `Shifted`, `Starting`, `Stopping`. */
  status?: string;
  privateAddresses: string[];
}

export interface NetworkLoadBalancer {
  loadBalancerId: string;
  loadBalancerName?: string;
  /** `Active`, `Inactive`, `Provisioning`, `Configuring`, `CreateFailed`. */
  loadBalancerStatus?: string;
  /** `Intranet` or `Internet`. */
  addressType?: string;
  vpcId?: string;
  zoneMappings: NlbZoneMapping[];
}

/** The NLB API of one region. */
export class NlbClient {
  private readonly rpc: RpcClient;

  constructor(
    private readonly context: CloudContext,
    config: $OpenApiUtil.Config,
  ) {
    this.rpc = new RpcClient(config, nlbApi);
  }

  /** GetLoadBalancerAttribute: an NLB and the zones it serves. */
  async getLoadBalancerAttribute(loadBalancerId: string): Promise<NetworkLoadBalancer> {
    const query = { RegionId: this.context.region, LoadBalancerId: loadBalancerId };
    const runtime = runtimeOptions(this.context.timeouts);
    const answer = await this.context.runner.run(
      {
        product: 'NLB',
        action: 'GetLoadBalancerAttribute',
        mutating: false,
        idempotent: true,
        resourceId: loadBalancerId,
      },
      () => this.rpc.invoke({ action: 'GetLoadBalancerAttribute', query }, runtime),
      (body) => text(body, 'RequestId'),
    );
    return networkLoadBalancerOf(answer, loadBalancerId);
  }
}

function networkLoadBalancerOf(object: WireObject, loadBalancerId: string): NetworkLoadBalancer {
  return {
    loadBalancerId: text(object, 'LoadBalancerId') ?? loadBalancerId,
    loadBalancerName: text(object, 'LoadBalancerName'),
    loadBalancerStatus: text(object, 'LoadBalancerStatus'),
    addressType: text(object, 'AddressType'),
    vpcId: text(object, 'VpcId'),
    zoneMappings: records(object, 'ZoneMappings').flatMap((zone) => {
      const zoneId = text(zone, 'ZoneId');
      if (!zoneId) return [];
      return [
        {
          zoneId,
          vSwitchId: text(zone, 'VSwitchId'),
          status: text(zone, 'Status'),
          privateAddresses: records(zone, 'LoadBalancerAddresses').flatMap((address) => {
            const ip = text(address, 'PrivateIPv4Address');
            return ip ? [ip] : [];
          }),
        },
      ];
    }),
  };
}

/**
 * The zones an endpoint service can use on this NLB: those it serves now. A zone being stopped
 * or shifted away (Stopped, Shifted, Stopping) carries no traffic.
 */
export function servingZones(loadBalancer: NetworkLoadBalancer): string[] {
  return loadBalancer.zoneMappings
    .filter((zone) => zone.status === undefined || zone.status === 'Active' || zone.status === 'Starting')
    .map((zone) => zone.zoneId);
}
