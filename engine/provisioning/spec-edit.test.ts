import type { ASMPvlConfig } from '../../core';
import {
  ANNOTATION_MESH_ID,
  changesObject,
  parseVSwitchFlag,
  resolveMeshId,
  specRevision,
  withCluster,
  withoutCluster,
} from './spec-edit';

const MESH = 'cf9171d03515f8f0920a4425eca656495';
const C1 = 'c84974f524e2045c87dccadff91a71708';
const C2 = 'cab1659d273777fbbeb08d1f747ad55b7';
const ASM = [{ vSwitchId: 'vsw-bp10w1gdt1pw6srb8dy0i', zoneId: 'cn-hangzhou-j' }];
const C1_VSWITCHES = [{ vSwitchId: 'vsw-bp10gkryrkhgg8t0t3q45', zoneId: 'cn-hangzhou-j' }];

function stored(): ASMPvlConfig {
  return {
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'ASMPvlConfig',
    metadata: {
      name: 'default',
      annotations: { [ANNOTATION_MESH_ID]: MESH, team: 'mesh' },
      uid: 'u-1',
      generation: 4,
    } as ASMPvlConfig['metadata'],
    spec: {
      ackVpcEndpoint: [{ clusterId: C1, vSwitches: C1_VSWITCHES }],
      asmVpcEndpoint: { vSwitches: ASM },
      sanSync: 'Enabled',
    },
  };
}

describe('parseVSwitchFlag', () => {
  test.each([
    ['vsw-bp1jsgsanpvxpj32yai50', { vSwitchId: 'vsw-bp1jsgsanpvxpj32yai50' }],
    ['vsw-bp1jsgsanpvxpj32yai50:cn-hangzhou-j', { vSwitchId: 'vsw-bp1jsgsanpvxpj32yai50', zoneId: 'cn-hangzhou-j' }],
    [
      ' VSW-BP1JSGSANPVXPJ32YAI50:ap-southeast-1a ',
      { vSwitchId: 'vsw-bp1jsgsanpvxpj32yai50', zoneId: 'ap-southeast-1a' },
    ],
  ])('%s', (text, expected) => {
    expect(parseVSwitchFlag('--vswitch', text)).toEqual(expected);
  });

  test.each(['vsw_bad', 'vsw-bp1jsgsanpvxpj32yai50:hangzhou', 'vsw-bp1jsgsanpvxpj32yai50:cn-hangzhou-j:x', ''])(
    'refuses %j with an example',
    (text) => {
      expect(() => parseVSwitchFlag('--vswitch', text)).toThrow(
        `--vswitch ${text}: expected vsw-… or vsw-…:<zone>, e.g. vsw-bp1jsgsanpvxpj32yai50:cn-hangzhou-j`,
      );
    },
  );
});

describe('resolveMeshId', () => {
  test('the flag first, then the environment, then the annotation', () => {
    expect(resolveMeshId(MESH, { ASMPVL_MESH_ID: 'c11111111111111111111111111111111' }, undefined)).toBe(MESH);
    expect(resolveMeshId(undefined, { ASMPVL_MESH_ID: MESH }, undefined)).toBe(MESH);
    expect(resolveMeshId(undefined, {}, stored())).toBe(MESH);
  });

  test('a flag that disagrees with the object is refused: one object serves one mesh', () => {
    expect(() => resolveMeshId('c11111111111111111111111111111111', {}, stored())).toThrow(
      `--mesh-id c11111111111111111111111111111111 disagrees with asmpvlconfig/default, which is provisioned for mesh ${MESH} (annotation asmpvl.io/mesh-id)`,
    );
  });

  test('no mesh id anywhere says where to give one', () => {
    expect(() => resolveMeshId(undefined, {}, undefined)).toThrow(
      'no service mesh id: pass --mesh-id c… or set ASMPVL_MESH_ID',
    );
  });

  test('a malformed id names its source', () => {
    expect(() => resolveMeshId(undefined, { ASMPVL_MESH_ID: 'mesh-1' }, undefined)).toThrow(
      'ASMPVL_MESH_ID mesh-1: not a service mesh id',
    );
  });
});

describe('withCluster / withoutCluster', () => {
  test('creates the object with the ASM side and the mesh annotation', () => {
    const created = withCluster(undefined, {
      cluster: { clusterId: C2, vSwitches: C1_VSWITCHES },
      asmVSwitches: ASM,
      meshId: MESH,
    });
    expect(created).toEqual({
      apiVersion: 'istio.alibabacloud.com/v1beta1',
      kind: 'ASMPvlConfig',
      metadata: { name: 'default', annotations: { [ANNOTATION_MESH_ID]: MESH } },
      spec: { ackVpcEndpoint: [{ clusterId: C2, vSwitches: C1_VSWITCHES }], asmVpcEndpoint: { vSwitches: ASM } },
    });
  });

  test('creating without ASM vSwitches says which flag to pass', () => {
    expect(() => withCluster(undefined, { cluster: { clusterId: C2, vSwitches: C1_VSWITCHES }, meshId: MESH })).toThrow(
      'pass --asm-vswitch',
    );
  });

  test('replaces an entry in place, appends a new one, keeps other annotations', () => {
    const moved = [{ vSwitchId: 'vsw-bp1wvuijbticywthuo0pz', zoneId: 'cn-hangzhou-i' }];
    const replaced = withCluster(stored(), {
      cluster: { clusterId: C1, vSwitches: moved },
      meshId: MESH,
      pilotLoadBalancerId: 'lb-bp16celq5ex8a6b72u1ck',
    });
    expect(replaced.spec.ackVpcEndpoint).toEqual([{ clusterId: C1, vSwitches: moved }]);
    expect((replaced.metadata as { annotations?: unknown }).annotations).toEqual({
      [ANNOTATION_MESH_ID]: MESH,
      team: 'mesh',
      'asmpvl.io/pilot-load-balancer': 'lb-bp16celq5ex8a6b72u1ck',
    });
    const added = withCluster(stored(), { cluster: { clusterId: C2, vSwitches: C1_VSWITCHES }, meshId: MESH });
    expect(added.spec.ackVpcEndpoint?.map((entry) => entry.clusterId)).toEqual([C1, C2]);
    expect(added.spec.asmVpcEndpoint).toEqual({ vSwitches: ASM });
  });

  test('an unchanged entry changes nothing; a removed one does', () => {
    const same = withCluster(stored(), { cluster: { clusterId: C1, vSwitches: C1_VSWITCHES }, meshId: MESH });
    expect(changesObject(stored(), same)).toBe(false);
    expect(changesObject(stored(), withoutCluster(stored(), C1))).toBe(true);
    expect(withoutCluster(stored(), C1).spec.ackVpcEndpoint).toEqual([]);
  });

  test('the revision ClientTokens are tied to is uid and generation', () => {
    expect(specRevision(stored())).toBe('u-1/4');
  });
});
