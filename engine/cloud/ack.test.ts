import { apiServerLoadBalancerOf, type ClusterDetail, type ClusterResource, requireApiServerLoadBalancer } from './ack';
import { CloudError } from './errors';
import answers from './fixtures/ack-answers.json';
import type { Cloud } from './index';
import { cloudAt } from './testkit/cloud-at';
import { type RecordingServer, startRecordingServer } from './testkit/recording-server';

const CLUSTER = 'c0123456789abcdef0123456789abcdef';

let server: RecordingServer;
let cloud: Cloud;

beforeAll(async () => {
  server = await startRecordingServer((request) => {
    if (request.path === '/clusters/c-missing') {
      return {
        status: 404,
        body: { code: 'ErrorClusterNotFound', message: 'The cluster c-missing was not found.', requestId: 'R-404' },
      };
    }
    return { body: (answers as Record<string, unknown>)[request.action] };
  });
  cloud = cloudAt(server.url);
});
afterAll(() => server.stop());
beforeEach(() => {
  server.requests.length = 0;
});

describe('DescribeClusterDetail', () => {
  it('GETs /clusters/{id} and merges extra_sans with meta_data ExtraCertSAN', async () => {
    const detail = await cloud.ack.describeClusterDetail(CLUSTER);
    expect(server.requests.map((request) => [request.method, request.path, request.headers['x-acs-version']])).toEqual([
      ['GET', `/clusters/${CLUSTER}`, '2015-12-15'],
    ]);
    expect(detail).toEqual({
      clusterId: CLUSTER,
      name: 'data-plane-1',
      regionId: 'cn-hangzhou',
      clusterType: 'ManagedKubernetes',
      state: 'running',
      vpcId: 'vpc-bp1ackvpc00000000000',
      vSwitchIds: ['vsw-bp1jsgsanpvxpj32yai50', 'vsw-bp1kkkkkkkkkkkkkkkkkk'],
      securityGroupId: 'sg-bp1acksg000000000000',
      apiServerCertSans: ['api.example.com', '10.0.0.1', 'old.example.com'],
      apiServerEndpoint: '',
      intranetApiServerEndpoint: 'https://192.168.0.251:6443',
      controlPlaneLoadBalancers: [
        {
          loadBalancerId: 'nlb-0ogk9aaxxxxxxx',
          endpointType: 'private',
          endpoint: 'nlb-0ogk9aaxxxxxxx.cn-hangzhou.nlb.aliyuncsslb.com',
        },
      ],
    });
  });

  it('turns a missing cluster into a not-found CloudError naming the cluster', async () => {
    const error = await cloud.ack.describeClusterDetail('c-missing').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CloudError);
    expect(error).toMatchObject({
      product: 'ACK',
      action: 'DescribeClusterDetail',
      code: 'ErrorClusterNotFound',
      httpStatus: 404,
      requestId: 'R-404',
      retryable: false,
      notFound: true,
    });
    expect(String(error)).toBe(
      'ACK DescribeClusterDetail for c-missing failed: ErrorClusterNotFound (HTTP 404, request id R-404): The cluster c-missing was not found. Next: check that c-missing exists in this region and account.',
    );
    expect(server.requests).toHaveLength(1);
  });
});

describe('the API server load balancer', () => {
  it('is the k8s_master_slb resource when the cluster lists one', async () => {
    const found = requireApiServerLoadBalancer(
      await cloud.ack.describeClusterDetail(CLUSTER),
      await cloud.ack.describeClusterResources(CLUSTER),
    );
    expect(found).toEqual({
      loadBalancerId: 'lb-bp1apiserver00000000',
      kind: 'slb',
      source: 'cluster resources (k8s_master_slb)',
    });
    expect(server.requests.map((request) => request.path).sort()).toEqual([
      `/clusters/${CLUSTER}`,
      `/clusters/${CLUSTER}/resources`,
    ]);
  });

  const detail: ClusterDetail = {
    clusterId: CLUSTER,
    vSwitchIds: [],
    apiServerCertSans: [],
    controlPlaneLoadBalancers: [],
  };
  const ingress: ClusterResource = {
    resourceType: 'ALIYUN::SLB::LoadBalancer',
    instanceId: 'lb-ingress',
    resourceInfoId: 'k8s_ingress_slb',
  };

  it('is the private control-plane endpoint (an NLB) when no resource is marked', () => {
    const withNlb = {
      ...detail,
      controlPlaneLoadBalancers: [
        { loadBalancerId: 'lb-public', endpointType: 'public' },
        { loadBalancerId: 'nlb-1', endpointType: 'private' },
      ],
    };
    expect(apiServerLoadBalancerOf(withNlb, [ingress])).toEqual({
      loadBalancerId: 'nlb-1',
      kind: 'nlb',
      source: 'control plane endpoints',
    });
  });

  it('falls back to the first load balancer, as Terraform does', () => {
    expect(
      apiServerLoadBalancerOf(detail, [{ resourceType: 'ALIYUN::VPC::VPC', instanceId: 'vpc-1' }, ingress]),
    ).toEqual({
      loadBalancerId: 'lb-ingress',
      kind: 'slb',
      source: 'cluster resources (first load balancer)',
    });
  });

  it('is undefined when the cluster has none', () => {
    expect(apiServerLoadBalancerOf(detail, [])).toBeUndefined();
  });

  it('when required and the cluster has none, is an error naming the cluster', () => {
    let error: unknown;
    try {
      requireApiServerLoadBalancer(detail, []);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CloudError);
    expect(error).toMatchObject({
      product: 'ACK',
      action: 'DescribeClusterResources',
      resourceId: CLUSTER,
      code: 'ApiServerLoadBalancerNotFound',
      retryable: false,
    });
    expect((error as Error).message).toContain(
      `cluster ${CLUSTER} lists no load balancer in front of its API server (no k8s_master_slb resource, no control-plane endpoint)`,
    );
  });
});

describe('API server certificate SANs', () => {
  it('reads the current SANs', async () => {
    expect((await cloud.ack.describeClusterDetail(CLUSTER)).apiServerCertSans).toEqual([
      'api.example.com',
      '10.0.0.1',
      'old.example.com',
    ]);
  });

  it('appends with action "append" (never "overwrite") and a client_token', async () => {
    const result = await cloud.ack.appendApiServerCertSans(
      CLUSTER,
      ['ep-1.epsrv-1.cn-hangzhou.privatelink.aliyuncs.com', ' ep-1.epsrv-1.cn-hangzhou.privatelink.aliyuncs.com'],
      {
        clientToken: 'asmpvl-san-c0123',
      },
    );
    const request = server.requests[0]!;
    expect([request.method, request.path, request.headers['content-type']]).toEqual([
      'PUT',
      `/api/v2/clusters/${CLUSTER}`,
      'application/json; charset=utf-8',
    ]);
    expect(JSON.parse(request.body)).toEqual({
      api_server_custom_cert_sans: {
        action: 'append',
        subject_alternative_names: ['ep-1.epsrv-1.cn-hangzhou.privatelink.aliyuncs.com'],
      },
      client_token: 'asmpvl-san-c0123',
    });
    expect(result).toEqual({
      clusterId: CLUSTER,
      taskId: 'T-5a54309c80282e39ea00002f',
      requestId: '687C5BAA-D103-4993-884B-C35E4314A1E1',
    });
  });

  it('refuses an empty append without calling the cloud', async () => {
    await expect(cloud.ack.appendApiServerCertSans(CLUSTER, [' '])).rejects.toMatchObject({
      code: 'InvalidRequest',
      retryable: false,
    });
    expect(server.requests).toHaveLength(0);
  });
});

describe('DescribeTaskInfo', () => {
  it('GETs /tasks/{id} and maps state and error', async () => {
    const task = await cloud.ack.describeTaskInfo('T-5a54309c80282e39ea00002f');
    expect(server.requests[0]!.path).toBe('/tasks/T-5a54309c80282e39ea00002f');
    expect(task).toEqual({
      taskId: 'T-5a54309c80282e39ea00002f',
      clusterId: CLUSTER,
      taskType: 'cluster_update',
      state: 'fail',
      error: { code: '400', message: 'the certificate could not be issued' },
      created: '2026-11-25T12:00:00+08:00',
      updated: '2026-11-25T12:03:00+08:00',
    });
  });
});
