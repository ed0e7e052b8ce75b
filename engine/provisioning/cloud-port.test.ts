import type { Cloud } from '../cloud';
import type { ClusterDetail } from '../cloud/ack';
import { CloudError } from '../cloud/errors';
import { provisioningCloud, RunReads } from './cloud-port';

const CLUSTER = 'c84974f524e2045c87dccadff91a71708';

/** An ACK whose cluster detail changes with each ModifyCluster, counting the calls. */
function fakeCloud() {
  const calls: string[] = [];
  let sans = ['a.example.com'];
  let failNext = false;
  const detail = (clusterId: string): ClusterDetail => ({
    clusterId,
    state: 'running',
    vpcId: 'vpc-1',
    vSwitchIds: [],
    apiServerCertSans: [...sans],
    controlPlaneLoadBalancers: [],
  });
  const ack = {
    describeClusterDetail: async (clusterId: string) => {
      calls.push('DescribeClusterDetail');
      if (failNext) {
        failNext = false;
        throw new CloudError({
          product: 'ACK',
          action: 'DescribeClusterDetail',
          code: 'ServiceUnavailable',
          message: 'try again',
          retryable: true,
        });
      }
      return detail(clusterId);
    },
    describeClusterResources: async () => {
      calls.push('DescribeClusterResources');
      return [{ resourceType: 'SLB', instanceId: 'lb-1', clusterId: CLUSTER }];
    },
    appendApiServerCertSans: async (_clusterId: string, added: string[]) => {
      calls.push('ModifyCluster');
      sans = [...sans, ...added];
      return { taskId: 'T-1' };
    },
  };
  const vpc = {
    describeVSwitchAttributes: async (vSwitchId: string) => {
      calls.push('DescribeVSwitchAttributes');
      return { vSwitchId, zoneId: 'z-1', vpcId: 'vpc-1' };
    },
  };
  const mesh = {
    describeServiceMeshDetail: async (serviceMeshId: string) => {
      calls.push('DescribeServiceMeshDetail');
      return { serviceMeshId, vpcId: 'vpc-m', securityGroupId: 'sg-m', vSwitchIds: [] };
    },
  };
  return { calls, cloud: { ack, vpc, mesh } as unknown as Cloud, failOnce: () => (failNext = true) };
}

describe('provisioningCloud: settled reads once per run', () => {
  test('a cluster, its resources, a mesh and a vSwitch are each read once, however many steps ask', async () => {
    const fake = fakeCloud();
    const port = provisioningCloud(fake.cloud);
    const details = await Promise.all([
      port.describeCluster(CLUSTER),
      port.describeCluster(CLUSTER),
      port.describeCluster(CLUSTER),
    ]);
    expect(details[1]).toBe(details[0]);
    await port.findApiServerLoadBalancer(details[0]).catch(() => undefined);
    await port.findApiServerLoadBalancer(details[0]).catch(() => undefined);
    await port.describeMesh('m-1');
    await port.describeMesh('m-1');
    await port.describeVSwitch('vsw-1');
    await port.describeVSwitch('vsw-1');
    await port.describeVSwitch('vsw-2');
    expect(fake.calls.sort()).toEqual([
      'DescribeClusterDetail',
      'DescribeClusterResources',
      'DescribeServiceMeshDetail',
      'DescribeVSwitchAttributes',
      'DescribeVSwitchAttributes',
    ]);
  });

  test('two ports sharing RunReads (the cancellable one and the report one) share the answers', async () => {
    const fake = fakeCloud();
    const reads = new RunReads();
    await provisioningCloud(fake.cloud, { reads }).describeCluster(CLUSTER);
    await provisioningCloud(fake.cloud, { reads }).describeCluster(CLUSTER);
    expect(fake.calls).toEqual(['DescribeClusterDetail']);
  });

  test('a fresh read asks ACK and is what later reads see; ModifyCluster makes the next read go to ACK', async () => {
    const fake = fakeCloud();
    const port = provisioningCloud(fake.cloud);
    await port.describeCluster(CLUSTER);
    await port.describeCluster(CLUSTER, { fresh: true });
    await port.describeCluster(CLUSTER);
    expect(fake.calls).toEqual(['DescribeClusterDetail', 'DescribeClusterDetail']);
    await port.appendCertSans(CLUSTER, ['b.example.com'], 'token');
    expect((await port.describeCluster(CLUSTER)).apiServerCertSans).toEqual(['a.example.com', 'b.example.com']);
    expect(fake.calls).toEqual([
      'DescribeClusterDetail',
      'DescribeClusterDetail',
      'ModifyCluster',
      'DescribeClusterDetail',
    ]);
  });

  test('a failed read is not kept', async () => {
    const fake = fakeCloud();
    const port = provisioningCloud(fake.cloud);
    fake.failOnce();
    await expect(port.describeCluster(CLUSTER)).rejects.toThrow('try again');
    await expect(port.describeCluster(CLUSTER)).resolves.toMatchObject({ clusterId: CLUSTER });
    expect(fake.calls).toEqual(['DescribeClusterDetail', 'DescribeClusterDetail']);
  });
});

describe('provisioningCloud: adding a cluster to the mesh (no ClientToken)', () => {
  /** A mesh whose adds answer as scripted: 'ok', '503' (not added), 'lost' (added, then a 503), 'denied'. */
  function scriptedMesh(answers: Array<'ok' | '503' | 'lost' | 'denied'>) {
    const calls: string[] = [];
    const members: string[] = [];
    const failure = (code: string, retryable: boolean) =>
      new CloudError({ product: 'ASM', action: 'AddClusterIntoServiceMesh', code, message: code, retryable });
    const mesh = {
      addClusterIntoServiceMesh: async (_meshId: string, clusterId: string) => {
        calls.push('AddClusterIntoServiceMesh');
        const answer = answers.shift() ?? 'ok';
        if (answer === 'denied') throw failure('Forbidden.RAM', false);
        if (answer === '503') throw failure('ServiceUnavailable', true);
        members.push(clusterId);
        if (answer === 'lost') throw failure('ServiceUnavailable', true);
        return { requestId: 'R-1', alreadyMember: false };
      },
      describeClustersInServiceMesh: async () => {
        calls.push('DescribeClustersInServiceMesh');
        return members.map((clusterId) => ({ clusterId, state: 'running' }));
      },
    };
    return { calls, port: provisioningCloud({ mesh } as unknown as Cloud) };
  }

  test('after a 5xx it looks: not listed, it sends the add again', async () => {
    const { calls, port } = scriptedMesh(['503', 'ok']);
    await expect(port.addClusterToMesh('m-1', CLUSTER)).resolves.toMatchObject({ alreadyMember: false });
    expect(calls).toEqual(['AddClusterIntoServiceMesh', 'DescribeClustersInServiceMesh', 'AddClusterIntoServiceMesh']);
  });

  test('after a 5xx that hid a done add, the mesh lists the cluster: no second add', async () => {
    const { calls, port } = scriptedMesh(['lost']);
    await expect(port.addClusterToMesh('m-1', CLUSTER)).resolves.toMatchObject({ alreadyMember: false });
    expect(calls).toEqual(['AddClusterIntoServiceMesh', 'DescribeClustersInServiceMesh']);
  });

  test('a refusal is final at once, and a 5xx every time is final after three adds', async () => {
    const denied = scriptedMesh(['denied']);
    await expect(denied.port.addClusterToMesh('m-1', CLUSTER)).rejects.toMatchObject({ code: 'Forbidden.RAM' });
    expect(denied.calls).toEqual(['AddClusterIntoServiceMesh']);
    const busy = scriptedMesh(['503', '503', '503', 'ok']);
    await expect(busy.port.addClusterToMesh('m-1', CLUSTER)).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    expect(busy.calls.filter((call) => call === 'AddClusterIntoServiceMesh')).toHaveLength(3);
  });
});
