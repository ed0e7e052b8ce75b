import { applyPatch } from 'fast-json-patch';
import { fixtureNames, loadFixture } from '../test/fixtures';
import { checkConfig, NAME_RULE_MESSAGE, normalizeConfig, validateConfig } from './index';

type Spec = {
  ackVpcEndpoint: Array<{ clusterId: string; vSwitches: Array<{ vSwitchId: string; zoneId: string }> }>;
  asmVpcEndpoint: { vSwitches: Array<{ vSwitchId: string; zoneId: string }> };
};
const withSpec = (name: string, edit: (spec: Spec) => void) => {
  const object = loadFixture(name);
  edit(object.spec as Spec);
  return object;
};

describe('valid fixtures', () => {
  test.each(fixtureNames('valid'))('%s has no errors and no warnings', (name) => {
    expect(validateConfig(loadFixture(name))).toEqual({ errors: [], warnings: [] });
  });
});

describe('name rule', () => {
  test('a name other than default is an error naming the field', () => {
    expect(validateConfig(loadFixture('invalid/wrong-name.yaml')).errors).toEqual([
      { path: 'metadata.name', message: NAME_RULE_MESSAGE },
    ]);
  });

  test('generateName without a name is an error too', () => {
    const object = loadFixture('valid/one-cluster.yaml');
    object.metadata = { generateName: 'default-' };
    expect(validateConfig(object).errors).toEqual([{ path: 'metadata.name', message: NAME_RULE_MESSAGE }]);
  });
});

describe('zone pairing', () => {
  test("the vendor's example (zone j against zone i) is rejected, naming both zones", () => {
    const result = validateConfig(loadFixture('invalid/vendor-example.yaml'));
    expect(result.errors).toEqual([
      {
        path: 'spec.ackVpcEndpoint[0].vSwitches',
        message:
          'cluster c0123456789abcdef0123456789abcdef has vSwitches only in zone cn-hangzhou-j and the ASM vSwitches are only in zone cn-hangzhou-i, ' +
          'so no zone pairs: PrivateLink places an endpoint only in a zone both sides share. Add a vSwitch in cn-hangzhou-i to the cluster, or an ASM vSwitch in cn-hangzhou-j',
      },
    ]);
    expect(result.warnings).toEqual([]);
  });

  test('under overlap, a vSwitch without a partner zone is a warning on either side', () => {
    const result = validateConfig(loadFixture('warning/unpaired-vswitches.yaml'));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      {
        path: 'spec.ackVpcEndpoint[0].vSwitches[1]',
        message:
          'vSwitch vsw-bp1kq2x9nd8ehk4a7mzte in zone cn-hangzhou-k has no ASM vSwitch in that zone, so it carries no traffic (paired: cn-hangzhou-j); add an ASM vSwitch in cn-hangzhou-k or remove it',
      },
      {
        path: 'spec.asmVpcEndpoint.vSwitches[1]',
        message:
          'vSwitch vsw-bp1p3s7vk2wq9c6d1n0uz in zone cn-hangzhou-i serves no cluster, since no cluster has a vSwitch in that zone; add one there or remove it',
      },
    ]);
  });

  test('under strict, the same unpaired vSwitches are errors', () => {
    const overlap = validateConfig(loadFixture('warning/unpaired-vswitches.yaml'));
    const strict = validateConfig(loadFixture('warning/unpaired-vswitches.yaml'), { zonePolicy: 'strict' });
    expect(strict.errors).toEqual(overlap.warnings);
    expect(strict.warnings).toEqual([]);
  });

  test('several zones are listed in a sentence', () => {
    const object = withSpec('valid/two-clusters.yaml', (spec) => {
      spec.asmVpcEndpoint.vSwitches = [{ vSwitchId: 'vsw-bp1l5hini55sstnwd2skf', zoneId: 'cn-hangzhou-k' }];
    });
    expect(validateConfig(object).errors[0]).toEqual({
      path: 'spec.ackVpcEndpoint[0].vSwitches',
      message:
        'cluster c0123456789abcdef0123456789abcdef has vSwitches only in zones cn-hangzhou-i and cn-hangzhou-j and the ASM vSwitches are only in zone cn-hangzhou-k, ' +
        'so no zone pairs: PrivateLink places an endpoint only in a zone both sides share. Add a vSwitch in cn-hangzhou-k to the cluster, or an ASM vSwitch in cn-hangzhou-i and cn-hangzhou-j',
    });
  });

  test('with no cluster yet, idle ASM vSwitches are not reported even under strict', () => {
    expect(validateConfig(loadFixture('valid/no-clusters-yet.yaml'), { zonePolicy: 'strict' })).toEqual({
      errors: [],
      warnings: [],
    });
  });
});

describe('one region', () => {
  test('a zone of another region is an error naming both regions', () => {
    const object = withSpec('valid/two-clusters.yaml', (spec) => {
      spec.ackVpcEndpoint[1]!.vSwitches.push({ vSwitchId: 'vsw-uf6h2k9d0s8a7f6g5j4k3', zoneId: 'cn-shanghai-b' });
    });
    expect(validateConfig(object).errors).toEqual([
      {
        path: 'spec.ackVpcEndpoint[1].vSwitches[1].zoneId',
        message:
          "zone cn-shanghai-b is in region cn-shanghai, but the mesh's vSwitches are in cn-hangzhou; PrivateLink works within one region: use a vSwitch in cn-hangzhou",
      },
    ]);
  });
});

describe('duplicates', () => {
  test('a cluster listed twice is an error at the second entry', () => {
    const object = withSpec('valid/two-clusters.yaml', (spec) => {
      spec.ackVpcEndpoint[1]!.clusterId = 'c0123456789abcdef0123456789abcdef';
      spec.ackVpcEndpoint[1]!.vSwitches = [{ vSwitchId: 'vsw-bp18u0c4mjvh1gxfq5r2a', zoneId: 'cn-hangzhou-j' }];
    });
    expect(validateConfig(object).errors).toEqual([
      {
        path: 'spec.ackVpcEndpoint[1].clusterId',
        message:
          'cluster c0123456789abcdef0123456789abcdef is listed twice (also at spec.ackVpcEndpoint[0]): merge its vSwitches into one entry',
      },
    ]);
  });

  test('a vSwitch of the ASM side reused by a cluster is an error', () => {
    const object = withSpec('valid/one-cluster.yaml', (spec) => {
      spec.ackVpcEndpoint[0]!.vSwitches[0]!.vSwitchId = 'vsw-bp1l5hini55sstnwd2skf';
    });
    expect(validateConfig(object).errors).toEqual([
      {
        path: 'spec.ackVpcEndpoint[0].vSwitches[0].vSwitchId',
        message:
          "vSwitch vsw-bp1l5hini55sstnwd2skf is also listed at spec.asmVpcEndpoint.vSwitches[0]; the ASM VPC and a cluster's VPC are different VPCs, so one vSwitch cannot serve both sides: check the id",
      },
    ]);
  });

  test('a vSwitch used by two clusters is an error', () => {
    const object = withSpec('valid/two-clusters.yaml', (spec) => {
      spec.ackVpcEndpoint[1]!.vSwitches[0]!.vSwitchId = 'vsw-bp1kq2x9nd8ehk4a7mzte';
    });
    expect(validateConfig(object).errors).toEqual([
      {
        path: 'spec.ackVpcEndpoint[1].vSwitches[0].vSwitchId',
        message:
          "vSwitch vsw-bp1kq2x9nd8ehk4a7mzte is also used by cluster c0123456789abcdef0123456789abcdef at spec.ackVpcEndpoint[0].vSwitches[1]; each cluster's endpoint goes into vSwitches of its own VPC: check the id",
      },
    ]);
  });

  test('one vSwitch listed with two zones is an error', () => {
    const object = withSpec('valid/one-cluster.yaml', (spec) => {
      spec.asmVpcEndpoint.vSwitches.push({ vSwitchId: 'vsw-bp1l5hini55sstnwd2skf', zoneId: 'cn-hangzhou-k' });
    });
    const result = checkConfig(object);
    expect(result.errors).toContainEqual({
      path: 'spec.asmVpcEndpoint.vSwitches[1].vSwitchId',
      message:
        'vSwitch vsw-bp1l5hini55sstnwd2skf is listed twice with different zones (cn-hangzhou-j at spec.asmVpcEndpoint.vSwitches[0], cn-hangzhou-k here); a vSwitch lies in one zone: keep the entry with its real zone',
    });
  });

  test('an exact duplicate is an error when validated as is, and dropped with a warning by normalisation', () => {
    const object = withSpec('valid/one-cluster.yaml', (spec) => {
      spec.asmVpcEndpoint.vSwitches.push({ vSwitchId: 'vsw-bp1l5hini55sstnwd2skf', zoneId: 'cn-hangzhou-j' });
    });
    expect(validateConfig(object).errors).toEqual([
      {
        path: 'spec.asmVpcEndpoint.vSwitches[1].vSwitchId',
        message:
          'vSwitch vsw-bp1l5hini55sstnwd2skf is listed twice (also at spec.asmVpcEndpoint.vSwitches[0]): remove one',
      },
    ]);
    const checked = checkConfig(object);
    expect(checked.errors).toEqual([]);
    expect(checked.warnings).toEqual([
      {
        path: 'spec.asmVpcEndpoint.vSwitches[1]',
        message:
          'duplicate of spec.asmVpcEndpoint.vSwitches[0] (vSwitch vsw-bp1l5hini55sstnwd2skf in cn-hangzhou-j); dropped',
      },
    ]);
  });
});

describe('schema findings', () => {
  test('a malformed vSwitch id names the field and the expected form', () => {
    expect(validateConfig(loadFixture('invalid/malformed-vswitch.yaml')).errors).toEqual([
      {
        path: 'spec.ackVpcEndpoint[0].vSwitches[0].vSwitchId',
        message:
          '"vsw_bad!" is not valid: expected a vSwitch ID: vsw- followed by lower-case letters and digits, e.g. vsw-bp1jsgsanpvxpj32yai50',
      },
    ]);
  });

  test('a missing ASM side says what to add', () => {
    const object = loadFixture('valid/one-cluster.yaml');
    delete (object.spec as Record<string, unknown>).asmVpcEndpoint;
    expect(validateConfig(object).errors).toEqual([
      {
        path: 'spec.asmVpcEndpoint',
        message:
          "required field is missing: add it (where, in the ASM instance's VPC, the endpoints that reach each cluster's API server are placed)",
      },
    ]);
  });

  test('an unknown field is named with the fields that exist there', () => {
    const object = withSpec('valid/one-cluster.yaml', (spec) => {
      (spec.ackVpcEndpoint[0] as Record<string, unknown>).vswitches = [];
    });
    expect(validateConfig(object).errors).toEqual([
      {
        path: 'spec.ackVpcEndpoint[0].vswitches',
        message: 'unknown field: remove it or fix its spelling (known fields here: clusterId, vSwitches)',
      },
    ]);
  });

  test('a wrong type and a wrong enum value', () => {
    const object = loadFixture('valid/one-cluster.yaml');
    (object.spec as Record<string, unknown>).sanSync = 'Sometimes';
    (object.spec as Record<string, unknown>).ackVpcEndpoint = 'c0123456789abcdef0123456789abcdef';
    expect(validateConfig(object).errors).toEqual([
      { path: 'spec.ackVpcEndpoint', message: 'must be an array, not a string' },
      { path: 'spec.sanSync', message: '"Sometimes" is not allowed: use one of Enabled, Disabled' },
    ]);
  });
});

describe('normalisation', () => {
  test('ids are trimmed and lower-cased, defaults filled in, with the minimal patch', () => {
    const object = withSpec('valid/one-cluster.yaml', (spec) => {
      spec.ackVpcEndpoint[0]!.clusterId = ' C0123456789ABCDEF0123456789ABCDEF ';
      spec.asmVpcEndpoint.vSwitches[0]!.zoneId = 'CN-HANGZHOU-J';
    });
    const result = normalizeConfig(object);
    expect(result.patch).toEqual([
      { op: 'replace', path: '/spec/ackVpcEndpoint/0/clusterId', value: 'c0123456789abcdef0123456789abcdef' },
      { op: 'replace', path: '/spec/asmVpcEndpoint/vSwitches/0/zoneId', value: 'cn-hangzhou-j' },
      { op: 'add', path: '/spec/sanSync', value: 'Enabled' },
      { op: 'add', path: '/spec/deletionPolicy', value: 'Delete' },
    ]);
    expect(applyPatch(structuredClone(object), result.patch as never).newDocument).toEqual(result.object);
    expect(validateConfig(result.object)).toEqual({ errors: [], warnings: [] });
  });

  test('an empty cluster list is defaulted for a new mesh', () => {
    expect(normalizeConfig(loadFixture('valid/no-clusters-yet.yaml')).patch).toEqual([
      { op: 'add', path: '/spec/ackVpcEndpoint', value: [] },
      { op: 'add', path: '/spec/sanSync', value: 'Enabled' },
      { op: 'add', path: '/spec/deletionPolicy', value: 'Delete' },
    ]);
  });

  test('normalising twice changes nothing the second time', () => {
    const once = normalizeConfig(loadFixture('valid/two-clusters.yaml'));
    expect(normalizeConfig(once.object)).toEqual({ object: once.object, patch: [], warnings: [] });
  });

  test('duplicates are removed highest index first, and edits inside them are not sent', () => {
    const object = withSpec('valid/one-cluster.yaml', (spec) => {
      spec.asmVpcEndpoint.vSwitches.push({ vSwitchId: 'VSW-BP1L5HINI55SSTNWD2SKF', zoneId: 'cn-hangzhou-j' });
      spec.asmVpcEndpoint.vSwitches.push({ vSwitchId: 'vsw-bp1l5hini55sstnwd2skf', zoneId: 'cn-hangzhou-j' });
    });
    const result = normalizeConfig(object);
    expect(result.patch).toEqual([
      { op: 'add', path: '/spec/sanSync', value: 'Enabled' },
      { op: 'add', path: '/spec/deletionPolicy', value: 'Delete' },
      { op: 'remove', path: '/spec/asmVpcEndpoint/vSwitches/2' },
      { op: 'remove', path: '/spec/asmVpcEndpoint/vSwitches/1' },
    ]);
    expect(applyPatch(structuredClone(object), result.patch as never).newDocument).toEqual(result.object);
  });

  test('status and metadata are never touched', () => {
    const object = loadFixture('valid/with-status.yaml');
    (object.status as Record<string, unknown>).status = ' AVAILABLE ';
    const result = normalizeConfig(object);
    expect(result.patch.every((operation) => operation.path.startsWith('/spec/'))).toBe(true);
    expect((result.object as Record<string, unknown>).status).toEqual(object.status);
  });

  test('keys that need escaping are escaped in patch paths', () => {
    const object = loadFixture('valid/one-cluster.yaml');
    const result = normalizeConfig(object);
    expect(result.patch.map((operation) => operation.path)).toEqual(['/spec/sanSync', '/spec/deletionPolicy']);
  });
});
