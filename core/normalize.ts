import { childPath, type Finding } from './findings';
import { diff, type JsonPatchOperation, pointer } from './json-patch';
import { applyDefaults } from './schema';
import { isPlainObject } from './spec-view';

/** The normalised object, the minimal JSON Patch from the old one, and what was dropped. */
export interface NormalizeResult {
  object: unknown;
  patch: JsonPatchOperation[];
  warnings: Finding[];
}

// Ids are case-insensitive in the consoles and often pasted with stray spaces; the schema wants them clean.
function cleanId(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().toLowerCase() : value;
}

function cleanVSwitches(list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const entry of list) {
    if (!isPlainObject(entry)) continue;
    if ('vSwitchId' in entry) entry.vSwitchId = cleanId(entry.vSwitchId);
    if ('zoneId' in entry) entry.zoneId = cleanId(entry.zoneId);
  }
}

function cleanIds(spec: Record<string, unknown>): void {
  if (Array.isArray(spec.ackVpcEndpoint)) {
    for (const cluster of spec.ackVpcEndpoint) {
      if (!isPlainObject(cluster)) continue;
      if ('clusterId' in cluster) cluster.clusterId = cleanId(cluster.clusterId);
      cleanVSwitches(cluster.vSwitches);
    }
  }
  if (isPlainObject(spec.asmVpcEndpoint)) cleanVSwitches(spec.asmVpcEndpoint.vSwitches);
}

interface VSwitchList {
  tokens: Array<string | number>;
  entries: unknown[];
}

function vSwitchLists(spec: Record<string, unknown>): VSwitchList[] {
  const lists: VSwitchList[] = [];
  if (isPlainObject(spec.asmVpcEndpoint) && Array.isArray(spec.asmVpcEndpoint.vSwitches)) {
    lists.push({ tokens: ['spec', 'asmVpcEndpoint', 'vSwitches'], entries: spec.asmVpcEndpoint.vSwitches });
  }
  if (Array.isArray(spec.ackVpcEndpoint)) {
    spec.ackVpcEndpoint.forEach((cluster, index) => {
      if (isPlainObject(cluster) && Array.isArray(cluster.vSwitches)) {
        lists.push({ tokens: ['spec', 'ackVpcEndpoint', index, 'vSwitches'], entries: cluster.vSwitches });
      }
    });
  }
  return lists;
}

function tokensToPath(tokens: ReadonlyArray<string | number>): string {
  return tokens.reduce<string>((path, token) => childPath(path, token), '');
}

/** Indexes of entries that repeat an earlier entry exactly (same id, same zone, nothing else). */
function exactDuplicates(entries: unknown[]): Array<{ index: number; firstIndex: number }> {
  const firstIndexOf = new Map<string, number>();
  const duplicates: Array<{ index: number; firstIndex: number }> = [];
  entries.forEach((entry, index) => {
    if (!isPlainObject(entry)) return;
    const key = JSON.stringify(entry);
    const firstIndex = firstIndexOf.get(key);
    if (firstIndex === undefined) firstIndexOf.set(key, index);
    else duplicates.push({ index, firstIndex });
  });
  return duplicates;
}

/**
 * Defaulting and normalisation, as the mutating webhook applies them: ids trimmed and lower-cased,
 * schema defaults filled in, exact duplicate vSwitch entries dropped (with a warning). Only `spec` is
 * touched. Returns the new object and the minimal patch from the old; never throws on any input.
 */
export function normalizeConfig(original: unknown): NormalizeResult {
  if (!isPlainObject(original) || !isPlainObject(original.spec)) return { object: original, patch: [], warnings: [] };
  const object = structuredClone(original);
  const spec = object.spec as Record<string, unknown>;
  cleanIds(spec);
  applyDefaults(object);
  const patch = diff(original, object);
  const warnings: Finding[] = [];
  const removals: JsonPatchOperation[] = [];
  for (const list of vSwitchLists(spec)) {
    const duplicates = exactDuplicates(list.entries);
    for (const { index, firstIndex } of duplicates) {
      const entry = list.entries[index] as Record<string, unknown>;
      warnings.push({
        path: tokensToPath([...list.tokens, index]),
        message: `duplicate of ${tokensToPath([...list.tokens, firstIndex])} (vSwitch ${String(entry.vSwitchId)} in ${String(entry.zoneId)}); dropped`,
      });
    }
    // Highest index first, so each removal leaves the indexes of the ones still to come unchanged.
    for (const { index } of [...duplicates].reverse()) {
      removals.push({ op: 'remove', path: pointer([...list.tokens, index]) });
      list.entries.splice(index, 1);
    }
  }
  // A change inside an entry that is then removed is no change at all.
  const kept = patch.filter((operation) => !removals.some((removal) => operation.path.startsWith(`${removal.path}/`)));
  return { object, patch: [...kept, ...removals], warnings };
}
