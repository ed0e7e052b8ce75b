import { checkWorld, loadWorldFile, WorldError, type World } from './world';
import { makeWorld } from './world-generator';
import { TWO_CLUSTERS_PATH } from './testing/worlds';

const SHAPES = {
  cluster: /^c[0-9a-f]{32}$/,
  vpc: /^vpc-[a-z0-9]{21}$/,
  vSwitch: /^vsw-[a-z0-9]{21}$/,
  securityGroup: /^sg-[a-z0-9]{20}$/,
  loadBalancer: /^lb-[a-z0-9]{21}$/,
  account: /^\d{16}$/,
};

function shapesOf(world: World): void {
  for (const cluster of world.clusters) expect(cluster.clusterId).toMatch(SHAPES.cluster);
  expect(world.serviceMesh.serviceMeshId).toMatch(SHAPES.cluster);
  for (const vpc of world.vpcs) expect(vpc.vpcId).toMatch(SHAPES.vpc);
  for (const vSwitch of world.vSwitches) expect(vSwitch.vSwitchId).toMatch(SHAPES.vSwitch);
  for (const group of world.securityGroups) expect(group.securityGroupId).toMatch(SHAPES.securityGroup);
  for (const lb of world.loadBalancers) expect(lb.loadBalancerId).toMatch(SHAPES.loadBalancer);
  for (const account of world.accounts) expect(account.accountId).toMatch(SHAPES.account);
}

describe('the two-cluster world', () => {
  it('holds two ACK clusters in their own VPCs of cn-hangzhou, zones i/j/k, with realistic ids', () => {
    const world = loadWorldFile(TWO_CLUSTERS_PATH);
    expect(world.regionId).toBe('cn-hangzhou');
    expect(world.zones.map((zone) => zone.zoneId)).toEqual(['cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k']);
    expect(world.clusters).toHaveLength(2);
    const vpcs = new Set([world.serviceMesh.vpcId, ...world.clusters.map((cluster) => cluster.vpcId)]);
    expect(vpcs.size).toBe(3);
    shapesOf(world);
  });

  it('pairs each cluster with the ASM side in one zone and leaves one ACK vSwitch unpaired', () => {
    const world = loadWorldFile(TWO_CLUSTERS_PATH);
    const zoneOf = (id: string) => world.vSwitches.find((vSwitch) => vSwitch.vSwitchId === id)!.zoneId;
    const asmZones = world.serviceMesh.vSwitchIds.map(zoneOf);
    expect(asmZones).toEqual(['cn-hangzhou-j', 'cn-hangzhou-k']);
    expect(world.clusters.map((cluster) => cluster.vSwitchIds.map(zoneOf))).toEqual([
      ['cn-hangzhou-j', 'cn-hangzhou-i'],
      ['cn-hangzhou-k'],
    ]);
  });
});

describe('makeWorld', () => {
  it('generates N clusters, each with its own VPC, security group and API server load balancer', () => {
    const world = makeWorld({ clusters: 50, clustersInMesh: 3 });
    expect(world.clusters).toHaveLength(50);
    expect(world.vpcs).toHaveLength(51);
    expect(new Set(world.loadBalancers.map((lb) => lb.address)).size).toBe(52);
    expect(world.serviceMesh.clusterIds).toEqual(world.clusters.slice(0, 3).map((cluster) => cluster.clusterId));
    shapesOf(world);
    expect(() => checkWorld(world)).not.toThrow();
  });

  it('gives every cluster a zone shared with the ASM side', () => {
    const world = makeWorld({ clusters: 9 });
    const zoneOf = (id: string) => world.vSwitches.find((vSwitch) => vSwitch.vSwitchId === id)!.zoneId;
    const asmZones = new Set(world.serviceMesh.vSwitchIds.map(zoneOf));
    for (const cluster of world.clusters)
      expect(cluster.vSwitchIds.map(zoneOf).some((zone) => asmZones.has(zone))).toBe(true);
  });

  it('is reproducible from its seed', () => {
    expect(makeWorld({ clusters: 3, seed: 5 })).toEqual(makeWorld({ clusters: 3, seed: 5 }));
    expect(makeWorld({ clusters: 3, seed: 5 })).not.toEqual(makeWorld({ clusters: 3, seed: 6 }));
  });
});

describe('checkWorld', () => {
  it('names every broken reference', () => {
    const world = makeWorld({ clusters: 1 });
    world.vSwitches[0]!.zoneId = 'cn-hangzhou-z';
    world.clusters[0]!.apiServerLoadBalancerId = 'lb-missing';
    world.serviceMesh.clusterIds = ['c-missing'];
    expect(() => checkWorld(world)).toThrow(WorldError);
    expect(() => checkWorld(world)).toThrow(
      /unknown zone cn-hangzhou-z[\s\S]*lb-missing[\s\S]*unknown cluster c-missing/,
    );
  });

  it('reports an unreadable file with its path', () => {
    expect(() => loadWorldFile('/nonexistent/world.json')).toThrow('cannot read world file /nonexistent/world.json');
  });
});
