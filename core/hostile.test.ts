import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { validConfigArb } from '../test/arbitraries/asmpvlconfig';
import { clustersNeedingRewrites, hostileConfigArb, nested, plant } from '../test/arbitraries/hostile';
import { checkConfig, MAX_OBJECT_DEPTH, normalizeConfig, validateConfig } from './index';

const internal = (errors: Array<{ message: string }>) => errors.filter((error) => error.message.startsWith('internal'));

describe('hostile objects: an answer, never a throw, never an internal error', () => {
  test('deep, wrongly typed and huge values anywhere', () => {
    fc.assert(
      fc.property(hostileConfigArb, ({ object }) => {
        const checked = checkConfig(object);
        const normalized = normalizeConfig(object);
        expect(internal(checked.errors)).toEqual([]);
        expect(internal(validateConfig(object).errors)).toEqual([]);
        expect(Array.isArray(normalized.patch)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  test('managedFields nested 20,000 levels deep change nothing: the verdict and the patch are those without them', () => {
    fc.assert(
      fc.property(validConfigArb, fc.integer({ min: 1, max: 20_000 }), (config, depth) => {
        const deep = plant(config, ['metadata', 'managedFields', 0, 'fieldsV1'], nested(depth));
        expect(validateConfig(deep)).toEqual(validateConfig(config));
        expect(normalizeConfig(deep).patch).toEqual(normalizeConfig(config).patch);
      }),
      { numRuns: 40 },
    );
  });

  test('a spec nested past the bound is one finding that names the bound', () => {
    const object = plant(clustersNeedingRewrites(1), ['spec', 'extra'], nested(10_000, 'array'));
    expect(validateConfig(object).errors).toEqual([
      { path: '', message: expect.stringContaining(`nested more than ${MAX_OBJECT_DEPTH} levels deep`) },
    ]);
    expect(normalizeConfig(object).patch).toEqual([]);
  });

  test('a million tiny values in spec are refused in one finding, without walking them all', () => {
    const object = plant(
      clustersNeedingRewrites(1),
      ['spec', 'ackVpcEndpoint'],
      Array.from({ length: 1e6 }, () => 0),
    );
    const started = performance.now();
    expect(validateConfig(object).errors[0]?.message).toMatch(/more than 100000 values/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  test('an id that is an object with a toString key is a type error, not a crash', () => {
    const object = plant(clustersNeedingRewrites(1), ['spec', 'ackVpcEndpoint', 0, 'clusterId'], { toString: 'x' });
    expect(checkConfig(object).errors).toContainEqual({
      path: 'spec.ackVpcEndpoint[0].clusterId',
      message: 'must be a string, not an object',
    });
  });
});

describe('case folding never makes an invalid id valid', () => {
  test.each([
    ['the Kelvin sign', 'vsw-\u212Aabcdefg'],
    ['the dotted capital I', 'vsw-\u0130abcdefg'],
    ['a full-width space', '\u3000vsw-abcdefg'],
    ['a no-break space', 'vsw-abcdefg\u00a0'],
  ])('%s stays as written, and the schema refuses it', (_name, id) => {
    const object = plant(clustersNeedingRewrites(1), ['spec', 'asmVpcEndpoint', 'vSwitches', 0, 'vSwitchId'], id);
    const result = checkConfig(object);
    expect(result.patch.find((operation) => operation.path === '/spec/asmVpcEndpoint/vSwitches/0/vSwitchId')).toBe(
      undefined,
    );
    expect(result.errors.map((error) => error.path)).toContain('spec.asmVpcEndpoint.vSwitches[0].vSwitchId');
  });

  test('ASCII ids are still trimmed and lower-cased', () => {
    const object = plant(
      clustersNeedingRewrites(1),
      ['spec', 'asmVpcEndpoint', 'vSwitches', 0, 'vSwitchId'],
      ' VSW-ABCDEFG ',
    );
    expect(checkConfig(object).patch).toContainEqual({
      op: 'replace',
      path: '/spec/asmVpcEndpoint/vSwitches/0/vSwitchId',
      value: 'vsw-abcdefg',
    });
  });
});

test('an exact duplicate is found whatever the key order', () => {
  const object = clustersNeedingRewrites(1) as { spec: { ackVpcEndpoint: Array<{ vSwitches: unknown[] }> } };
  const result = normalizeConfig(object);
  expect(result.warnings.map((warning) => warning.path)).toEqual(['spec.ackVpcEndpoint[0].vSwitches[1]']);
  expect(result.patch).toContainEqual({ op: 'remove', path: '/spec/ackVpcEndpoint/0/vSwitches/1' });
  expect(result.patch.some((operation) => operation.path.startsWith('/spec/ackVpcEndpoint/0/vSwitches/1/'))).toBe(
    false,
  );
  // The kept entry is still cleaned.
  expect(result.patch).toContainEqual({
    op: 'replace',
    path: '/spec/ackVpcEndpoint/0/vSwitches/0/zoneId',
    value: 'cn-hangzhou-i',
  });
});

test('normalise + validate grows linearly: 8 times the clusters take well under 8² times as long', () => {
  // The fastest of three runs, so a busy machine or a garbage collection does not decide the ratio.
  const time = (clusters: number) => {
    const object = clustersNeedingRewrites(clusters);
    const runs = [0, 1, 2].map(() => {
      const started = performance.now();
      expect(checkConfig(object).warnings.length).toBe(clusters);
      return performance.now() - started;
    });
    return Math.min(...runs);
  };
  const small = Math.max(time(1_000), 1);
  const large = time(8_000);
  // Linear is 8x; quadratic would be 64x.
  expect(large / small).toBeLessThan(24);
}, 60_000);
