import fc from 'fast-check';
import { clusterIdArb, setAtRandomPath, validConfigArb, vSwitchIdArb } from '../test/arbitraries/asmpvlconfig';
import { checkConfig, normalizeConfig, validateConfig } from './index';

const noInternalError = (errors: Array<{ message: string }>) =>
  errors.every((error) => !error.message.startsWith('internal error'));

describe('the core never throws', () => {
  test('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('overlap', 'strict' as const), (value, zonePolicy) => {
        const result = validateConfig(value, { zonePolicy: zonePolicy });
        const checked = checkConfig(value);
        normalizeConfig(value);
        return (
          Array.isArray(result.errors) &&
          Array.isArray(result.warnings) &&
          noInternalError(result.errors) &&
          noInternalError(checked.errors)
        );
      }),
      { numRuns: 2000 },
    );
  });

  test('on arbitrary values inside a well-formed object', () => {
    fc.assert(
      fc.property(validConfigArb, fc.array(fc.nat(), { maxLength: 8 }), fc.anything(), (object, choices, value) => {
        const mutated = setAtRandomPath(object, choices, value);
        const result = checkConfig(mutated, { zonePolicy: 'strict' });
        return noInternalError(result.errors);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('valid by construction', () => {
  test('is accepted under both policies, and normalisation is a no-op apart from defaults', () => {
    fc.assert(
      fc.property(validConfigArb, (object) => {
        expect(validateConfig(object, { zonePolicy: 'strict' })).toEqual({ errors: [], warnings: [] });
        const patch = normalizeConfig(object).patch;
        expect(patch.every((operation) => operation.op === 'add')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

type Config = {
  metadata: { name: string };
  spec: {
    ackVpcEndpoint: Array<{ clusterId: string; vSwitches: Array<{ vSwitchId: string; zoneId: string }> }>;
    asmVpcEndpoint: { vSwitches: Array<{ vSwitchId: string; zoneId: string }> };
  };
};

/** Mutations that each make a valid object invalid. */
const breakingMutations: Array<[string, fc.Arbitrary<(object: Config) => void>]> = [
  [
    'a name other than default',
    fc
      .string()
      .filter((name) => name !== 'default')
      .map((name) => (object: Config) => void (object.metadata.name = name)),
  ],
  [
    'a malformed vSwitch id',
    fc
      .string()
      .filter((id) => !/^\s*vsw-[a-z0-9]{6,32}\s*$/i.test(id))
      .map((id) => (object: Config) => void (object.spec.asmVpcEndpoint.vSwitches[0]!.vSwitchId = id)),
  ],
  [
    'a zone in another region',
    fc
      .constantFrom('cn-shanghai-b', 'ap-southeast-1a', 'us-west-1a')
      .map((zone) => (object: Config) => void (object.spec.asmVpcEndpoint.vSwitches[0]!.zoneId = zone)),
  ],
  [
    'a cluster listed twice',
    fc.constant(
      (object: Config) => void object.spec.ackVpcEndpoint.push(structuredClone(object.spec.ackVpcEndpoint[0]!)),
    ),
  ],
  [
    'a missing required field',
    fc.constantFrom('asmVpcEndpoint', 'spec').map((field) => (object: Config) => {
      if (field === 'spec') delete (object as Partial<Config>).spec;
      else delete (object.spec as Partial<Config['spec']>).asmVpcEndpoint;
    }),
  ],
  [
    'an ASM side in a zone no cluster has',
    fc.constant((object: Config) => {
      object.spec.asmVpcEndpoint.vSwitches = [{ vSwitchId: 'vsw-zzzzzzzzzzzzzzzzzzzzz', zoneId: 'cn-hangzhou-z' }];
    }),
  ],
  [
    'a malformed cluster id',
    clusterIdArb.map(
      (id) => (object: Config) => void (object.spec.ackVpcEndpoint[0]!.clusterId = id.replace(/^c/, 'x')),
    ),
  ],
  [
    'a vSwitch on both sides',
    vSwitchIdArb.map((id) => (object: Config) => {
      object.spec.asmVpcEndpoint.vSwitches[0]!.vSwitchId = id;
      object.spec.ackVpcEndpoint[0]!.vSwitches[0]!.vSwitchId = id;
    }),
  ],
];

describe('every invalid object gets at least one error', () => {
  test.each(breakingMutations)('%s', (_name, mutation) => {
    fc.assert(
      fc.property(
        validConfigArb.filter((object) => object.spec.ackVpcEndpoint.length > 0),
        mutation,
        (object, mutate) => {
          const broken = structuredClone(object) as unknown as Config;
          mutate(broken);
          expect(checkConfig(broken).errors.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
