/**
 * The vSwitches a `connect` writes into the spec: those given with --vswitch / --asm-vswitch (their
 * zones looked up through VPC DescribeVSwitchAttributes when not given), else what is already in
 * the spec, else sensible defaults: the cluster's own vSwitches that share a zone with the ASM
 * side, and the mesh's own vSwitches for the ASM side.
 */
import { listForSentence, pairedZones } from '../../core';
import { isNotFound, type ProvisioningCloud } from './cloud-port';
import { mapBounded, READS_AT_ONCE } from '../concurrency';
import { describeCause, ProvisioningInputError } from './errors';
import type { VSwitchPlacement } from './model';

export interface VSwitchFlag {
  vSwitchId: string;
  zoneId?: string;
}

export interface ResolvedVSwitch extends VSwitchPlacement {
  /** Known when it was looked up. */
  vpcId?: string;
}

/** Zones and VPCs of the given vSwitches; looked up unless the zone is given and the VPC not needed. */
export async function resolveVSwitches(
  cloud: ProvisioningCloud,
  flag: string,
  given: VSwitchFlag[],
  needVpc: boolean,
  /** The VPC they should be in: its list answers for all of them at once (one call, not one each). */
  vpcId?: string,
): Promise<ResolvedVSwitch[]> {
  const listed = vpcId && given.length > 1 ? await cloud.listVpcVSwitches(vpcId).catch(() => []) : [];
  return mapBounded(given, READS_AT_ONCE, async (vSwitch): Promise<ResolvedVSwitch> => {
    if (vSwitch.zoneId && !needVpc) return { vSwitchId: vSwitch.vSwitchId, zoneId: vSwitch.zoneId };
    let found = listed.find((candidate) => candidate.vSwitchId === vSwitch.vSwitchId);
    try {
      found ??= await cloud.describeVSwitch(vSwitch.vSwitchId);
    } catch (error) {
      if (isNotFound(error))
        throw new ProvisioningInputError(
          `${flag} ${vSwitch.vSwitchId}: no such vSwitch in this region and account (${describeCause(error)})`,
        );
      throw error;
    }
    if (!found.zoneId)
      throw new ProvisioningInputError(
        `${flag} ${vSwitch.vSwitchId}: VPC reports no zone for it; give it as ${vSwitch.vSwitchId}:<zone>`,
      );
    if (vSwitch.zoneId && vSwitch.zoneId !== found.zoneId) {
      throw new ProvisioningInputError(
        `${flag} ${vSwitch.vSwitchId}:${vSwitch.zoneId}: the vSwitch is in ${found.zoneId}, not ${vSwitch.zoneId}`,
      );
    }
    return { vSwitchId: vSwitch.vSwitchId, zoneId: found.zoneId, vpcId: found.vpcId };
  });
}

/** Checks that every vSwitch is in `vpcId` (when its VPC is known). */
export function requireVpc(flag: string, vSwitches: ResolvedVSwitch[], vpcId: string | undefined, owner: string): void {
  const strays = vSwitches.filter((vSwitch) => vpcId && vSwitch.vpcId && vSwitch.vpcId !== vpcId);
  if (strays.length === 0) return;
  throw new ProvisioningInputError(
    `${flag}: ${strays.map((vSwitch) => `${vSwitch.vSwitchId} is in ${vSwitch.vpcId}`).join(', ')}, not in ${vpcId}, the VPC of ${owner}`,
  );
}

/**
 * Which cluster each given vSwitch belongs to, by VPC: with several clusters on one command line,
 * `--vswitch` ids go to the cluster whose VPC holds them. Pure.
 */
export function assignByVpc(
  vSwitches: ResolvedVSwitch[],
  clusters: Array<{ clusterId: string; vpcId?: string }>,
): Map<string, VSwitchPlacement[]> {
  const assigned = new Map<string, VSwitchPlacement[]>();
  for (const vSwitch of vSwitches) {
    const owner =
      clusters.length === 1
        ? clusters[0]
        : clusters.find((cluster) => cluster.vpcId !== undefined && cluster.vpcId === vSwitch.vpcId);
    if (!owner) {
      throw new ProvisioningInputError(
        `--vswitch ${vSwitch.vSwitchId} is in ${vSwitch.vpcId ?? 'an unknown VPC'}, the VPC of none of ${clusters.map((cluster) => cluster.clusterId).join(', ')}`,
      );
    }
    assigned.set(owner.clusterId, [
      ...(assigned.get(owner.clusterId) ?? []),
      { vSwitchId: vSwitch.vSwitchId, zoneId: vSwitch.zoneId },
    ]);
  }
  return assigned;
}

/**
 * A cluster's default vSwitches: those of its own that share a zone with the ASM side. None
 * sharing one is an error naming both sides' zones. Pure.
 */
export function defaultClusterVSwitches(
  clusterId: string,
  own: VSwitchPlacement[],
  asm: VSwitchPlacement[],
): VSwitchPlacement[] {
  const shared = new Set(
    pairedZones(
      own.map((vSwitch) => vSwitch.zoneId),
      asm.map((vSwitch) => vSwitch.zoneId),
    ),
  );
  const pairing = own
    .filter((vSwitch) => shared.has(vSwitch.zoneId))
    .map(({ vSwitchId, zoneId }) => ({ vSwitchId, zoneId }));
  if (pairing.length > 0) return pairing;
  const zones = (list: VSwitchPlacement[]) =>
    listForSentence([...new Set(list.map((vSwitch) => vSwitch.zoneId))].sort()) || 'no zone';
  throw new ProvisioningInputError(
    `cluster ${clusterId}'s vSwitches are in ${zones(own)} and the ASM vSwitches in ${zones(asm)}: no zone pairs. Give a vSwitch of the cluster's VPC in a shared zone with --vswitch, or add one to the ASM side with --asm-vswitch.`,
  );
}
