// SLB (CLB) 2014-05-15 (RPC): DescribeLoadBalancers, used to find the mesh's private Pilot load
// balancer from the IntranetPilotEndpoint IP (the mesh API names only the public one).
import { pageByNumber } from '../pagination';
import type { WorldLoadBalancer } from '../world';
import type { RpcAction, RpcProduct } from './product';
import { requireRegion } from './product';

const MAX_IDS = 10;

const describeLoadBalancers: RpcAction = {
  mutating: false,
  handle(context) {
    const { cloud, params, caller } = context;
    const regionId = requireRegion(context);
    const ids = params
      .optionalString('LoadBalancerId')
      ?.split(',')
      .map((id) => id.trim())
      .slice(0, MAX_IDS);
    const address = params.optionalString('Address');
    const addressType = params.optionalEnum('AddressType', ['intranet', 'internet'] as const);
    const vpcId = params.optionalString('VpcId');
    const vSwitchId = params.optionalString('VSwitchId');
    const name = params.optionalString('LoadBalancerName');
    const networkType = params.optionalEnum('NetworkType', ['vpc', 'classic'] as const);
    const matching = cloud.world.loadBalancers.filter(
      (lb) =>
        // Only CLB instances: NLB and ALB are other products with other APIs.
        lb.loadBalancerId.startsWith('lb-') &&
        cloud.vpcOwner(lb.vpcId) === caller.accountId &&
        (ids === undefined || ids.includes(lb.loadBalancerId)) &&
        (address === undefined || lb.address === address) &&
        (addressType === undefined || lb.addressType === addressType) &&
        (vpcId === undefined || lb.vpcId === vpcId) &&
        (vSwitchId === undefined || lb.vSwitchId === vSwitchId) &&
        (name === undefined || lb.name === name) &&
        (networkType === undefined || networkType === 'vpc'),
    );
    const page = pageByNumber(matching, params, { max: 100, default: 10 });
    return {
      LoadBalancers: { LoadBalancer: page.items.map((lb) => loadBalancerView(lb, regionId)) },
      TotalCount: page.totalCount,
      PageNumber: page.pageNumber,
      PageSize: page.pageSize,
    };
  },
};

function loadBalancerView(lb: WorldLoadBalancer, regionId: string): Record<string, unknown> {
  return {
    LoadBalancerId: lb.loadBalancerId,
    LoadBalancerName: lb.name ?? lb.loadBalancerId,
    LoadBalancerStatus: 'active',
    Address: lb.address,
    AddressType: lb.addressType,
    AddressIPVersion: 'ipv4',
    NetworkType: 'vpc',
    VpcId: lb.vpcId,
    VSwitchId: lb.vSwitchId,
    MasterZoneId: lb.zoneIds[0] ?? '',
    SlaveZoneId: lb.zoneIds[1] ?? '',
    RegionId: regionId,
    RegionIdAlias: regionId,
    LoadBalancerSpec: 'slb.s2.small',
    PayType: 'PayOnDemand',
    InstanceChargeType: 'PayBySpec',
    InternetChargeType: 'paybytraffic',
    InternetChargeTypeAlias: 'paybytraffic',
    DeleteProtection: 'off',
    ModificationProtectionStatus: 'NonProtection',
    ModificationProtectionReason: '',
    ResourceGroupId: 'rg-default',
    CreateTime: '2024-01-01T00:00Z',
    CreateTimeStamp: 1704067200000,
    Bandwidth: 0,
    Tags: { Tag: [] },
  };
}

export const slb: RpcProduct = {
  style: 'RPC',
  name: 'slb',
  code: 'Slb',
  version: '2014-05-15',
  hostId: (regionId) => `slb.${regionId}.aliyuncs.com`,
  clientTokens: false,
  actions: { DescribeLoadBalancers: describeLoadBalancers },
};
