import answers from './fixtures/mesh-answers.json';
import type { Cloud } from './index';
import { parseHostPort } from './mesh';
import { cloudAt } from './testkit/cloud-at';
import { type RecordingServer, startRecordingServer } from './testkit/recording-server';

const MESH = 'cb8963379255149cb98c8686f274x0000';
const CLUSTER = 'c0123456789abcdef0123456789abcdef';

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

it('DescribeServiceMeshDetail sends ServiceMeshId in the form body and maps network and Pilot address', async () => {
  const mesh = await cloud.mesh.describeServiceMeshDetail(MESH);
  const request = server.requests[0]!;
  expect([request.action, request.headers['x-acs-version'], request.query, request.form]).toEqual([
    'DescribeServiceMeshDetail',
    '2020-01-11',
    {},
    { ServiceMeshId: MESH },
  ]);
  expect(mesh).toEqual({
    serviceMeshId: MESH,
    name: 'mesh-1',
    regionId: 'cn-hangzhou',
    state: 'running',
    version: 'v1.22.6.71',
    vpcId: 'vpc-bp1asmvpc00000000000',
    securityGroupId: 'sg-bp1asmsg000000000000',
    vSwitchIds: ['vsw-bp1l5hini55sstnwd2skf'],
    intranetPilotEndpoint: '192.168.1.20:15011',
    pilotAddress: { host: '192.168.1.20', port: 15011 },
    apiServerLoadBalancerId: 'lb-bp1asmapi00000000000',
    pilotPublicLoadBalancerId: 'lb-bp1pilotpublic0000000',
    clusterIds: [CLUSTER],
  });
});

it('DescribeClustersInServiceMesh sends ServiceMeshId in the query and maps SgId', async () => {
  const clusters = await cloud.mesh.describeClustersInServiceMesh(MESH);
  expect(server.requests.map((request) => [request.query, request.form])).toEqual([[{ ServiceMeshId: MESH }, {}]]);
  expect(clusters).toEqual([
    {
      clusterId: CLUSTER,
      name: 'data-plane-1',
      regionId: 'cn-hangzhou',
      vpcId: 'vpc-bp1ackvpc00000000000',
      securityGroupId: 'sg-bp1acksg000000000000',
      state: 'running',
      clusterType: 'ManagedKubernetes',
      version: '1.30.1-aliyun.1',
      errorMessage: undefined,
    },
  ]);
});

it('AddClusterIntoServiceMesh sends both ids in the form body', async () => {
  expect(await cloud.mesh.addClusterIntoServiceMesh(MESH, CLUSTER)).toEqual({ requestId: 'M3', alreadyMember: false });
  expect(server.requests.map((request) => [request.query, request.form])).toEqual([
    [{}, { ServiceMeshId: MESH, ClusterId: CLUSTER }],
  ]);
});

it.each([
  ['192.168.1.20:15011', { host: '192.168.1.20', port: 15011 }],
  ['192.168.1.20', { host: '192.168.1.20' }],
  ['[fd00::1]:15011', { host: 'fd00::1', port: 15011 }],
  ['fd00::1', { host: 'fd00::1' }],
  ['', undefined],
  [undefined, undefined],
])('parseHostPort(%p)', (value, expected) => {
  expect(parseHostPort(value)).toEqual(expected);
});
