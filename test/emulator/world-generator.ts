// Worlds of any size for benchmarks and property tests. The shape follows the two-cluster fixture:
// the ASM VPC has vSwitches in zones j and k; cluster n has vSwitches in two of the three zones,
// rotating, so that every cluster shares at least one zone with the ASM side and some vSwitches
// find no partner (the case the webhook warns about).
import { IdSource, seededRandom } from './ids';
import type { World, WorldCluster, WorldLoadBalancer, WorldSecurityGroup, WorldVpc, WorldVSwitch } from './world';

export interface MakeWorldOptions {
  /** How many ACK clusters in other VPCs. */
  clusters: number;
  /** How many of them are already in the mesh (the first ones); default none. */
  clustersInMesh?: number;
  /** Seed for the generated ids; the same seed gives the same world. Default 1. */
  seed?: number;
  regionId?: string;
}

const ZONE_SUFFIXES = ['i', 'j', 'k'] as const;

/** Generates a world with one ASM instance and `clusters` ACK clusters, each in its own VPC. */
export function makeWorld(options: MakeWorldOptions): World {
  const regionId = options.regionId ?? 'cn-hangzhou';
  const ids = new IdSource(seededRandom(options.seed ?? 1));
  const zoneIds = ZONE_SUFFIXES.map((suffix) => `${regionId}-${suffix}`);
  const [, zoneJ, zoneK] = zoneIds as [string, string, string];

  const vpcs: WorldVpc[] = [];
  const vSwitches: WorldVSwitch[] = [];
  const securityGroups: WorldSecurityGroup[] = [];
  const loadBalancers: WorldLoadBalancer[] = [];
  const clusters: WorldCluster[] = [];

  const asmVpc: WorldVpc = { vpcId: ids.vpcId(), name: 'asm-vpc', cidrBlock: '192.168.0.0/16' };
  vpcs.push(asmVpc);
  const asmVSwitches = [zoneJ, zoneK].map((zoneId, index) => ({
    vSwitchId: ids.vSwitchId(),
    vpcId: asmVpc.vpcId,
    zoneId,
    cidrBlock: `192.168.${index + 1}.0/24`,
    name: `asm-${zoneId}`,
  }));
  vSwitches.push(...asmVSwitches);
  const asmSecurityGroup = { securityGroupId: ids.securityGroupId(), vpcId: asmVpc.vpcId };
  securityGroups.push(asmSecurityGroup);
  const pilotLb: WorldLoadBalancer = {
    loadBalancerId: ids.loadBalancerId(),
    name: 'asm-pilot-intranet',
    address: '192.168.1.10',
    addressType: 'intranet',
    vpcId: asmVpc.vpcId,
    vSwitchId: asmVSwitches[0]!.vSwitchId,
    zoneIds: [zoneJ, zoneK],
  };
  const meshApiServerLb: WorldLoadBalancer = {
    loadBalancerId: ids.loadBalancerId(),
    name: 'asm-apiserver-intranet',
    address: '192.168.1.11',
    addressType: 'intranet',
    vpcId: asmVpc.vpcId,
    vSwitchId: asmVSwitches[0]!.vSwitchId,
    zoneIds: [zoneJ, zoneK],
  };
  loadBalancers.push(pilotLb, meshApiServerLb);

  for (let n = 0; n < options.clusters; n++) {
    // Octets 1..250 for the second byte, then wrap into the third: fine up to tens of thousands.
    const netA = 10 + Math.floor(n / 250);
    const netB = (n % 250) + 1;
    const vpc: WorldVpc = { vpcId: ids.vpcId(), name: `ack-${n + 1}`, cidrBlock: `${netA}.${netB}.0.0/16` };
    vpcs.push(vpc);
    const clusterZones = [zoneIds[(n + 1) % 3]!, zoneIds[(n + 2) % 3]!];
    const clusterVSwitches = clusterZones.map((zoneId, index) => ({
      vSwitchId: ids.vSwitchId(),
      vpcId: vpc.vpcId,
      zoneId,
      cidrBlock: `${netA}.${netB}.${index + 1}.0/24`,
      name: `ack-${n + 1}-${zoneId}`,
    }));
    vSwitches.push(...clusterVSwitches);
    const securityGroup = { securityGroupId: ids.securityGroupId(), vpcId: vpc.vpcId };
    securityGroups.push(securityGroup);
    const apiServerLb: WorldLoadBalancer = {
      loadBalancerId: ids.loadBalancerId(),
      name: `k8s_master_slb_${n + 1}`,
      address: `${netA}.${netB}.1.5`,
      addressType: 'intranet',
      vpcId: vpc.vpcId,
      vSwitchId: clusterVSwitches[0]!.vSwitchId,
      zoneIds: clusterZones,
    };
    loadBalancers.push(apiServerLb);
    clusters.push({
      clusterId: ids.clusterId(),
      name: `ack-${n + 1}`,
      vpcId: vpc.vpcId,
      vSwitchIds: clusterVSwitches.map((vSwitch) => vSwitch.vSwitchId),
      securityGroupId: securityGroup.securityGroupId,
      apiServerLoadBalancerId: apiServerLb.loadBalancerId,
      extraSans: [],
      clusterType: 'ManagedKubernetes',
      state: 'running',
    });
  }

  return {
    regionId,
    regionLocalName: regionId,
    zones: zoneIds.map((zoneId) => ({ zoneId, localName: zoneId, privateLinkResourceTypes: ['slb', 'nlb'] })),
    accounts: [
      {
        accountId: ids.accountId(),
        accessKeys: [{ accessKeyId: ids.accessKeyId(), accessKeySecret: ids.accessKeySecret() }],
      },
    ],
    vpcs,
    vSwitches,
    securityGroups,
    loadBalancers,
    clusters,
    serviceMesh: {
      serviceMeshId: ids.clusterId(),
      name: 'asm-prod',
      vpcId: asmVpc.vpcId,
      vSwitchIds: asmVSwitches.map((vSwitch) => vSwitch.vSwitchId),
      securityGroupId: asmSecurityGroup.securityGroupId,
      pilotLoadBalancerId: pilotLb.loadBalancerId,
      apiServerLoadBalancerId: meshApiServerLb.loadBalancerId,
      clusterIds: clusters.slice(0, options.clustersInMesh ?? 0).map((cluster) => cluster.clusterId),
      version: 'v1.22.6.71-g2fe1d1c0-aliyun',
    },
  };
}
