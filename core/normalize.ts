import { childPath, type Finding } from './findings';
import { diff, type JsonPatchOperation, pointer } from './json-patch';
import { applyDefaults } from './schema';
import { judgedView, shapeProblem } from './shape';
import { isPlainObject } from './spec-view';

/** The normalised object, the minimal JSON Patch from the old one, and what was dropped. */
export interface NormalizeResult {
  object: unknown;
  patch: JsonPatchOperation[];
  warnings: Finding[];
}

// Ids are case-insensitive in the consoles and often pasted with stray spaces; the schema wants them clean.
// Only ASCII text is cleaned: Unicode case mappings would turn an invalid id into a valid one (the
// Kelvin sign U+212A lower-cases to k, U+0130 to i plus a dot), and trim() strips Unicode spaces too.
function cleanId(value: unknown): unknown {
  return typeof value === 'string' && !/[^\x20-\x7e\t\n\r]/.test(value) ? value.trim().toLowerCase() : value;
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

// Same fields with the same values, in any key order; entries holding more than text are never
// "exact" duplicates (the schema refuses them anyway).
function duplicateKey(entry: Record<string, unknown>): string | undefined {
  const keys = Object.keys(entry).sort();
  let key = '';
  for (const name of keys) {
    const value = entry[name];
    if (typeof value === 'object' && value !== null) return undefined;
    // Type-tagged and NUL-separated: "1" and 1, or "a\u0000b" split differently, never collide.
    key += `${name}\u0000${typeof value}\u0000${String(value)}\u0000`;
  }
  return key;
}

/** Indexes of entries that repeat an earlier entry exactly (same id, same zone, nothing else). */
function exactDuplicates(entries: unknown[]): Array<{ index: number; firstIndex: number }> {
  const firstIndexOf = new Map<string, number>();
  const duplicates: Array<{ index: number; firstIndex: number }> = [];
  entries.forEach((entry, index) => {
    if (!isPlainObject(entry)) return;
    const key = duplicateKey(entry);
    if (key === undefined) return;
    const firstIndex = firstIndexOf.get(key);
    if (firstIndex === undefined) firstIndexOf.set(key, index);
    else duplicates.push({ index, firstIndex });
  });
  return duplicates;
}

/**
 * Whether a patch path lies inside one of the removed vSwitch entries: its pointer up to the entry's
 * index (`.../vSwitches/3`) is one of the removals. One slice per operation, whatever its depth.
 */
function insideRemoved(path: string, removed: ReadonlySet<string>): boolean {
  const list = path.lastIndexOf('/vSwitches/');
  if (list === -1) return false;
  const end = path.indexOf('/', list + '/vSwitches/'.length);
  return end !== -1 && removed.has(path.slice(0, end));
}

/** Drops the exact duplicates of every vSwitch list in place; returns the removals and a warning each. */
function dropDuplicates(spec: Record<string, unknown>): { removals: JsonPatchOperation[]; warnings: Finding[] } {
  const warnings: Finding[] = [];
  const removals: JsonPatchOperation[] = [];
  for (const list of vSwitchLists(spec)) {
    const duplicates = exactDuplicates(list.entries);
    if (duplicates.length === 0) continue;
    const listPath = tokensToPath(list.tokens);
    for (const { index, firstIndex } of duplicates) {
      const entry = list.entries[index] as Record<string, unknown>;
      warnings.push({
        path: childPath(listPath, index),
        message: `duplicate of ${childPath(listPath, firstIndex)} (vSwitch ${String(entry.vSwitchId)} in ${String(entry.zoneId)}); dropped`,
      });
    }
    // Highest index first, so each removal leaves the indexes of the ones still to come unchanged.
    const listPointer = pointer(list.tokens);
    for (let i = duplicates.length - 1; i >= 0; i--)
      removals.push({ op: 'remove', path: `${listPointer}/${duplicates[i]!.index}` });
    // One pass instead of a splice per duplicate: linear in the list, whatever the number dropped.
    const dropped = new Set(duplicates.map(({ index }) => index));
    const kept = list.entries.filter((_, index) => !dropped.has(index));
    list.entries.length = 0;
    for (const entry of kept) list.entries.push(entry);
  }
  return { removals, warnings };
}

/**
 * Defaulting and normalisation, as the mutating webhook applies them: ids trimmed and lower-cased,
 * schema defaults filled in, exact duplicate vSwitch entries dropped (with a warning). Only `spec` is
 * touched (and copied: metadata, managedFields and status are never walked). Returns the new object
 * and the minimal patch from the old; linear in the size of the spec; never throws on any input.
 */
export function normalizeConfig(original: unknown): NormalizeResult {
  const unchanged = { object: original, patch: [], warnings: [] };
  if (!isPlainObject(original) || !isPlainObject(original.spec)) return unchanged;
  // Too deep or too large to copy safely: validation reports why, and there is nothing to normalise.
  if (shapeProblem(judgedView(original)) !== undefined) return unchanged;
  const spec = structuredClone(original.spec);
  const object = { ...original, spec };
  cleanIds(spec);
  // Defaults live in spec only; the schema is run on the judged view so metadata is never walked.
  applyDefaults(judgedView(object));
  const patch = diff(original.spec, spec, '/spec');
  const { removals, warnings } = dropDuplicates(spec);
  if (removals.length === 0) return { object, patch, warnings };
  // A change inside an entry that is then removed is no change at all.
  const removed = new Set(removals.map((removal) => removal.path));
  const kept = patch.filter((operation) => !insideRemoved(operation.path, removed));
  return { object, patch: [...kept, ...removals], warnings };
}
