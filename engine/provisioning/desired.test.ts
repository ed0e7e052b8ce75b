import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterPairedZones, desiredState, placementsIn } from './desired';
import type { DesiredInputs } from './model';

const FIXTURES = join(__dirname, 'fixtures');
const read = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as T;
const C1 = 'c84974f524e2045c87dccadff91a71708';
const C2 = 'cab1659d273777fbbeb08d1f747ad55b7';

describe('desiredState', () => {
  test('the two-cluster world: each link only in the zones both ends and the load balancer share', () => {
    expect(desiredState(read<DesiredInputs>('inputs-two-clusters'))).toEqual(read('desired-two-clusters'));
  });

  test("the Pilot service covers the union of every cluster's paired zones, even clusters not read in this run", () => {
    const inputs = read<DesiredInputs>('inputs-two-clusters');
    delete inputs.clusterFacts[C2];
    const desired = desiredState(inputs);
    expect(desired.pilotService.zones).toEqual(['cn-hangzhou-j', 'cn-hangzhou-k']);
    expect(desired.links.map((link) => `${link.link}/${link.clusterId}`)).toEqual([`apiserver/${C1}`, `pilot/${C1}`]);
  });

  test('a load balancer whose zones are unknown (an NLB) is taken to serve every paired zone', () => {
    const inputs = read<DesiredInputs>('inputs-two-clusters');
    inputs.clusterFacts[C1]!.apiServerLoadBalancer = { loadBalancerId: 'nlb-c1', kind: 'nlb' };
    inputs.clusters[0]!.vSwitches.push({ vSwitchId: 'vsw-c1kkkkkkkkkkkkkkkk', zoneId: 'cn-hangzhou-k' });
    const desired = desiredState(inputs);
    expect(desired.apiServerServices[C1]).toEqual({
      loadBalancer: { loadBalancerId: 'nlb-c1', kind: 'nlb' },
      zones: ['cn-hangzhou-j', 'cn-hangzhou-k'],
    });
    expect(desired.links.find((link) => link.link === 'apiserver' && link.clusterId === C1)?.endpointZones).toEqual([
      { vSwitchId: 'vsw-bp10w1gdt1pw6srb8dy0i', zoneId: 'cn-hangzhou-j' },
      { vSwitchId: 'vsw-bp1cofkccijnjju314wym', zoneId: 'cn-hangzhou-k' },
    ]);
  });

  test('an API server load balancer in none of the paired zones is a problem that names the zones', () => {
    const inputs = read<DesiredInputs>('inputs-two-clusters');
    inputs.clusterFacts[C2]!.apiServerLoadBalancer!.zoneIds = ['cn-hangzhou-i'];
    const desired = desiredState(inputs);
    expect(desired.problems).toEqual([
      {
        clusterId: C2,
        message: `the API server load balancer of cluster ${C2} lb-bp1sui76uf7xxd5korkdo serves cn-hangzhou-i, none of the zones cluster ${C2} pairs in (cn-hangzhou-k): PrivateLink cannot place the endpoint. Use vSwitches in a zone the load balancer serves.`,
      },
    ]);
    // The Pilot link of that cluster is still planned.
    expect(desired.links.filter((link) => link.clusterId === C2).map((link) => link.link)).toEqual(['pilot']);
  });

  test('the vendor example pairing cn-hangzhou-j with cn-hangzhou-i is a problem naming both sides', () => {
    const inputs = read<DesiredInputs>('inputs-two-clusters');
    inputs.asmVSwitches = [{ vSwitchId: 'vsw-bp1l5hini55sstnwd2skf', zoneId: 'cn-hangzhou-i' }];
    inputs.clusters = [
      { clusterId: C2, vSwitches: [{ vSwitchId: 'vsw-bp1jsgsanpvxpj32yai50', zoneId: 'cn-hangzhou-j' }] },
    ];
    expect(desiredState(inputs).problems.map((problem) => problem.message)).toEqual([
      `cluster ${C2} has vSwitches in cn-hangzhou-j and the ASM side in cn-hangzhou-i: no zone pairs. Add a vSwitch in a shared zone (connect --vswitch) on either side.`,
    ]);
  });
});

describe('zone pairing', () => {
  test('paired zones are the cluster zones the ASM side also has, sorted', () => {
    const asm = [
      { vSwitchId: 'vsw-a1', zoneId: 'cn-hangzhou-k' },
      { vSwitchId: 'vsw-a2', zoneId: 'cn-hangzhou-j' },
    ];
    const cluster = {
      clusterId: C1,
      vSwitches: [
        { vSwitchId: 'vsw-c1', zoneId: 'cn-hangzhou-k' },
        { vSwitchId: 'vsw-c2', zoneId: 'cn-hangzhou-i' },
        { vSwitchId: 'vsw-c3', zoneId: 'cn-hangzhou-j' },
      ],
    };
    expect(clusterPairedZones(cluster, asm)).toEqual(['cn-hangzhou-j', 'cn-hangzhou-k']);
  });

  test('one interface per zone: the first vSwitch of each wanted zone, in zone order', () => {
    const vSwitches = [
      { vSwitchId: 'vsw-k1', zoneId: 'cn-hangzhou-k' },
      { vSwitchId: 'vsw-j1', zoneId: 'cn-hangzhou-j' },
      { vSwitchId: 'vsw-j2', zoneId: 'cn-hangzhou-j' },
    ];
    expect(placementsIn(vSwitches, ['cn-hangzhou-j', 'cn-hangzhou-k', 'cn-hangzhou-i'])).toEqual([
      { vSwitchId: 'vsw-j1', zoneId: 'cn-hangzhou-j' },
      { vSwitchId: 'vsw-k1', zoneId: 'cn-hangzhou-k' },
    ]);
  });
});
