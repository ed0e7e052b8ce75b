// ACK through the real @alicloud/cs20151215 client: cluster details, resources, the SAN task.
import {
  DescribeClusterResourcesRequest,
  ModifyClusterRequest,
  ModifyClusterRequestApiServerCustomCertSans,
} from '@alicloud/cs20151215';
import { startEmulator, type RunningEmulator } from '../index';
import { directCloud } from '../testing/direct';
import { pollUntil, sdkClients } from '../testing/sdk';
import { twoClusters } from '../testing/worlds';
import { type ApiError } from '../errors';
import { applySanChange } from './ack';

const { world, cluster1, cluster2 } = twoClusters();
const TASK_MS = 60;

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ world, delays: { clusterTaskMs: TASK_MS } });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

function sansChange(action: string, names: string[]): ModifyClusterRequest {
  return new ModifyClusterRequest({
    apiServerCustomCertSans: new ModifyClusterRequestApiServerCustomCertSans({
      action,
      subjectAlternativeNames: names,
    }),
  });
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; statusCode: number; data: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the call to fail');
}

describe('DescribeClusterDetail', () => {
  it("answers the cluster's network, state and SANs in both places the API reports them", async () => {
    const { cs } = sdkClients(emulator);
    const { body } = await cs.describeClusterDetail(cluster1.clusterId);
    expect(body).toMatchObject({
      clusterId: cluster1.clusterId,
      name: 'ack-hz-1',
      regionId: 'cn-hangzhou',
      vpcId: cluster1.vpcId,
      vswitchIds: cluster1.vSwitchIds,
      securityGroupId: cluster1.securityGroupId,
      state: 'running',
      clusterType: 'ManagedKubernetes',
      extraSans: ['api.ack-hz-1.example.com'],
    });
    expect(JSON.parse(body!.metaData!).ExtraCertSAN).toEqual(['api.ack-hz-1.example.com']);
    expect(JSON.parse(body!.masterUrl!).intranet_api_server_endpoint).toBe('https://10.1.1.5:6443');
    expect(body!.controlPlaneEndpointsConfig?.loadBalancersConfig?.[0]?.loadBalancerId).toBe(
      cluster1.apiServerLoadBalancerId,
    );
  });

  it('omits extra_sans for old clusters that report SANs only in meta_data', async () => {
    const old = structuredClone(world);
    old.clusters[1]!.sansOnlyInMetaData = true;
    old.clusters[1]!.extraSans = ['legacy.example.com'];
    const legacy = await startEmulator({ world: old });
    try {
      const { body } = await sdkClients(legacy).cs.describeClusterDetail(cluster2.clusterId);
      expect(body!.extraSans).toBeUndefined();
      expect(JSON.parse(body!.metaData!).ExtraCertSAN).toEqual(['legacy.example.com']);
    } finally {
      await legacy.stop();
    }
  });

  it('refuses an unknown cluster with ErrorClusterNotFound (404) in the ROA error body', async () => {
    const error = await failure(sdkClients(emulator).cs.describeClusterDetail('c00000000000000000000000000000000'));
    expect([error.code, error.statusCode]).toEqual(['ErrorClusterNotFound', 404]);
    expect(Object.keys(error.data).sort()).toEqual(['code', 'message', 'requestId']);
  });
});

describe('DescribeClusterResources', () => {
  it('answers a bare array whose API server SLB item carries resource_info Id k8s_master_slb', async () => {
    const { body } = await sdkClients(emulator).cs.describeClusterResources(
      cluster1.clusterId,
      new DescribeClusterResourcesRequest({}),
    );
    const slbs = body!.filter((item) => item.resourceType === 'ALIYUN::SLB::LoadBalancer');
    expect(slbs).toHaveLength(1);
    expect(slbs[0]!.instanceId).toBe(cluster1.apiServerLoadBalancerId);
    expect(JSON.parse(slbs[0]!.resourceInfo!)).toMatchObject({
      Id: 'k8s_master_slb',
      Type: 'ALIYUN::SLB::LoadBalancer',
    });
    expect(body!.map((item) => item.resourceType)).toEqual([
      'ALIYUN::ECS::VPC',
      'ALIYUN::ECS::VSwitch',
      'ALIYUN::ECS::VSwitch',
      'ALIYUN::ECS::SecurityGroup',
      'ALIYUN::SLB::LoadBalancer',
    ]);
  });
});

describe('ModifyCluster (API server certificate SANs) and DescribeTaskInfo', () => {
  it('appends as a task: cluster updating and task running, then running/success with the SANs kept and added', async () => {
    const { cs } = sdkClients(emulator);
    const domain = 'ep-bp1i06bad79eb60c60.epsrv-bp1gqb8g1b8d7uactd.cn-hangzhou.privatelink.aliyuncs.com';
    const { body } = await cs.modifyCluster(cluster1.clusterId, sansChange('append', [domain]));
    expect(body).toMatchObject({
      clusterId: cluster1.clusterId,
      taskId: expect.stringMatching(/^T-[0-9a-f]{24}$/),
      requestId: expect.any(String),
    });
    expect((await cs.describeTaskInfo(body!.taskId!)).body!.state).toBe('running');
    expect((await cs.describeClusterDetail(cluster1.clusterId)).body!.state).toBe('updating');
    const task = await pollUntil(
      () => cs.describeTaskInfo(body!.taskId!),
      (response) => response.body!.state !== 'running',
    );
    expect(task.body).toMatchObject({ state: 'success', clusterId: cluster1.clusterId, taskId: body!.taskId });
    const detail = (await cs.describeClusterDetail(cluster1.clusterId)).body!;
    expect([detail.state, detail.extraSans]).toEqual(['running', ['api.ack-hz-1.example.com', domain]]);
    expect(emulator.state().clusterTasks).toEqual([
      expect.objectContaining({
        taskId: body!.taskId,
        sanAction: 'append',
        subjectAlternativeNames: [domain],
        state: 'success',
      }),
    ]);
  });

  it('ends a task in fail with the SANs unchanged when a failure is injected, and the next one succeeds', async () => {
    const { cs } = sdkClients(emulator);
    emulator.setFaults({ failClusterTasks: 1 });
    const failed = (await cs.modifyCluster(cluster1.clusterId, sansChange('append', ['a.example.com']))).body!;
    const task = await pollUntil(
      () => cs.describeTaskInfo(failed.taskId!),
      (response) => response.body!.state !== 'running',
    );
    expect(task.body).toMatchObject({ state: 'fail', error: { code: 'UpdateApiServerCertSANsFailed' } });
    expect((await cs.describeClusterDetail(cluster1.clusterId)).body).toMatchObject({
      state: 'running',
      extraSans: ['api.ack-hz-1.example.com'],
    });
    const retried = (await cs.modifyCluster(cluster1.clusterId, sansChange('append', ['a.example.com']))).body!;
    expect(
      (
        await pollUntil(
          () => cs.describeTaskInfo(retried.taskId!),
          (response) => response.body!.state !== 'running',
        )
      ).body!.state,
    ).toBe('success');
    expect((await cs.describeClusterDetail(cluster1.clusterId)).body!.extraSans).toEqual([
      'api.ack-hz-1.example.com',
      'a.example.com',
    ]);
  });

  it('refuses another change while the cluster is updating with ErrorClusterState', async () => {
    const { cs } = sdkClients(emulator);
    await cs.modifyCluster(cluster1.clusterId, sansChange('append', ['a.example.com']));
    const error = await failure(cs.modifyCluster(cluster1.clusterId, sansChange('append', ['b.example.com'])));
    expect([error.code, error.statusCode]).toEqual(['ErrorClusterState', 400]);
  });

  it.each([
    [
      'an action other than append or overwrite',
      sansChange('replace', ['a.example.com']),
      'IllegalParamFormat.api_server_custom_cert_sans.action',
    ],
    ['no names', sansChange('append', []), 'IllegalParamFormat.api_server_custom_cert_sans.subject_alternative_names'],
    [
      'a name that is not a DNS name or IP',
      sansChange('append', ['not a name!']),
      'IllegalParamFormat.api_server_custom_cert_sans.subject_alternative_names',
    ],
    [
      'no SAN change at all',
      new ModifyClusterRequest({ clusterName: 'renamed' }),
      'MissingParam.api_server_custom_cert_sans',
    ],
  ])('refuses %s', async (_, request, code) => {
    const error = await failure(sdkClients(emulator).cs.modifyCluster(cluster1.clusterId, request));
    expect([error.code, error.statusCode]).toEqual([code, 400]);
    expect(emulator.state().clusterTasks).toEqual([]);
  });

  it('refuses an unknown task with ErrorTaskNotFound (404)', async () => {
    const error = await failure(sdkClients(emulator).cs.describeTaskInfo('T-000000000000000000000000'));
    expect([error.code, error.statusCode]).toEqual(['ErrorTaskNotFound', 404]);
  });

  it('overwrite replaces every SAN (the emulator makes a plugin that overwrites visible)', () => {
    const cloud = directCloud(world, { clusterTaskMs: 10 });
    cloud.roa('ModifyCluster', [cluster1.clusterId], {
      api_server_custom_cert_sans: { action: 'overwrite', subject_alternative_names: ['only.example.com'] },
    });
    cloud.advance(10);
    expect(cloud.cloud.clusters.get(cluster1.clusterId)!.extraSans).toEqual(['only.example.com']);
  });

  it('refuses dedicated clusters, whose SANs are set at creation only', () => {
    const dedicated = structuredClone(world);
    dedicated.clusters[0]!.clusterType = 'Kubernetes';
    const cloud = directCloud(dedicated);
    let code = '';
    try {
      cloud.roa('ModifyCluster', [cluster1.clusterId], {
        api_server_custom_cert_sans: { action: 'append', subject_alternative_names: ['a.example.com'] },
      });
    } catch (error) {
      code = (error as ApiError).code;
    }
    expect(code).toBe('ErrorClusterType');
  });
});

describe('applySanChange', () => {
  it('append keeps what is there, adds new names once, in order', () => {
    expect(applySanChange(['a', 'b'], 'append', ['b', 'c', 'c'])).toEqual(['a', 'b', 'c']);
  });
  it('overwrite keeps only the given names', () => {
    expect(applySanChange(['a', 'b'], 'overwrite', ['c', 'c'])).toEqual(['c']);
  });
});
