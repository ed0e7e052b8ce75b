/** An RFC 6902 operation, as the admission webhook sends it back to the API server. */
export type JsonPatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** Escapes one reference token of a JSON Pointer (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapePointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointer(tokens: ReadonlyArray<string | number>): string {
  return tokens.map((token) => `/${escapePointerToken(token)}`).join('');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The operations that turn `before` into `after`, for values of the same shape except for added or
 * removed object keys: changed leaves become `replace`, new keys `add`. Arrays are compared index by
 * index when their lengths match and replaced whole otherwise.
 *
 * Our own rather than fast-json-patch's `compare`: that one turns a dropped array entry into a
 * replace of every later entry, and the webhook's patch should say exactly what it changed.
 */
export function diff(before: unknown, after: unknown, at: Array<string | number> = []): JsonPatchOperation[] {
  if (Object.is(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const removed = Object.keys(before)
      .filter((key) => !(key in after))
      .map((key): JsonPatchOperation => ({ op: 'remove', path: pointer([...at, key]) }));
    const changed = Object.keys(after).flatMap((key): JsonPatchOperation[] =>
      key in before
        ? diff(before[key], after[key], [...at, key])
        : [{ op: 'add', path: pointer([...at, key]), value: after[key] }],
    );
    return [...removed, ...changed];
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return after.flatMap((item, index) => diff(before[index], item, [...at, index]));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ op: 'replace', path: pointer(at), value: after }];
}
