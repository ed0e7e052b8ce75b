/** One thing wrong (or odd) with an object: where, and a sentence that says what and what to do. */
export interface Finding {
  /** kubectl-style field path, e.g. `spec.ackVpcEndpoint[0].vSwitches[1].zoneId`; empty for the object itself. */
  path: string;
  message: string;
}

/** What the validation core says about one object. Valid means no errors; warnings never block. */
export interface ValidationResult {
  errors: Finding[];
  warnings: Finding[];
}

/** How strictly vSwitch zones must pair between the two sides. */
export type ZonePolicy = 'overlap' | 'strict';
export const ZONE_POLICIES: readonly ZonePolicy[] = ['overlap', 'strict'];

export function isZonePolicy(value: unknown): value is ZonePolicy {
  return typeof value === 'string' && (ZONE_POLICIES as readonly string[]).includes(value);
}

/** Renders a finding the way kubectl renders field errors: `path: message`. */
export function formatFinding(finding: Finding): string {
  return finding.path ? `${finding.path}: ${finding.message}` : finding.message;
}

/** Turns a JSON Pointer (`/spec/ackVpcEndpoint/0`) into a field path (`spec.ackVpcEndpoint[0]`). */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, token) => {
      if (/^\d+$/.test(token)) return `${path}[${token}]`;
      return path === '' ? token : `${path}.${token}`;
    }, '');
}

/** Appends a property name to a field path. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * A value as it may appear in a message: text quoted and cut short, anything else named by its type.
 * Never String() or JSON.stringify() of what a client sent: `{"toString": 1}` makes String() throw,
 * and a deep value makes JSON.stringify() overflow the stack.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
