/**
 * SLB/CLB 2014-05-15 (RPC; no npm SDK here, so written on the shared RpcClient): finding a load
 * balancer by its address. ASM's answers name no private Pilot load balancer, only the
 * IntranetPilotEndpoint IP, so the plugin looks for the internal CLB at that address in the
 * mesh's VPC (an inference, UNCONFIRMED by any document; the plugin also takes an explicit id).
 */
import { type $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import { type CloudContext, runtimeOptions } from './context';
import { CloudError } from './errors';
import { collectNumberedPages, type NumberedPage, type PagingOptions } from './pagination';
import { integer, type ProductApi, RpcClient, text, wire, type WireObject, wrappedRecords } from './rpc';

// Regions whose SLB API is served from the central host (the generated SDK's endpoint map,
// slb-20140515/src/client.ts, public regions only).
const CENTRAL_SLB_REGIONS = [
  'cn-qingdao',
  'cn-beijing',
  'cn-hangzhou',
  'cn-shanghai',
  'cn-shenzhen',
  'cn-hongkong',
  'ap-southeast-1',
  'us-east-1',
  'us-west-1',
];

export const slbApi: ProductApi = {
  product: 'SLB',
  productCode: 'slb',
  version: '2014-05-15',
  endpointRule: 'regional',
  endpointMap: Object.fromEntries(
    CENTRAL_SLB_REGIONS.map((region) => [region, OpenApiUtil.getEndpointRules('slb', region, 'central', '', '')]),
  ),
};

export interface LoadBalancer {
  loadBalancerId: string;
  loadBalancerName?: string;
  address?: string;
  /** `intranet` or `internet`. */
  addressType?: string;
  /** `vpc` or `classic`. */
  networkType?: string;
  vpcId?: string;
  vSwitchId?: string;
  /** `active`, `inactive`, `locked`. */
  loadBalancerStatus?: string;
  masterZoneId?: string;
  slaveZoneId?: string;
}

export interface LoadBalancerFilter {
  address?: string;
  vpcId?: string;
  loadBalancerId?: string;
  addressType?: 'intranet' | 'internet';
  networkType?: 'vpc' | 'classic';
}

/** The SLB API of one region. */
export class SlbClient {
  private readonly rpc: RpcClient;

  constructor(
    private readonly context: CloudContext,
    config: $OpenApiUtil.Config,
  ) {
    this.rpc = new RpcClient(config, slbApi);
  }

  /** DescribeLoadBalancers: one page. */
  async describeLoadBalancers(
    filter: LoadBalancerFilter & { pageNumber?: number; pageSize?: number },
  ): Promise<NumberedPage<LoadBalancer>> {
    const query = wire({
      RegionId: this.context.region,
      Address: filter.address,
      VpcId: filter.vpcId,
      LoadBalancerId: filter.loadBalancerId,
      AddressType: filter.addressType,
      NetworkType: filter.networkType,
      PageNumber: filter.pageNumber,
      PageSize: filter.pageSize,
    });
    const runtime = runtimeOptions(this.context.timeouts);
    const answer = await this.context.runner.run(
      {
        product: 'SLB',
        action: 'DescribeLoadBalancers',
        mutating: false,
        idempotent: true,
        resourceId: filter.loadBalancerId ?? filter.address ?? filter.vpcId,
      },
      () => this.rpc.invoke({ action: 'DescribeLoadBalancers', query }, runtime),
      (body) => text(body, 'RequestId'),
    );
    const items = wrappedRecords(answer, 'LoadBalancers', 'LoadBalancer').flatMap(loadBalancerOf);
    return { items, totalCount: integer(answer, 'TotalCount') };
  }

  /** DescribeLoadBalancers, every page. */
  listAllLoadBalancers(filter: LoadBalancerFilter, paging?: PagingOptions): Promise<LoadBalancer[]> {
    return collectNumberedPages(
      { product: 'SLB', action: 'DescribeLoadBalancers' },
      (pageNumber, pageSize) => this.describeLoadBalancers({ ...filter, pageNumber, pageSize }),
      paging,
    );
  }

  /**
   * The internal load balancer at `address` in `vpcId`, or undefined when there is none. Two at
   * one address cannot be told apart: that is an error asking for an explicit id.
   */
  async findLoadBalancerByAddress(address: string, vpcId: string): Promise<LoadBalancer | undefined> {
    const found = (await this.listAllLoadBalancers({ address, vpcId, addressType: 'intranet' })).filter(
      (loadBalancer) => loadBalancer.address === address,
    );
    if (found.length <= 1) return found[0];
    throw new CloudError({
      product: 'SLB',
      action: 'DescribeLoadBalancers',
      resourceId: address,
      code: 'AmbiguousLoadBalancer',
      message: `${found.length} load balancers answer at ${address} in ${vpcId}: ${found.map((loadBalancer) => loadBalancer.loadBalancerId).join(', ')}; name the one to use explicitly`,
      retryable: false,
    });
  }
}

function loadBalancerOf(object: WireObject): LoadBalancer[] {
  const loadBalancerId = text(object, 'LoadBalancerId');
  if (!loadBalancerId) return [];
  return [
    {
      loadBalancerId,
      loadBalancerName: text(object, 'LoadBalancerName'),
      address: text(object, 'Address'),
      addressType: text(object, 'AddressType'),
      networkType: text(object, 'NetworkType'),
      vpcId: text(object, 'VpcId'),
      vSwitchId: text(object, 'VSwitchId'),
      loadBalancerStatus: text(object, 'LoadBalancerStatus'),
      masterZoneId: text(object, 'MasterZoneId'),
      slaveZoneId: text(object, 'SlaveZoneId'),
    },
  ];
}
