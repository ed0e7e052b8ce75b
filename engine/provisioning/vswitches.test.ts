import type { ProvisioningCloud } from './cloud-port';
import { resolveVSwitches } from './vswitches';

function vpcPort(listed: string[]) {
  const calls: string[] = [];
  const vSwitch = (vSwitchId: string) => ({ vSwitchId, vpcId: 'vpc-1', zoneId: `zone-of-${vSwitchId}` });
  const port = {
    listVpcVSwitches: async (vpcId: string) => {
      calls.push(`DescribeVSwitches ${vpcId}`);
      return listed.map(vSwitch);
    },
    describeVSwitch: async (vSwitchId: string) => {
      calls.push(`DescribeVSwitchAttributes ${vSwitchId}`);
      return vSwitch(vSwitchId);
    },
  } as unknown as ProvisioningCloud;
  return { port, calls };
}

describe('resolveVSwitches', () => {
  test("a cluster's vSwitches come from one list of its VPC; one the list lacks is read alone", async () => {
    const { port, calls } = vpcPort(['vsw-a', 'vsw-b']);
    const given = ['vsw-a', 'vsw-b', 'vsw-c'].map((vSwitchId) => ({ vSwitchId }));
    const resolved = await resolveVSwitches(port, 'the vSwitch of cluster c1', given, false, 'vpc-1');
    expect(resolved.map((found) => `${found.vSwitchId}:${found.zoneId}`)).toEqual([
      'vsw-a:zone-of-vsw-a',
      'vsw-b:zone-of-vsw-b',
      'vsw-c:zone-of-vsw-c',
    ]);
    expect(calls).toEqual(['DescribeVSwitches vpc-1', 'DescribeVSwitchAttributes vsw-c']);
  });

  test('without a VPC, or for a single vSwitch, each is read alone', async () => {
    const { port, calls } = vpcPort(['vsw-a']);
    await resolveVSwitches(port, '--vswitch', [{ vSwitchId: 'vsw-a' }, { vSwitchId: 'vsw-b' }], true);
    await resolveVSwitches(port, 'the vSwitch of cluster c1', [{ vSwitchId: 'vsw-a' }], false, 'vpc-1');
    expect(calls).toEqual([
      'DescribeVSwitchAttributes vsw-a',
      'DescribeVSwitchAttributes vsw-b',
      'DescribeVSwitchAttributes vsw-a',
    ]);
  });
});
