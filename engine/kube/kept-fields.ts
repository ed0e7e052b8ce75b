/**
 * Fields of asmpvl that an API server with a narrower CRD prunes, kept in annotations instead.
 *
 * On an ASM instance the ASMPvlConfig CRD may be the vendor's: its structural schema holds the
 * spec's ackVpcEndpoint and asmVpcEndpoint and the provisioning status, and the API server silently
 * drops every other field on each write. Annotations are never pruned, so the fields asmpvl adds
 * live there when (and only when) the server drops them: the user writes the spec's choices as
 * annotations, and the status fields asmpvl writes are copied into one annotation after a status
 * write that came back without them. Reading fills a missing field from its annotation; a field the
 * server kept always wins over the annotation.
 */
import { type AsmPvlStatus, SPEC_ANNOTATIONS } from '../../core';
import type { StoredConfig } from './kube';

/**
 * The status fields the server pruned from asmpvl's last status write, as JSON. Written by asmpvl
 * alone; a watch of the object does not count a change of it as a reason to reconcile.
 */
export const ANNOTATION_KEPT_STATUS = 'asmpvl.io/status';

/** The status fields asmpvl writes beyond the provisioning status (clusters, pilot, status). */
export const KEPT_STATUS_FIELDS = ['observedGeneration', 'lastHandledReconcileAt', 'conditions', 'mesh'] as const;
type KeptStatusField = (typeof KEPT_STATUS_FIELDS)[number];
export type KeptStatus = Pick<AsmPvlStatus, KeptStatusField>;

function keptStatusOf(annotations: Record<string, string>): KeptStatus {
  const text = annotations[ANNOTATION_KEPT_STATUS];
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const kept: Record<string, unknown> = {};
    for (const field of KEPT_STATUS_FIELDS) {
      if ((parsed as Record<string, unknown>)[field] !== undefined)
        kept[field] = (parsed as Record<string, unknown>)[field];
    }
    return kept;
  } catch {
    // Edited by hand into something else: the status fields are simply unknown until the next write.
    return {};
  }
}

/**
 * The object as asmpvl reads it: each asmpvl field the server pruned filled in from its annotation
 * (a value outside the field's enum reads as the entry's `unreadable`).
 */
export function withKeptFields(stored: StoredConfig): StoredConfig {
  const annotations = stored.metadata.annotations ?? {};
  let spec = stored.spec;
  for (const { field, annotation, values, unreadable } of SPEC_ANNOTATIONS) {
    const given = annotations[annotation];
    if (spec?.[field] !== undefined || given === undefined) continue;
    const value = (values as readonly string[]).includes(given) ? given : unreadable;
    if (value !== undefined) spec = { ...spec, [field]: value };
  }
  let status = stored.status;
  const kept = keptStatusOf(annotations);
  for (const field of KEPT_STATUS_FIELDS) {
    if (kept[field] === undefined || status?.[field] !== undefined) continue;
    status = { ...(status ?? {}), [field]: kept[field] };
  }
  if (spec === stored.spec && status === stored.status) return stored;
  return { ...stored, spec, ...(status !== undefined ? { status } : {}) };
}

/**
 * The status fields of a write that the server dropped: present in `sent`, absent from what it
 * stored. Empty when the CRD keeps them all.
 */
export function prunedStatus(sent: AsmPvlStatus, stored: AsmPvlStatus | undefined): KeptStatus {
  const pruned: Record<string, unknown> = {};
  for (const field of KEPT_STATUS_FIELDS) {
    if (sent[field] !== undefined && stored?.[field] === undefined) pruned[field] = sent[field];
  }
  return pruned;
}

/**
 * The annotations after a status write whose pruned fields were `pruned`, or undefined when they
 * already say so: the kept status set to them, or removed once the server keeps every field.
 */
export function annotationsKeeping(
  annotations: Record<string, string> | undefined,
  pruned: KeptStatus,
): Record<string, string> | undefined {
  const current = annotations ?? {};
  const { [ANNOTATION_KEPT_STATUS]: previous, ...others } = current;
  if (Object.keys(pruned).length === 0) return previous === undefined ? undefined : others;
  const value = JSON.stringify(pruned);
  return previous === value ? undefined : { ...others, [ANNOTATION_KEPT_STATUS]: value };
}

/** The label asmpvl's own CRD carries (charts/asmpvl/crds/); a CRD without it belongs to someone else. */
export const OWN_CRD_LABEL = { key: 'app.kubernetes.io/part-of', value: 'asmpvl' } as const;

/** Every field asmpvl adds beyond the resource's contract, as a path from the object's root. */
export const ASMPVL_FIELDS = [
  ...SPEC_ANNOTATIONS.map(({ field }) => `spec.${field}`),
  ...KEPT_STATUS_FIELDS.map((field) => `status.${field}`),
];

/** A CRD version's openAPIV3Schema, as far as pruning reads it. */
export interface StructuralSchema {
  properties?: Record<string, StructuralSchema>;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/**
 * The asmpvl fields a CRD's structural schema prunes: a field survives when each step of its path
 * is a declared property, or a step on the way preserves unknown fields.
 */
export function prunedFields(schema: StructuralSchema | undefined): string[] {
  return ASMPVL_FIELDS.filter((path) => {
    let node = schema;
    for (const step of path.split('.')) {
      if (node === undefined) return true;
      if (node['x-kubernetes-preserve-unknown-fields'] === true) return false;
      node = node.properties?.[step];
    }
    return node === undefined;
  });
}
