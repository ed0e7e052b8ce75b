import answers from './fixtures/vpc-answers.json';
import type { Cloud } from './index';
import { cloudAt } from './testkit/cloud-at';
import { type RecordingServer, startRecordingServer } from './testkit/recording-server';

let server: RecordingServer;
let cloud: Cloud;

beforeAll(async () => {
  server = await startRecordingServer((request) => ({ body: (answers as Record<string, unknown>)[request.action] }));
  cloud = cloudAt(server.url);
});
afterAll(() => server.stop());
beforeEach(() => {
  server.requests.length = 0;
});

it('DescribeVSwitchAttributes gives the zone and VPC of a vSwitch', async () => {
  const vSwitch = await cloud.vpc.describeVSwitchAttributes('vsw-bp1jsgsanpvxpj32yai50');
  expect(server.requests.map((request) => [request.action, request.headers['x-acs-version'], request.query])).toEqual([
    ['DescribeVSwitchAttributes', '2016-04-28', { RegionId: 'cn-hangzhou', VSwitchId: 'vsw-bp1jsgsanpvxpj32yai50' }],
  ]);
  expect(vSwitch).toEqual({
    vSwitchId: 'vsw-bp1jsgsanpvxpj32yai50',
    vpcId: 'vpc-bp1ackvpc00000000000',
    zoneId: 'cn-hangzhou-j',
    cidrBlock: '192.168.0.0/24',
    status: 'Available',
    vSwitchName: 'ack-j',
    availableIpAddressCount: 250,
  });
});

it('DescribeVSwitches pages by number until TotalCount is reached', async () => {
  const vSwitches = await cloud.vpc.listAllVSwitches({ vpcId: 'vpc-bp1ackvpc00000000000' });
  expect(server.requests.map((request) => request.query)).toEqual([
    { RegionId: 'cn-hangzhou', VpcId: 'vpc-bp1ackvpc00000000000', PageNumber: '1', PageSize: '50' },
  ]);
  expect(vSwitches.map((vSwitch) => [vSwitch.vSwitchId, vSwitch.zoneId])).toEqual([
    ['vsw-bp1jsgsanpvxpj32yai50', 'cn-hangzhou-j'],
    ['vsw-bp1kkkkkkkkkkkkkkkkkk', 'cn-hangzhou-k'],
  ]);
});
