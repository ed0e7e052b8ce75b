/**
 * The annotations that stand for spec fields where the API server's CRD has no such field (an ASM
 * instance whose ASMPvlConfig CRD is the vendor's prunes every field asmpvl adds, but never touches
 * annotations). Their values are checked at admission like the fields they stand for: no schema
 * checks an annotation, so without this a misspelt word would only show up as a policy nobody chose.
 */
import { describeValue, type Finding } from './findings';
import { asmPvlConfigSchema } from './schema';
import { isPlainObject } from './spec-view';

/** spec.deletionPolicy, for a CRD that prunes it. */
export const ANNOTATION_DELETION_POLICY = 'asmpvl.io/deletion-policy';
/** spec.sanSync, for a CRD that prunes it. */
export const ANNOTATION_SAN_SYNC = 'asmpvl.io/san-sync';

const specProperties = asmPvlConfigSchema.properties.spec.properties;

/**
 * Each spec field an annotation stands for, the values it takes (the schema's enum), and what an
 * annotation outside them reads as when one was stored anyway (admission was off or failed open): a
 * misspelt deletion policy reads as Orphan, so a word asmpvl cannot read never makes it delete cloud
 * resources; a misspelt SAN sync reads as absent (Enabled), which only ever adds SANs.
 */
export const SPEC_ANNOTATIONS = [
  {
    field: 'deletionPolicy',
    annotation: ANNOTATION_DELETION_POLICY,
    values: specProperties.deletionPolicy.enum,
    unreadable: 'Orphan',
  },
  { field: 'sanSync', annotation: ANNOTATION_SAN_SYNC, values: specProperties.sanSync.enum, unreadable: undefined },
] as const;

/** The value of each spec annotation on `object`, by annotation name; absent ones are left out. */
export function specAnnotationValues(object: unknown): Map<string, unknown> {
  const values = new Map<string, unknown>();
  if (!isPlainObject(object) || !isPlainObject(object.metadata)) return values;
  const { annotations } = object.metadata;
  if (!isPlainObject(annotations)) return values;
  for (const { annotation } of SPEC_ANNOTATIONS) {
    if (Object.hasOwn(annotations, annotation)) values.set(annotation, annotations[annotation]);
  }
  return values;
}

/** A finding for each spec annotation whose value is not one its field takes. */
export function checkSpecAnnotations(object: unknown): Finding[] {
  const values = specAnnotationValues(object);
  return SPEC_ANNOTATIONS.flatMap(({ field, annotation, values: allowed }) => {
    if (!values.has(annotation)) return [];
    const value = values.get(annotation);
    if ((allowed as readonly unknown[]).includes(value)) return [];
    return [
      {
        path: `metadata.annotations[${annotation}]`,
        message: `must be ${allowed.join(' or ')} (it stands for spec.${field}), got ${describeValue(value)}`,
      },
    ];
  });
}
