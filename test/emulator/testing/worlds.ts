// The fixtures tests start from, and names for the parts of the two-cluster world they use.
import { join } from 'node:path';
import { loadWorldFile, type World } from '../world';

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
