// SLB through openapi-core's callApi: finding the mesh's private Pilot load balancer by address.
import { startEmulator, type RunningEmulator } from '../index';
import { sdkClients } from '../testing/sdk';
import { twoClusters } from '../testing/worlds';

const { world, mesh, cluster1 } = twoClusters();

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ world });
});
afterAll(() => emulator.stop());

describe('DescribeLoadBalancers', () => {
  it('finds the Pilot load balancer from the IntranetPilotEndpoint IP and the mesh VPC', async () => {
    const { rpc } = sdkClients(emulator);
    const detail = await rpc('servicemesh', 'DescribeServiceMeshDetail', { ServiceMeshId: mesh.serviceMeshId });
    const pilotIp = (detail.ServiceMesh.Endpoints.IntranetPilotEndpoint as string).split(':')[0];
    const found = await rpc('slb', 'DescribeLoadBalancers', {
      RegionId: 'cn-hangzhou',
      Address: pilotIp,
      VpcId: mesh.vpcId,
    });
    expect(found.TotalCount).toBe(1);
    expect(found.LoadBalancers.LoadBalancer[0]).toMatchObject({
      LoadBalancerId: mesh.pilotLoadBalancerId,
      Address: '192.168.1.10',
      AddressType: 'intranet',
      VpcId: mesh.vpcId,
      MasterZoneId: 'cn-hangzhou-j',
      SlaveZoneId: 'cn-hangzhou-k',
    });
  });

  it('filters by LoadBalancerId (a comma-separated list) and answers nothing for an address in another VPC', async () => {
    const { rpc } = sdkClients(emulator);
    const byIds = await rpc('slb', 'DescribeLoadBalancers', {
      RegionId: 'cn-hangzhou',
      LoadBalancerId: `${cluster1.apiServerLoadBalancerId},${mesh.pilotLoadBalancerId}`,
    });
    expect(byIds.LoadBalancers.LoadBalancer.map((lb: { LoadBalancerId: string }) => lb.LoadBalancerId).sort()).toEqual(
      [cluster1.apiServerLoadBalancerId, mesh.pilotLoadBalancerId].sort(),
    );
    const elsewhere = await rpc('slb', 'DescribeLoadBalancers', {
      RegionId: 'cn-hangzhou',
      Address: '192.168.1.10',
      VpcId: cluster1.vpcId,
    });
    expect([elsewhere.TotalCount, elsewhere.LoadBalancers.LoadBalancer]).toEqual([0, []]);
  });

  it('needs RegionId', async () => {
    const error = await sdkClients(emulator)
      .rpc('slb', 'DescribeLoadBalancers', {})
      .catch((caught: { code: string }) => caught);
    expect((error as { code: string }).code).toBe('MissingParam.RegionId');
  });
});
