import fc from 'fast-check';
import { validConfigArb } from './asmpvlconfig';

/**
 * Generators of what an attacker (or the API server passing an attacker's object through) sends: values
 * nested to any depth, values of the wrong type where text is expected, huge lists, and objects with
 * thousands of clusters whose ids need rewriting and whose vSwitches repeat. Shared by the core's
 * property tests, the webhook's server tests and the chaos suite.
 */

type Json = unknown;

/** `depth` levels of objects or arrays around `leaf`, built without recursion (so any depth is cheap). */
export function nested(depth: number, shape: 'object' | 'array' | 'mixed' = 'object', leaf: Json = {}): Json {
  let value = leaf;
  for (let level = 0; level < depth; level++) {
    const asArray = shape === 'array' || (shape === 'mixed' && level % 2 === 1);
    value = asArray ? [value] : { [`f:${level % 7}`]: value };
  }
  return value;
}

/** The same nesting as JSON text, written directly: JSON.stringify itself overflows past ~5,000 levels. */
export function nestedJson(depth: number, shape: 'object' | 'array' = 'object'): string {
  return shape === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"f:a":'.repeat(depth)}{}${'}'.repeat(depth)}`;
}

export const deepArb: fc.Arbitrary<Json> = fc
  .tuple(fc.integer({ min: 33, max: 20_000 }), fc.constantFrom('object' as const, 'array' as const, 'mixed' as const))
  .map(([depth, shape]) => nested(depth, shape));

/** Values of the wrong type where a string is expected, including objects whose `toString` is not a function. */
export const wrongTypeArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constant({ toString: 'x' }),
  fc.constant({ toString: {}, valueOf: [] }),
  fc.constant({ toJSON: 1 }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}') as Json),
  fc.constant({ constructor: { prototype: 'x' } }),
  fc.constant([]),
  fc.constant([['a']]),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.string({ maxLength: 64, unit: 'binary' }),
);

/** A list of many tiny values. */
export const hugeArrayArb: fc.Arbitrary<Json> = fc
  .tuple(fc.integer({ min: 1_000, max: 20_000 }), fc.constantFrom<Json>(0, {}, [], '', null))
  .map(([length, value]) => Array.from({ length }, () => structuredClone(value)));

export const hostileValueArb: fc.Arbitrary<Json> = fc.oneof(deepArb, wrongTypeArb, hugeArrayArb);

/** Where a hostile value goes: paths inside an ASMPvlConfig, metadata and managedFields included. */
export const HOSTILE_PATHS: ReadonlyArray<ReadonlyArray<string | number>> = [
  ['metadata', 'managedFields', 0, 'fieldsV1'],
  ['metadata', 'annotations'],
  ['metadata', 'labels', 'a'],
  ['metadata', 'name'],
  ['metadata'],
  ['apiVersion'],
  ['kind'],
  ['spec'],
  ['spec', 'sanSync'],
  ['spec', 'ackVpcEndpoint'],
  ['spec', 'ackVpcEndpoint', 0],
  ['spec', 'ackVpcEndpoint', 0, 'clusterId'],
  ['spec', 'ackVpcEndpoint', 0, 'vSwitches'],
  ['spec', 'ackVpcEndpoint', 0, 'vSwitches', 0, 'vSwitchId'],
  ['spec', 'ackVpcEndpoint', 0, 'vSwitches', 0, 'zoneId'],
  ['spec', 'asmVpcEndpoint', 'vSwitches', 0, 'zoneId'],
  ['spec', 'asmVpcEndpoint', 'vSwitches', 0],
  ['spec', 'extra'],
  ['status'],
  ['status', 'clusters', 0, 'pvlEndpoint'],
];

/** Sets `value` at `path` in a copy of `object`, creating what is missing on the way. */
export function plant(object: Json, path: ReadonlyArray<string | number>, value: Json): Json {
  const copy = structuredClone(object) as Record<string | number, Json>;
  let node = copy;
  path.forEach((token, index) => {
    if (index === path.length - 1) {
      node[token] = value;
      return;
    }
    const next = node[token];
    if (typeof next !== 'object' || next === null) node[token] = typeof path[index + 1] === 'number' ? [] : {};
    node = node[token] as Record<string | number, Json>;
  });
  return copy;
}

/** A valid object (with at least one cluster) with one hostile value planted somewhere. */
export const hostileConfigArb: fc.Arbitrary<{ object: Json; path: ReadonlyArray<string | number> }> = fc
  .tuple(
    validConfigArb.filter((config) => config.spec.ackVpcEndpoint.length > 0),
    fc.constantFrom(...HOSTILE_PATHS),
    hostileValueArb,
  )
  .map(([config, path, value]) => ({ object: plant(config, path, value), path }));

/**
 * An object with `clusters` clusters whose ids need rewriting (upper case, stray spaces) and where every
 * cluster repeats its vSwitch (in another key order): the work normalisation does at its worst, at nine
 * values a cluster (20,000 clusters stay under the core's bound on values).
 */
export function clustersNeedingRewrites(clusters: number): Json {
  const hex = (n: number) => n.toString(16).padStart(32, '0');
  const vsw = (n: number) => `vsw-bp1${n.toString(36).padStart(18, '0')}`;
  return {
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'ASMPvlConfig',
    metadata: { name: 'default' },
    spec: {
      ackVpcEndpoint: Array.from({ length: clusters }, (_, i) => ({
        clusterId: ` C${hex(i).toUpperCase()} `,
        vSwitches: [
          { vSwitchId: vsw(10 + i).toUpperCase(), zoneId: ' cn-hangzhou-i' },
          { zoneId: ' cn-hangzhou-i', vSwitchId: vsw(10 + i).toUpperCase() },
        ],
      })),
      asmVpcEndpoint: { vSwitches: [{ vSwitchId: vsw(1), zoneId: 'cn-hangzhou-i' }] },
    },
  };
}

/**
 * JSON.stringify without recursion, for sending the values above: JSON.stringify overflows the stack a
 * few thousand levels down, which is the very input the webhook must survive.
 */
export function stringifyDeep(value: Json): string {
  const out: string[] = [];
  // Each frame is a value still to write, or a piece of punctuation to write after a container's children.
  const stack: Array<{ value: Json } | { text: string }> = [{ value }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ('text' in frame) {
      out.push(frame.text);
      continue;
    }
    const current = frame.value;
    if (typeof current !== 'object' || current === null) {
      out.push(JSON.stringify(current) ?? 'null');
      continue;
    }
    const entries: Array<[string | undefined, Json]> = Array.isArray(current)
      ? current.map((item): [undefined, Json] => [undefined, item])
      : Object.entries(current);
    out.push(Array.isArray(current) ? '[' : '{');
    stack.push({ text: Array.isArray(current) ? ']' : '}' });
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      stack.push({ value: item });
      const prefix = `${i > 0 ? ',' : ''}${key === undefined ? '' : `${JSON.stringify(key)}:`}`;
      if (prefix !== '') stack.push({ text: prefix });
    }
  }
  return out.join('');
}
