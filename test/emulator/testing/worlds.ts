// The fixtures tests start from, and names for the parts of the two-cluster world they use.
import { join } from 'node:path';
import type { RamPolicy } from '../ram';
import { checkWorld, loadWorldFile, type World } from '../world';

export const TWO_CLUSTERS_PATH = join(__dirname, '..', 'worlds', 'two-clusters.json');

/** The two-cluster world, with handles on what tests refer to. */
export function twoClusters() {
  const world: World = loadWorldFile(TWO_CLUSTERS_PATH);
  const mesh = world.serviceMesh;
  const [cluster1, cluster2] = world.clusters as [World['clusters'][0], World['clusters'][0]];
  const vSwitchIn = (vpcId: string, zoneId: string) => {
    const found = world.vSwitches.find((vSwitch) => vSwitch.vpcId === vpcId && vSwitch.zoneId === zoneId);
    if (!found) throw new Error(`no vSwitch of ${vpcId} in ${zoneId}`);
    return found.vSwitchId;
  };
  return { world, mesh, cluster1, cluster2, vSwitchIn, regionId: world.regionId };
}

const MESH_ACCOUNT_ID = '1266581106303084';

/** The trust policy of a role that the mesh account's identities may assume. */
export function trustPolicyFor(accountId: string) {
  return {
    Version: '1',
    Statement: [
      { Effect: 'Allow' as const, Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${accountId}:root`] } },
    ],
  };
}

/**
 * The accounts of the cross-account worlds: the mesh in A (the two-cluster world's own account,
 * whose AccessKey the tests sign with), clusters in B and C, each with a role `asmpvl-cluster`
 * that A may assume. They hold no AccessKey: only the role's STS credentials act in them.
 */
export const CROSS_ACCOUNT = {
  mesh: { accountId: MESH_ACCOUNT_ID },
  clusters: { accountId: '1300000000000002', roleArn: 'acs:ram::1300000000000002:role/asmpvl-cluster' },
  third: { accountId: '1300000000000003', roleArn: 'acs:ram::1300000000000003:role/asmpvl-cluster' },
} as const;

/**
 * The two-cluster world with its clusters' VPCs moved to other accounts: `['B', 'B']` puts both
 * clusters in B, `['B', 'C']` one in each. The mesh stays in A.
 */
export function crossAccountWorld(clusterAccounts: ['B' | 'C', 'B' | 'C'], rolePolicy?: RamPolicy): World {
  const { world } = twoClusters();
  const idOf = { B: CROSS_ACCOUNT.clusters.accountId, C: CROSS_ACCOUNT.third.accountId };
  for (const accountId of Object.values(idOf)) {
    world.accounts.push({
      accountId,
      accessKeys: [],
      roles: [{ roleName: 'asmpvl-cluster', trustPolicy: trustPolicyFor(MESH_ACCOUNT_ID), policy: rolePolicy }],
    });
  }
  world.clusters.forEach((cluster, index) => {
    world.vpcs.find((vpc) => vpc.vpcId === cluster.vpcId)!.accountId = idOf[clusterAccounts[index]!];
  });
  return checkWorld(world);
}
