// ACK, VPC, ASM and SLB functions against the emulator, through the real SDKs and signing.
import type { RunningEmulator } from '../../test/emulator';
import { requireApiServerLoadBalancer } from './ack';
import type { Cloud } from './index';
import { cloudFor, eventually, startTwoClusterEmulator } from './testkit/emulated-cloud';

// test/emulator/worlds/two-clusters.json
const MESH_ID = 'cf9171d03515f8f0920a4425eca656495';
const ASM_VPC = 'vpc-bp1o3jbu5rggg994o5vm9';
const ACK1 = {
  clusterId: 'c84974f524e2045c87dccadff91a71708',
  vpcId: 'vpc-bp1mj2lgp6epmz4165q6u',
  vSwitchIds: ['vsw-bp10gkryrkhgg8t0t3q45', 'vsw-bp1wvuijbticywthuo0pz'],
  securityGroupId: 'sg-bp1xsj56382b7fmt60db',
  loadBalancerId: 'lb-bp1lr2uy9cv2vqpy7jr0a',
};

let emulator: RunningEmulator;
let cloud: Cloud;

beforeAll(async () => {
  emulator = await startTwoClusterEmulator();
  cloud = cloudFor(emulator);
});
afterAll(() => emulator.stop());

describe('ACK', () => {
  it('describes a cluster: network, state and current SANs', async () => {
    const detail = await cloud.ack.describeClusterDetail(ACK1.clusterId);
    expect(detail).toMatchObject({
      clusterId: ACK1.clusterId,
      name: 'ack-hz-1',
      regionId: 'cn-hangzhou',
      clusterType: 'ManagedKubernetes',
      state: 'running',
      vpcId: ACK1.vpcId,
      vSwitchIds: ACK1.vSwitchIds,
      securityGroupId: ACK1.securityGroupId,
      apiServerCertSans: ['api.ack-hz-1.example.com'],
      intranetApiServerEndpoint: 'https://10.1.1.5:6443',
    });
  });

  it('finds the API server load balancer (k8s_master_slb, a CLB)', async () => {
    const [detail, resources] = await Promise.all([
      cloud.ack.describeClusterDetail(ACK1.clusterId),
      cloud.ack.describeClusterResources(ACK1.clusterId),
    ]);
    expect(requireApiServerLoadBalancer(detail, resources)).toEqual({
      loadBalancerId: ACK1.loadBalancerId,
      kind: 'slb',
      source: 'cluster resources (k8s_master_slb)',
    });
  });

  it('appends a SAN, keeping the ones already there, and follows the task to success', async () => {
    const domain = 'ep-contract.epsrv-contract.cn-hangzhou.privatelink.aliyuncs.com';
    const appended = await cloud.ack.appendApiServerCertSans(ACK1.clusterId, [domain]);
    expect(appended.taskId).toBeTruthy();
    const task = await eventually(
      () => cloud.ack.describeTaskInfo(appended.taskId!),
      (current) => current.state !== 'running',
    );
    expect(task).toMatchObject({ taskId: appended.taskId, clusterId: ACK1.clusterId, state: 'success' });
    expect((await cloud.ack.describeClusterDetail(ACK1.clusterId)).apiServerCertSans).toEqual([
      'api.ack-hz-1.example.com',
      domain,
    ]);
    // The emulator neither logs nor honours ModifyCluster's client_token (ack.test.ts checks we send it).
    expect(emulator.requests().filter((request) => request.action === 'ModifyCluster')).toHaveLength(1);
  });

  it('says a missing cluster is not found', async () => {
    await expect(cloud.ack.describeClusterDetail('c00000000000000000000000000000000')).rejects.toMatchObject({
      product: 'ACK',
      code: 'ErrorClusterNotFound',
      httpStatus: 404,
      notFound: true,
      attempts: 1,
    });
  });
});

describe('VPC', () => {
  it("gives a vSwitch's zone and VPC", async () => {
    expect(await cloud.vpc.describeVSwitchAttributes(ACK1.vSwitchIds[1]!)).toMatchObject({
      vSwitchId: ACK1.vSwitchIds[1],
      vpcId: ACK1.vpcId,
      zoneId: 'cn-hangzhou-i',
      cidrBlock: '10.1.2.0/24',
    });
  });

  it('lists the vSwitches of a VPC', async () => {
    const vSwitches = await cloud.vpc.listAllVSwitches({ vpcId: ASM_VPC }, { pageSize: 1 });
    expect(vSwitches.map((vSwitch) => [vSwitch.vSwitchId, vSwitch.zoneId]).sort()).toEqual([
      ['vsw-bp10w1gdt1pw6srb8dy0i', 'cn-hangzhou-j'],
      ['vsw-bp1cofkccijnjju314wym', 'cn-hangzhou-k'],
    ]);
  });

  it('says a missing vSwitch is not found', async () => {
    await expect(cloud.vpc.describeVSwitchAttributes('vsw-missing0000000000000')).rejects.toMatchObject({
      code: 'InvalidVSwitchId.NotFound',
      notFound: true,
    });
  });
});

describe('ASM and SLB', () => {
  it('describes the mesh and finds the private Pilot load balancer at its IntranetPilotEndpoint', async () => {
    const mesh = await cloud.mesh.describeServiceMeshDetail(MESH_ID);
    expect(mesh).toMatchObject({
      serviceMeshId: MESH_ID,
      name: 'asm-prod',
      state: 'running',
      vpcId: ASM_VPC,
      securityGroupId: 'sg-bp169pz86m0p2ennfddz',
      vSwitchIds: ['vsw-bp10w1gdt1pw6srb8dy0i', 'vsw-bp1cofkccijnjju314wym'],
      pilotAddress: { host: '192.168.1.10', port: 15011 },
      apiServerLoadBalancerId: 'lb-bp1euvdzc5syk7eaka32s',
    });
    const pilot = await cloud.slb.findLoadBalancerByAddress(mesh.pilotAddress!.host, mesh.vpcId!);
    expect(pilot).toMatchObject({
      loadBalancerId: 'lb-bp16celq5ex8a6b72u1ck',
      address: '192.168.1.10',
      addressType: 'intranet',
      vpcId: ASM_VPC,
    });
    expect(await cloud.slb.findLoadBalancerByAddress('192.168.9.9', ASM_VPC)).toBeUndefined();
  });

  it('adds a cluster to the mesh once; adding it again is reported, not failed', async () => {
    expect(await cloud.mesh.describeClustersInServiceMesh(MESH_ID)).toEqual([]);
    expect(await cloud.mesh.addClusterIntoServiceMesh(MESH_ID, ACK1.clusterId)).toMatchObject({ alreadyMember: false });
    const clusters = await eventually(
      () => cloud.mesh.describeClustersInServiceMesh(MESH_ID),
      (current) => current.length === 1,
    );
    expect(clusters[0]).toMatchObject({
      clusterId: ACK1.clusterId,
      vpcId: ACK1.vpcId,
      securityGroupId: ACK1.securityGroupId,
    });
    expect(await cloud.mesh.addClusterIntoServiceMesh(MESH_ID, ACK1.clusterId)).toMatchObject({ alreadyMember: true });
  });

  it('says a missing mesh is not found', async () => {
    await expect(cloud.mesh.describeServiceMeshDetail('c00000000000000000000000000000000')).rejects.toMatchObject({
      code: 'ServiceMesh.NotFound',
      notFound: true,
    });
  });
});
