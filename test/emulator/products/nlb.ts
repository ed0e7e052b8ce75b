// NLB 2022-04-30 (RPC): GetLoadBalancerAttribute, which names an NLB's zones (ZoneMappings) — how
// the plugin learns where an API server behind an NLB can be placed behind an endpoint service.
// Field names from the generated SDK model (nlb-20220430 GetLoadBalancerAttributeResponseBody).
import { ApiError } from '../errors';
import type { WorldLoadBalancer } from '../world';
import type { Cloud } from '../cloud';
import type { RpcAction, RpcProduct } from './product';
import { optionalRegion } from './product';

/** The vSwitch an NLB uses in a zone: its own in its first zone, else one of its VPC in that zone. */
function vSwitchIn(cloud: Cloud, lb: WorldLoadBalancer, zoneId: string): string {
  if (cloud.vSwitch(lb.vSwitchId)?.zoneId === zoneId) return lb.vSwitchId;
  return (
    cloud.world.vSwitches.find((vSwitch) => vSwitch.vpcId === lb.vpcId && vSwitch.zoneId === zoneId)?.vSwitchId ??
    lb.vSwitchId
  );
}

const getLoadBalancerAttribute: RpcAction = {
  mutating: false,
  handle(context) {
    const { cloud, params, caller } = context;
    optionalRegion(context);
    const loadBalancerId = params.requiredString('LoadBalancerId');
    const lb = cloud.loadBalancer(loadBalancerId);
    // NLB ids only: a CLB is another product. The code and status are assumed (NLB's error table
    // lists ResourceNotFound.loadBalancer; its status was not confirmed).
    if (!lb || !loadBalancerId.startsWith('nlb-') || cloud.vpcOwner(lb.vpcId) !== caller.accountId) {
      throw new ApiError(
        'ResourceNotFound.loadBalancer',
        `The specified resource ${loadBalancerId} is not found.`,
        404,
      );
    }
    params.endDryRun();
    const regionId = cloud.world.regionId;
    return {
      LoadBalancerId: lb.loadBalancerId,
      LoadBalancerName: lb.name ?? lb.loadBalancerId,
      LoadBalancerStatus: 'Active',
      LoadBalancerBusinessStatus: 'Normal',
      LoadBalancerType: 'Network',
      AddressType: lb.addressType === 'intranet' ? 'Intranet' : 'Internet',
      AddressIpVersion: 'ipv4',
      VpcId: lb.vpcId,
      RegionId: regionId,
      DNSName: `${lb.loadBalancerId}.${regionId}.nlb.aliyuncsslb.com`,
      CrossZoneEnabled: true,
      ResourceGroupId: 'rg-default',
      CreateTime: '2024-01-01T00:00:00Z',
      ZoneMappings: lb.zoneIds.map((zoneId, index) => ({
        ZoneId: zoneId,
        VSwitchId: vSwitchIn(cloud, lb, zoneId),
        Status: 'Active',
        LoadBalancerAddresses: [
          {
            // The world gives one address; the other zones' are made up beside it.
            PrivateIPv4Address:
              index === 0 ? lb.address : lb.address.replace(/\d+$/, (last) => String((Number(last) + index) % 255)),
            EniId: `eni-${lb.loadBalancerId.slice(4, 12)}${index}`,
            PrivateIPv4HcStatus: 'Healthy',
          },
        ],
      })),
      OperationLocks: [],
      Tags: [],
    };
  },
};

export const nlb: RpcProduct = {
  style: 'RPC',
  name: 'nlb',
  code: 'Nlb',
  version: '2022-04-30',
  hostId: (regionId) => `nlb.${regionId}.aliyuncs.com`,
  clientTokens: true,
  actions: { GetLoadBalancerAttribute: getLoadBalancerAttribute },
};
