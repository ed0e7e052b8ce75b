import type { Finding } from './findings';
import { isPlainObject } from './spec-view';

/**
 * Bounds on the part of an object the core reads. The schema nests at most 7 levels (status.pilot.
 * clusters[].pvlEndpoint.id), so anything deeper is invalid whatever it holds; and the value count
 * allows 20,000 clusters with three vSwitches each, twenty times the schema's 1,000, so an oversized
 * list is still reported as such instead of being cut short. Beyond either bound the core reports
 * one finding and reads no further: no recursion into hostile depth, no work or memory that grows
 * past what the API server could ever store.
 */
export const MAX_OBJECT_DEPTH = 32;
export const MAX_OBJECT_VALUES = 300_000;

/**
 * The part of an object the core judges: everything but `metadata`, of which only the name counts.
 * `metadata.managedFields[].fieldsV1` and annotations are the API server's business and can be nested
 * thousands of levels deep: the core never walks them.
 */
export function judgedView(object: unknown): unknown {
  if (!isPlainObject(object) || !isPlainObject(object.metadata)) return object;
  const { name } = object.metadata;
  return { ...object, metadata: name === undefined ? {} : { name } };
}

/**
 * Why the judged view of an object is too deep or too large to read, or undefined when it is within
 * bounds. An explicit stack, never recursion, and it stops at the first bound crossed.
 */
export function shapeProblem(object: unknown): Finding | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: object, depth: 0 }];
  // Counted when stacked, so a million-key object is refused before its values are stacked.
  let values = 1;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_OBJECT_DEPTH)
      return {
        path: '',
        message: `the object is nested more than ${MAX_OBJECT_DEPTH} levels deep; the schema allows at most 7: remove the nested values`,
      };
    const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
    values += children.length;
    if (values > MAX_OBJECT_VALUES)
      return {
        path: '',
        message: `the object holds more than ${MAX_OBJECT_VALUES} values; an ASMPvlConfig holds at most 1000 clusters of 16 vSwitches each: remove entries`,
      };
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}
