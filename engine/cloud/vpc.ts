/**
 * VPC 2016-04-28 (RPC) through `@alicloud/vpc20160428`: which zone and VPC a vSwitch is in, and the
 * vSwitches of a VPC.
 */
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';
import { type CloudContext, runtimeOptions } from './context';
import { collectNumberedPages, type NumberedPage, type PagingOptions } from './pagination';

export interface VSwitch {
  vSwitchId: string;
  vpcId?: string;
  zoneId?: string;
  cidrBlock?: string;
  /** `Pending` or `Available`. */
  status?: string;
  vSwitchName?: string;
  availableIpAddressCount?: number;
}

export interface VSwitchFilter {
  vpcId?: string;
  zoneId?: string;
  vSwitchId?: string;
}

/** The VPC API of one region. */
export class VpcClient {
  private readonly sdk: Vpc;

  constructor(
    private readonly context: CloudContext,
    config: $OpenApiUtil.Config,
  ) {
    this.sdk = new Vpc(config);
  }

  /** DescribeVSwitchAttributes: `InvalidVSwitchId.NotFound` when it does not exist. */
  async describeVSwitchAttributes(vSwitchId: string): Promise<VSwitch> {
    const request = new $Vpc.DescribeVSwitchAttributesRequest({ regionId: this.context.region, vSwitchId });
    const response = await this.context.runner.run(
      { product: 'VPC', action: 'DescribeVSwitchAttributes', mutating: false, idempotent: true, resourceId: vSwitchId },
      () => this.sdk.describeVSwitchAttributesWithOptions(request, runtimeOptions(this.context.timeouts)),
      (answer) => answer.body?.requestId,
    );
    const body = response.body ?? new $Vpc.DescribeVSwitchAttributesResponseBody({});
    return {
      vSwitchId: body.vSwitchId ?? vSwitchId,
      vpcId: body.vpcId,
      zoneId: body.zoneId,
      cidrBlock: body.cidrBlock,
      status: body.status,
      vSwitchName: body.vSwitchName,
      availableIpAddressCount: body.availableIpAddressCount,
    };
  }

  /** DescribeVSwitches: one page (PageSize ≤ 50). */
  async describeVSwitches(
    filter: VSwitchFilter & { pageNumber?: number; pageSize?: number },
  ): Promise<NumberedPage<VSwitch>> {
    const request = new $Vpc.DescribeVSwitchesRequest({
      regionId: this.context.region,
      vpcId: filter.vpcId,
      zoneId: filter.zoneId,
      vSwitchId: filter.vSwitchId,
      pageNumber: filter.pageNumber,
      pageSize: filter.pageSize,
    });
    const response = await this.context.runner.run(
      {
        product: 'VPC',
        action: 'DescribeVSwitches',
        mutating: false,
        idempotent: true,
        resourceId: filter.vpcId ?? filter.vSwitchId,
      },
      () => this.sdk.describeVSwitchesWithOptions(request, runtimeOptions(this.context.timeouts)),
      (answer) => answer.body?.requestId,
    );
    const body = response.body;
    const items = (body?.vSwitches?.vSwitch ?? []).flatMap((vSwitch) =>
      vSwitch.vSwitchId
        ? [
            {
              vSwitchId: vSwitch.vSwitchId,
              vpcId: vSwitch.vpcId,
              zoneId: vSwitch.zoneId,
              cidrBlock: vSwitch.cidrBlock,
              status: vSwitch.status,
              vSwitchName: vSwitch.vSwitchName,
              availableIpAddressCount: vSwitch.availableIpAddressCount,
            },
          ]
        : [],
    );
    return { items, totalCount: body?.totalCount };
  }

  /** DescribeVSwitches, every page. */
  listAllVSwitches(filter: VSwitchFilter, paging?: PagingOptions): Promise<VSwitch[]> {
    return collectNumberedPages(
      { product: 'VPC', action: 'DescribeVSwitches' },
      (pageNumber, pageSize) => this.describeVSwitches({ ...filter, pageNumber, pageSize }),
      paging,
    );
  }
}
