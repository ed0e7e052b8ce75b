import { childPath } from './findings';

/**
 * A tolerant read of an ASMPvlConfig's spec: the rules beyond the schema run on whatever parts of an
 * object are well-formed, so one bad field never hides the zone or duplicate findings of the rest.
 */
export interface VSwitchEntry {
  path: string;
  vSwitchId?: string;
  zoneId?: string;
}

export interface ClusterEntry {
  path: string;
  clusterId?: string;
  vSwitchesPath: string;
  vSwitches: VSwitchEntry[];
}

export interface SpecView {
  clusters: ClusterEntry[];
  asmVSwitchesPath: string;
  asmVSwitches: VSwitchEntry[];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function readVSwitches(list: unknown, path: string): VSwitchEntry[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry, index) => {
    if (!isPlainObject(entry)) return [];
    return [
      {
        path: childPath(path, index),
        vSwitchId: stringOrUndefined(entry.vSwitchId),
        zoneId: stringOrUndefined(entry.zoneId),
      },
    ];
  });
}

/** Reads the parts of `spec` the cross-field rules need, skipping anything malformed. */
export function readSpec(object: unknown): SpecView {
  const spec = isPlainObject(object) && isPlainObject(object.spec) ? object.spec : {};
  const clusters = Array.isArray(spec.ackVpcEndpoint) ? spec.ackVpcEndpoint : [];
  const asm = isPlainObject(spec.asmVpcEndpoint) ? spec.asmVpcEndpoint : {};
  const asmVSwitchesPath = 'spec.asmVpcEndpoint.vSwitches';
  return {
    clusters: clusters.flatMap((entry, index) => {
      if (!isPlainObject(entry)) return [];
      const path = childPath('spec.ackVpcEndpoint', index);
      const vSwitchesPath = childPath(path, 'vSwitches');
      return [
        {
          path,
          clusterId: stringOrUndefined(entry.clusterId),
          vSwitchesPath,
          vSwitches: readVSwitches(entry.vSwitches, vSwitchesPath),
        },
      ];
    }),
    asmVSwitchesPath,
    asmVSwitches: readVSwitches(asm.vSwitches, asmVSwitchesPath),
  };
}
