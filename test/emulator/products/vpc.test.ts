// VPC through the real @alicloud/vpc20160428 client.
import {
  DescribeVpcAttributeRequest,
  DescribeVSwitchAttributesRequest,
  DescribeVSwitchesRequest,
} from '@alicloud/vpc20160428';
import { makeWorld } from '../world-generator';
import { startEmulator, type RunningEmulator } from '../index';
import { sdkClients } from '../testing/sdk';
import { twoClusters } from '../testing/worlds';

const { world, mesh, cluster1 } = twoClusters();

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ world });
});
afterAll(() => emulator.stop());

async function failure(promise: Promise<unknown>): Promise<{ code: string; statusCode: number }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the call to fail');
}

describe('VPC', () => {
  it("DescribeVSwitchAttributes answers a vSwitch's VPC, zone and block", async () => {
    const { vpc } = sdkClients(emulator);
    const vSwitchId = cluster1.vSwitchIds[1]!;
    const { body } = await vpc.describeVSwitchAttributes(
      new DescribeVSwitchAttributesRequest({ regionId: 'cn-hangzhou', vSwitchId }),
    );
    expect(body).toMatchObject({
      vSwitchId,
      vpcId: cluster1.vpcId,
      zoneId: 'cn-hangzhou-i',
      cidrBlock: '10.1.2.0/24',
      status: 'Available',
      availableIpAddressCount: 252,
    });
  });

  it('DescribeVSwitchAttributes refuses an unknown vSwitch with InvalidVSwitchId.NotFound (404)', async () => {
    const error = await failure(
      sdkClients(emulator).vpc.describeVSwitchAttributes(
        new DescribeVSwitchAttributesRequest({ regionId: 'cn-hangzhou', vSwitchId: 'vsw-bp1nothere000000000000' }),
      ),
    );
    expect([error.code, error.statusCode]).toEqual(['InvalidVSwitchId.NotFound', 404]);
  });

  it('DescribeVSwitches filters by VPC and zone and pages by PageNumber/PageSize', async () => {
    const big = await startEmulator({ world: makeWorld({ clusters: 12 }) });
    try {
      const { vpc } = sdkClients(big);
      const page = async (pageNumber: number) =>
        (
          await vpc.describeVSwitches(
            new DescribeVSwitchesRequest({ regionId: 'cn-hangzhou', pageSize: 10, pageNumber }),
          )
        ).body!;
      const pages = [await page(1), await page(2), await page(3), await page(4)];
      expect(pages.map((body) => body.vSwitches!.vSwitch!.length)).toEqual([10, 10, 6, 0]);
      expect(pages.map((body) => [body.totalCount, body.pageNumber, body.pageSize])).toEqual([
        [26, 1, 10],
        [26, 2, 10],
        [26, 3, 10],
        [26, 4, 10],
      ]);
      const inZone = (
        await vpc.describeVSwitches(
          new DescribeVSwitchesRequest({ vpcId: big.world.serviceMesh.vpcId, zoneId: 'cn-hangzhou-k' }),
        )
      ).body!;
      expect(inZone.vSwitches!.vSwitch!.map((vSwitch) => vSwitch.zoneId)).toEqual(['cn-hangzhou-k']);
      const tooBig = await failure(
        vpc.describeVSwitches(new DescribeVSwitchesRequest({ regionId: 'cn-hangzhou', pageSize: 51 })),
      );
      expect(tooBig.code).toBe('IllegalParamFormat.PageSize');
    } finally {
      await big.stop();
    }
  });

  it('DescribeVpcAttribute answers the VPC and its vSwitches, InvalidVpcID.NotFound (404) for others', async () => {
    const { vpc } = sdkClients(emulator);
    const { body } = await vpc.describeVpcAttribute(
      new DescribeVpcAttributeRequest({ regionId: 'cn-hangzhou', vpcId: mesh.vpcId }),
    );
    expect(body).toMatchObject({ vpcId: mesh.vpcId, cidrBlock: '192.168.0.0/16', status: 'Available' });
    expect(body!.vSwitchIds!.vSwitchId).toEqual(mesh.vSwitchIds);
    const error = await failure(
      vpc.describeVpcAttribute(
        new DescribeVpcAttributeRequest({ regionId: 'cn-hangzhou', vpcId: 'vpc-bp1nothere0000000000' }),
      ),
    );
    expect([error.code, error.statusCode]).toEqual(['InvalidVpcID.NotFound', 404]);
  });
});
