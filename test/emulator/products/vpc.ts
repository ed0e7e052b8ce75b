// VPC 2016-04-28 (RPC): the reads the plugin makes to check vSwitches and VPCs.
import { ApiError } from '../errors';
import { pageByNumber } from '../pagination';
import type { WorldVpc, WorldVSwitch } from '../world';
import type { RpcAction, RpcContext, RpcProduct } from './product';
import { optionalRegion, requireRegion } from './product';

/** VSwitches of the caller's VPCs only: another account's resources do not exist for it. */
function visibleVSwitches(context: RpcContext): WorldVSwitch[] {
  return context.cloud.world.vSwitches.filter(
    (vSwitch) => context.cloud.vpcOwner(vSwitch.vpcId) === context.caller.accountId,
  );
}

function availableIps(vSwitch: WorldVSwitch): number {
  const bits = Number(vSwitch.cidrBlock.split('/')[1]);
  // The cloud reserves the first three and the last address of each vSwitch block.
  return Math.max(0, 2 ** (32 - bits) - 4);
}

function vSwitchView(context: RpcContext, vSwitch: WorldVSwitch): Record<string, unknown> {
  return {
    VSwitchId: vSwitch.vSwitchId,
    VSwitchName: vSwitch.name ?? '',
    VpcId: vSwitch.vpcId,
    ZoneId: vSwitch.zoneId,
    CidrBlock: vSwitch.cidrBlock,
    Status: 'Available',
    AvailableIpAddressCount: availableIps(vSwitch),
    Description: '',
    IsDefault: false,
    CreationTime: '2024-01-01T00:00:00Z',
    OwnerId: Number(context.cloud.vpcOwner(vSwitch.vpcId)),
    ResourceGroupId: 'rg-default',
    NetworkAclId: '',
    ShareType: '',
    EnabledIpv6: false,
    Ipv6CidrBlock: '',
    Tags: { Tag: [] },
  };
}

const describeVSwitchAttributes: RpcAction = {
  mutating: false,
  handle(context) {
    // RegionId is optional in the API reference; absent, the vSwitch is looked up in the world's
    // only region (assumed: the reference does not say which region is searched).
    optionalRegion(context);
    const vSwitchId = context.params.requiredString('VSwitchId');
    const vSwitch = visibleVSwitches(context).find((candidate) => candidate.vSwitchId === vSwitchId);
    if (!vSwitch)
      throw new ApiError('InvalidVSwitchId.NotFound', `Specified vSwitch does not exist: ${vSwitchId}.`, 404);
    return { ...vSwitchView(context, vSwitch), RouteTable: { RouteTableId: '', RouteTableType: 'System' } };
  },
};

const describeVSwitches: RpcAction = {
  mutating: false,
  handle(context) {
    const { params } = context;
    const vpcId = params.optionalString('VpcId');
    // RegionId or VpcId names where to look; RegionId, when given, must be this world's.
    if (params.has('RegionId') || vpcId === undefined) requireRegion(context);
    const vSwitchId = params.optionalString('VSwitchId');
    const zoneId = params.optionalString('ZoneId');
    const vSwitchName = params.optionalString('VSwitchName');
    params.optionalBoolean('IsDefault');
    const matching = visibleVSwitches(context).filter(
      (vSwitch) =>
        (vpcId === undefined || vSwitch.vpcId === vpcId) &&
        (vSwitchId === undefined || vSwitch.vSwitchId === vSwitchId) &&
        (zoneId === undefined || vSwitch.zoneId === zoneId) &&
        (vSwitchName === undefined || vSwitch.name === vSwitchName),
    );
    const page = pageByNumber(matching, params, { max: 50, default: 10 });
    return {
      VSwitches: { VSwitch: page.items.map((vSwitch) => vSwitchView(context, vSwitch)) },
      TotalCount: page.totalCount,
      PageNumber: page.pageNumber,
      PageSize: page.pageSize,
    };
  },
};

const describeVpcAttribute: RpcAction = {
  mutating: false,
  handle(context) {
    requireRegion(context);
    const vpcId = context.params.requiredString('VpcId');
    const vpc: WorldVpc | undefined = context.cloud.world.vpcs.find((candidate) => candidate.vpcId === vpcId);
    if (!vpc || context.cloud.vpcOwner(vpcId) !== context.caller.accountId) {
      throw new ApiError('InvalidVpcID.NotFound', `Specified VPC does not exist: ${vpcId}.`, 404);
    }
    return {
      VpcId: vpc.vpcId,
      VpcName: vpc.name ?? '',
      CidrBlock: vpc.cidrBlock,
      Status: 'Available',
      RegionId: context.cloud.world.regionId,
      IsDefault: false,
      Description: '',
      CreationTime: '2024-01-01T00:00:00Z',
      OwnerId: Number(context.cloud.vpcOwner(vpcId)),
      ResourceGroupId: 'rg-default',
      VRouterId: `vrt-${vpc.vpcId.slice(4)}`,
      VSwitchIds: {
        VSwitchId: context.cloud.world.vSwitches
          .filter((vSwitch) => vSwitch.vpcId === vpcId)
          .map((vSwitch) => vSwitch.vSwitchId),
      },
      SecondaryCidrBlocks: { SecondaryCidrBlock: [] },
      UserCidrs: { UserCidr: [] },
      EnabledIpv6: false,
      ClassicLinkEnabled: false,
      SupportIpv4Gateway: false,
      Tags: { Tag: [] },
    };
  },
};

export const vpc: RpcProduct = {
  style: 'RPC',
  name: 'vpc',
  code: 'Vpc',
  version: '2016-04-28',
  // cn-hangzhou is served by the central endpoint, other regions by vpc.<region>.
  hostId: (regionId) => (regionId === 'cn-hangzhou' ? 'vpc.aliyuncs.com' : `vpc.${regionId}.aliyuncs.com`),
  clientTokens: false,
  actions: {
    DescribeVSwitchAttributes: describeVSwitchAttributes,
    DescribeVSwitches: describeVSwitches,
    DescribeVpcAttribute: describeVpcAttribute,
  },
};
