import type { Finding } from './findings';
import { isPlainObject } from './spec-view';

/**
 * Bounds on the part of an object the core reads. The schema nests at most 7 levels (status.pilot.
 * clusters[].pvlEndpoint.id), so anything deeper is invalid whatever it holds. The largest object the
 * schema allows (100 clusters of 16 vSwitches, and their status) holds about 7,500 values; 100,000
 * leaves room for an oversized list to be reported as such (11,000 clusters of one vSwitch and a
 * duplicate), while an object past it is refused in one finding: normalising 20,000 clusters held
 * ~150 MiB at once, more than half the webhook's memory limit, for an object the API server cannot
 * store anyway (1.5 MiB). Beyond either bound the core reads no further.
 */
export const MAX_OBJECT_DEPTH = 32;
export const MAX_OBJECT_VALUES = 100_000;

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
 * Beyond this many values the schema check stops at the first error instead of listing them all: two
 * errors for each of 290,000 empty clusters took 600 MiB. Every object the schema allows stays under it.
 */
export const EXHAUSTIVE_SCHEMA_VALUES = 80_000;

/** Why the judged view of an object is too deep or too large to read, or undefined when it is within bounds. */
export function shapeProblem(object: unknown): Finding | undefined {
  return measureShape(object).problem;
}

/**
 * How many values the judged view of an object holds, and why it is too deep or too large to read.
 * An explicit stack, never recursion, and it stops at the first bound crossed.
 */
export function measureShape(object: unknown): { values: number; problem?: Finding } {
  // Two parallel stacks of values and depths: no object allocated per value walked.
  const pending: unknown[] = [object];
  const depths: number[] = [0];
  // Counted when stacked, so a million-key object is refused before its values are stacked.
  let values = 1;
  while (pending.length > 0) {
    const value = pending.pop();
    const depth = depths.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_OBJECT_DEPTH)
      return problem(values, {
        path: '',
        message: `the object is nested more than ${MAX_OBJECT_DEPTH} levels deep; the schema allows at most 7: remove the nested values`,
      });
    const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
    values += children.length;
    if (values > MAX_OBJECT_VALUES)
      return problem(values, {
        path: '',
        message: `the object holds more than ${MAX_OBJECT_VALUES} values; an ASMPvlConfig holds at most 100 clusters of 16 vSwitches each: remove entries`,
      });
    for (const child of children) {
      pending.push(child);
      depths.push(depth + 1);
    }
  }
  return { values };
}

function problem(values: number, finding: Finding): { values: number; problem: Finding } {
  return { values, problem: finding };
}
