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
