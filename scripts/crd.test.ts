import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { parse } from 'yaml';
import { checkConfig } from '../core';
import { validConfigArb } from '../test/arbitraries/asmpvlconfig';
import { fixtureNames, loadFixture } from '../test/fixtures';

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
};

const crd = parse(
  readFileSync(join(__dirname, '../charts/asmpvl/crds/asmpvlconfigs.istio.alibabacloud.com.yaml'), 'utf8'),
);
const version = crd.spec.versions[0];
const openAPIV3Schema: Schema = version.schema.openAPIV3Schema;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addFormat('int64', true);
const crdAccepts = ajv.compile(openAPIV3Schema);

/** What the API server's structural pruning keeps of a value (metadata is the server's own). */
function prune(value: unknown, schema: Schema | undefined, atRoot = false): unknown {
  if (schema === undefined || schema['x-kubernetes-preserve-unknown-fields']) return value;
  if (Array.isArray(value)) return value.map((item) => prune(item, schema.items));
  if (typeof value !== 'object' || value === null) return value;
  const kept = Object.entries(value).filter(
    ([key]) => (atRoot && key === 'metadata') || schema.properties?.[key] !== undefined,
  );
  return Object.fromEntries(
    kept.map(([key, child]) => [key, atRoot && key === 'metadata' ? child : prune(child, schema.properties?.[key])]),
  );
}

function expectCrdKeeps(object: unknown): void {
  expect(crdAccepts(object)).toBe(true);
  expect(prune(object, openAPIV3Schema, true)).toEqual(object);
}

describe('the generated CRD', () => {
  test('is cluster-scoped, with the status subresource, short name and printer columns', () => {
    expect(crd.spec.scope).toBe('Cluster');
    expect(crd.spec.names.shortNames).toEqual(['asmpvl']);
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.map((column: { name: string }) => column.name)).toEqual([
      'Ready',
      'Status',
      'Mesh',
      'Message',
      'Age',
    ]);
    expect(openAPIV3Schema['x-kubernetes-validations' as keyof Schema]).toEqual([
      { rule: "self.metadata.name == 'default'", message: expect.stringContaining('metadata.name must be "default"') },
    ]);
  });

  test('is structural: every node has a type, and no $ref or additionalProperties survives', () => {
    const text = JSON.stringify(openAPIV3Schema);
    expect(text).not.toMatch(/"\$ref"|"\$defs"|"additionalProperties"/);
    const untyped: string[] = [];
    const walk = (schema: Schema, path: string) => {
      if (schema.type === undefined) untyped.push(path);
      Object.entries(schema.properties ?? {}).forEach(([key, child]) => walk(child, `${path}.${key}`));
      if (schema.items) walk(schema.items, `${path}[]`);
    };
    walk(openAPIV3Schema, '');
    expect(untyped).toEqual([]);
  });

  test.each(fixtureNames('valid'))('accepts and keeps every field of %s', (name) => {
    expectCrdKeeps(checkConfig(loadFixture(name)).object);
  });

  test('accepts and keeps every field of every object the core accepts', () => {
    fc.assert(
      fc.property(validConfigArb, (object) => {
        const checked = checkConfig(object, { zonePolicy: 'strict' });
        expect(checked.errors).toEqual([]);
        expectCrdKeeps(checked.object);
      }),
      { numRuns: 300 },
    );
  });

  test('rejects the malformed vSwitch id the core rejects', () => {
    expect(crdAccepts(loadFixture('invalid/malformed-vswitch.yaml'))).toBe(false);
  });
});
