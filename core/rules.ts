import { childPath, type Finding, type ValidationResult, type ZonePolicy } from './findings';
import { SINGLETON_NAME } from './schema';
import { type ClusterEntry, isPlainObject, readSpec, type SpecView, type VSwitchEntry } from './spec-view';
import { listForSentence, pairedZones, regionOfZone, sortedZones } from './zones';

/**
 * The name rule, word for word. The CRD carries it as a CEL rule too (a CEL message is static), so the
 * user reads the same sentence whether the API server or the webhook refuses the object.
 */
export const NAME_RULE_MESSAGE =
  'metadata.name must be "default": only the ASMPvlConfig named default is read, so rename this object to default';

/** Only the object named `default` is read; any other name would be silently ignored by the product. */
export function checkName(object: unknown): Finding[] {
  if (!isPlainObject(object) || !isPlainObject(object.metadata)) return [];
  if (object.metadata.name === SINGLETON_NAME) return [];
  return [{ path: 'metadata.name', message: NAME_RULE_MESSAGE }];
}

function zoneWord(zones: readonly string[]): string {
  return zones.length === 1 ? 'zone' : 'zones';
}

/** PrivateLink connects a service and an endpoint only within one region. */
export function checkRegion(view: SpecView): Finding[] {
  const all = [...view.asmVSwitches, ...view.clusters.flatMap((cluster) => cluster.vSwitches)];
  const located = all.flatMap((vSwitch) => {
    const region = vSwitch.zoneId === undefined ? undefined : regionOfZone(vSwitch.zoneId);
    return region === undefined ? [] : [{ vSwitch, region }];
  });
  const reference = located[0];
  if (reference === undefined) return [];
  const side = view.asmVSwitches.includes(reference.vSwitch)
    ? "the mesh's vSwitches are"
    : `${reference.vSwitch.path} is`;
  return located
    .filter(({ region }) => region !== reference.region)
    .map(({ vSwitch, region }) => ({
      path: childPath(vSwitch.path, 'zoneId'),
      message: `zone ${vSwitch.zoneId} is in region ${region}, but ${side} in ${reference.region}; PrivateLink works within one region: use a vSwitch in ${reference.region}`,
    }));
}

/** One entry per cluster: two entries would ask for two sets of endpoints to the same API server. */
export function checkDuplicateClusters(view: SpecView): Finding[] {
  const firstSeen = new Map<string, string>();
  const findings: Finding[] = [];
  for (const cluster of view.clusters) {
    if (cluster.clusterId === undefined) continue;
    const earlier = firstSeen.get(cluster.clusterId);
    if (earlier === undefined) {
      firstSeen.set(cluster.clusterId, cluster.path);
      continue;
    }
    findings.push({
      path: childPath(cluster.path, 'clusterId'),
      message: `cluster ${cluster.clusterId} is listed twice (also at ${earlier}): merge its vSwitches into one entry`,
    });
  }
  return findings;
}

interface VSwitchUse {
  vSwitch: VSwitchEntry;
  listPath: string;
  owner: string;
}

function reuseMessage(use: VSwitchUse, earlier: VSwitchUse): string {
  const id = use.vSwitch.vSwitchId;
  if (use.listPath === earlier.listPath) {
    if (use.vSwitch.zoneId === earlier.vSwitch.zoneId)
      return `vSwitch ${id} is listed twice (also at ${earlier.vSwitch.path}): remove one`;
    return `vSwitch ${id} is listed twice with different zones (${earlier.vSwitch.zoneId} at ${earlier.vSwitch.path}, ${use.vSwitch.zoneId} here); a vSwitch lies in one zone: keep the entry with its real zone`;
  }
  if (earlier.owner === 'asm' || use.owner === 'asm') {
    return `vSwitch ${id} is also listed at ${earlier.vSwitch.path}; the ASM VPC and a cluster's VPC are different VPCs, so one vSwitch cannot serve both sides: check the id`;
  }
  return `vSwitch ${id} is also used by cluster ${earlier.owner} at ${earlier.vSwitch.path}; each cluster's endpoint goes into vSwitches of its own VPC: check the id`;
}

/** A vSwitch id used twice, or on both the ACK and the ASM side, is a copy-paste mistake. */
export function checkVSwitchReuse(view: SpecView): Finding[] {
  const uses: VSwitchUse[] = [
    ...view.asmVSwitches.map((vSwitch) => ({ vSwitch, listPath: view.asmVSwitchesPath, owner: 'asm' })),
    ...view.clusters.flatMap((cluster) =>
      cluster.vSwitches.map((vSwitch) => ({
        vSwitch,
        listPath: cluster.vSwitchesPath,
        owner: cluster.clusterId ?? cluster.path,
      })),
    ),
  ];
  const firstUse = new Map<string, VSwitchUse>();
  const findings: Finding[] = [];
  for (const use of uses) {
    const id = use.vSwitch.vSwitchId;
    if (id === undefined) continue;
    const earlier = firstUse.get(id);
    if (earlier === undefined) {
      firstUse.set(id, use);
      continue;
    }
    findings.push({ path: childPath(use.vSwitch.path, 'vSwitchId'), message: reuseMessage(use, earlier) });
  }
  return findings;
}

function zonesOf(vSwitches: readonly VSwitchEntry[]): string[] {
  return sortedZones(vSwitches.flatMap((vSwitch) => (vSwitch.zoneId === undefined ? [] : [vSwitch.zoneId])));
}

function clusterName(cluster: ClusterEntry): string {
  return cluster.clusterId === undefined ? 'this cluster' : `cluster ${cluster.clusterId}`;
}

function noSharedZone(cluster: ClusterEntry, clusterZones: string[], asmZones: string[]): Finding {
  return {
    path: cluster.vSwitchesPath,
    message:
      `${clusterName(cluster)} has vSwitches only in ${zoneWord(clusterZones)} ${listForSentence(clusterZones)} and the ASM vSwitches are only in ` +
      `${zoneWord(asmZones)} ${listForSentence(asmZones)}, so no zone pairs: PrivateLink places an endpoint only in a zone both sides share. ` +
      `Add a vSwitch in ${listForSentence(asmZones)} to the cluster, or an ASM vSwitch in ${listForSentence(clusterZones)}`,
  };
}

function unpairedClusterVSwitch(vSwitch: VSwitchEntry, paired: string[]): Finding {
  return {
    path: vSwitch.path,
    message: `vSwitch ${vSwitch.vSwitchId ?? ''} in zone ${vSwitch.zoneId} has no ASM vSwitch in that zone, so it carries no traffic (paired: ${paired.join(', ')}); add an ASM vSwitch in ${vSwitch.zoneId} or remove it`,
  };
}

function unpairedAsmVSwitch(vSwitch: VSwitchEntry): Finding {
  return {
    path: vSwitch.path,
    message: `vSwitch ${vSwitch.vSwitchId ?? ''} in zone ${vSwitch.zoneId} serves no cluster, since no cluster has a vSwitch in that zone; add one there or remove it`,
  };
}

/**
 * PrivateLink places an endpoint only in zones that both ends share. A cluster with no shared zone is
 * always an error; a vSwitch whose zone has no partner carries no traffic, which the `overlap` policy
 * reports as a warning and the `strict` policy as an error.
 */
export function checkZonePairing(view: SpecView, zonePolicy: ZonePolicy): ValidationResult {
  const asmZones = zonesOf(view.asmVSwitches);
  const result: ValidationResult = { errors: [], warnings: [] };
  if (asmZones.length === 0) return result;
  const unpaired = zonePolicy === 'strict' ? result.errors : result.warnings;
  const usedByClusters = new Set<string>();
  let everyClusterPairs = true;
  for (const cluster of view.clusters) {
    const clusterZones = zonesOf(cluster.vSwitches);
    if (clusterZones.length === 0) continue;
    clusterZones.forEach((zone) => usedByClusters.add(zone));
    const paired = pairedZones(clusterZones, asmZones);
    if (paired.length === 0) {
      result.errors.push(noSharedZone(cluster, clusterZones, asmZones));
      everyClusterPairs = false;
      continue;
    }
    for (const vSwitch of cluster.vSwitches) {
      if (vSwitch.zoneId !== undefined && !paired.includes(vSwitch.zoneId))
        unpaired.push(unpairedClusterVSwitch(vSwitch, paired));
    }
  }
  // With no cluster yet (before the first connect) every ASM vSwitch is idle by design, not a mistake;
  // and while a cluster pairs with nothing, its error already names the ASM zones.
  if (usedByClusters.size === 0 || !everyClusterPairs) return result;
  for (const vSwitch of view.asmVSwitches) {
    if (vSwitch.zoneId !== undefined && !usedByClusters.has(vSwitch.zoneId)) unpaired.push(unpairedAsmVSwitch(vSwitch));
  }
  return result;
}

/** Every rule a JSON Schema cannot say, over one object. */
export function checkRules(object: unknown, zonePolicy: ZonePolicy): ValidationResult {
  const view = readSpec(object);
  const pairing = checkZonePairing(view, zonePolicy);
  return {
    errors: [
      ...checkName(object),
      ...checkDuplicateClusters(view),
      ...checkVSwitchReuse(view),
      ...checkRegion(view),
      ...pairing.errors,
    ],
    warnings: pairing.warnings,
  };
}
