// NLB against the emulator, through the real signing: an NLB's zones (GetLoadBalancerAttribute),
// and an ACK cluster whose API server is behind an NLB.
import { NLB_APISERVER_WORLD, type RunningEmulator, startEmulator } from '../../test/emulator';
import { requireApiServerLoadBalancer } from './ack';
import type { Cloud } from './index';
import { servingZones } from './nlb';
import { cloudFor } from './testkit/emulated-cloud';

const NLB_ID = 'nlb-wy4a2b9c8d7e6f5g4h';
const ACK2 = 'cab1659d273777fbbeb08d1f747ad55b7';

let emulator: RunningEmulator;
let cloud: Cloud;

beforeAll(async () => {
  emulator = await startEmulator({ world: NLB_APISERVER_WORLD, seed: 3 });
  cloud = cloudFor(emulator);
});
afterAll(() => emulator.stop());

test('GetLoadBalancerAttribute answers the zones the NLB serves, each with its vSwitch and address', async () => {
  const nlb = await cloud.nlb.getLoadBalancerAttribute(NLB_ID);
  expect(nlb).toMatchObject({
    loadBalancerId: NLB_ID,
    loadBalancerStatus: 'Active',
    addressType: 'Intranet',
    vpcId: 'vpc-bp1rlcfvf8gpz2ldcegqj',
  });
  expect(nlb.zoneMappings.map((zone) => [zone.zoneId, zone.status, zone.privateAddresses.length])).toEqual([
    ['cn-hangzhou-k', 'Active', 1],
    ['cn-hangzhou-j', 'Active', 1],
  ]);
  expect(nlb.zoneMappings[0]!.vSwitchId).toBe('vsw-bp1ta6xjvp98ptjwml7er');
  expect(servingZones(nlb)).toEqual(['cn-hangzhou-k', 'cn-hangzhou-j']);
  expect(emulator.requests().at(-1)).toMatchObject({ product: 'nlb', action: 'GetLoadBalancerAttribute', status: 200 });
});

test('a CLB id or an unknown id is not an NLB: ResourceNotFound.loadBalancer, a not-found', async () => {
  for (const id of ['lb-bp1lr2uy9cv2vqpy7jr0a', 'nlb-doesnotexist00000000']) {
    await expect(cloud.nlb.getLoadBalancerAttribute(id)).rejects.toMatchObject({
      code: 'ResourceNotFound.loadBalancer',
      notFound: true,
      resourceId: id,
    });
  }
});

test('a stopped or shifted zone is not one an endpoint service can use', () => {
  expect(
    servingZones({
      loadBalancerId: NLB_ID,
      zoneMappings: [
        { zoneId: 'cn-hangzhou-k', status: 'Active', privateAddresses: [] },
        { zoneId: 'cn-hangzhou-j', status: 'Shifted', privateAddresses: [] },
        { zoneId: 'cn-hangzhou-i', status: 'Stopped', privateAddresses: [] },
      ],
    }),
  ).toEqual(['cn-hangzhou-k']);
});

test("ACK names the NLB as the cluster's API server load balancer (a private control-plane endpoint)", async () => {
  const [detail, resources] = await Promise.all([
    cloud.ack.describeClusterDetail(ACK2),
    cloud.ack.describeClusterResources(ACK2),
  ]);
  expect(requireApiServerLoadBalancer(detail, resources)).toEqual({
    loadBalancerId: NLB_ID,
    kind: 'nlb',
    source: 'control plane endpoints',
  });
});
