import answers from './fixtures/slb-answers.json';
import type { Cloud } from './index';
import { cloudAt } from './testkit/cloud-at';
import { type RecordingServer, startRecordingServer } from './testkit/recording-server';

let server: RecordingServer;
let cloud: Cloud;
let reply: unknown = answers.DescribeLoadBalancers;

beforeAll(async () => {
  server = await startRecordingServer(() => ({ body: reply }));
  cloud = cloudAt(server.url);
});
afterAll(() => server.stop());
beforeEach(() => {
  server.requests.length = 0;
  reply = answers.DescribeLoadBalancers;
});

it('finds the internal load balancer at an address in a VPC', async () => {
  const found = await cloud.slb.findLoadBalancerByAddress('192.168.1.20', 'vpc-bp1asmvpc00000000000');
  expect(server.requests.map((request) => [request.action, request.headers['x-acs-version'], request.query])).toEqual([
    [
      'DescribeLoadBalancers',
      '2014-05-15',
      {
        RegionId: 'cn-hangzhou',
        Address: '192.168.1.20',
        VpcId: 'vpc-bp1asmvpc00000000000',
        AddressType: 'intranet',
        PageNumber: '1',
        PageSize: '50',
      },
    ],
  ]);
  expect(found).toEqual({
    loadBalancerId: 'lb-bp1pilotprivate000000',
    loadBalancerName: 'istiod',
    address: '192.168.1.20',
    addressType: 'intranet',
    networkType: 'vpc',
    vpcId: 'vpc-bp1asmvpc00000000000',
    vSwitchId: 'vsw-bp1l5hini55sstnwd2skf',
    loadBalancerStatus: 'active',
    masterZoneId: 'cn-hangzhou-j',
    slaveZoneId: 'cn-hangzhou-k',
  });
});

it('answers undefined when nothing is at the address', async () => {
  reply = { RequestId: 'S2', TotalCount: 0, LoadBalancers: { LoadBalancer: [] } };
  expect(await cloud.slb.findLoadBalancerByAddress('192.168.1.99', 'vpc-1')).toBeUndefined();
});

it('refuses to guess between two load balancers at one address', async () => {
  const one = answers.DescribeLoadBalancers.LoadBalancers.LoadBalancer[0]!;
  reply = {
    RequestId: 'S3',
    TotalCount: 2,
    LoadBalancers: { LoadBalancer: [one, { ...one, LoadBalancerId: 'lb-other' }] },
  };
  await expect(cloud.slb.findLoadBalancerByAddress('192.168.1.20', 'vpc-bp1asmvpc00000000000')).rejects.toMatchObject({
    code: 'AmbiguousLoadBalancer',
    message:
      '2 load balancers answer at 192.168.1.20 in vpc-bp1asmvpc00000000000: lb-bp1pilotprivate000000, lb-other; name the one to use explicitly',
  });
});
