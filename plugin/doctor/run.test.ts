import type { Outcome } from './checks';
import { chooseRegion, type CloudProbes, type DoctorProbes, type KubeProbes, runDoctor } from './run';

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const failed = <T>(
  message: string,
  more: { httpStatus?: number; code?: string; notFound?: boolean } = {},
): Outcome<T> => ({ ok: false, error: { message, ...more } });

const SPEC = {
  clusterIds: ['c84974f524e2045c87dccadff91a71708', 'cab1659d273777fbbeb08d1f747ad55b7'],
  zones: ['cn-hangzhou-j', 'cn-hangzhou-k'],
  status: 'Available',
  meshId: 'cf9171d03515f8f0920a4425eca656495',
};

function kubeProbes(overrides: Partial<KubeProbes> = {}): KubeProbes {
  return {
    context: 'asm',
    server: 'https://asm:6443',
    crdInstalled: async () => ok(true),
    readSpec: async () => ok(SPEC),
    dryRunCreate: async () =>
      ok({
        accepted: false,
        httpStatus: 400,
        message: 'admission webhook "validate.asmpvl" denied the request: zones',
      }),
    ...overrides,
  };
}

function cloudProbes(overrides: Partial<CloudProbes> = {}): CloudProbes {
  return {
    credentials: async () => ok({ requestId: 'R1' }),
    privateLinkOpen: async () => ok(true),
    permissions: async () => [
      { ramAction: 'privatelink:CreateVpcEndpoint', purpose: 'connect', status: 'allowed', probe: 'dry-run' },
    ],
    privateLinkZones: async () => ok(['cn-hangzhou-i', 'cn-hangzhou-j', 'cn-hangzhou-k']),
    cluster: async () => ok({ name: 'ack', state: 'running', regionId: 'cn-hangzhou' }),
    mesh: async (_, clusterIds) =>
      ok({
        meshClusters: clusterIds.map((clusterId) => ({ clusterId, state: 'running' })),
        inventory: { services: [], endpoints: [] },
        clusterFacts: {},
      }),
    ...overrides,
  };
}

function probes(
  kube: Outcome<KubeProbes> = ok(kubeProbes()),
  cloud: Outcome<CloudProbes> = ok(cloudProbes()),
  region?: DoctorProbes['region'],
): DoctorProbes & { regions: string[] } {
  const regions: string[] = [];
  return {
    regions,
    region,
    kube: async () => kube,
    cloud: async (id) => {
      regions.push(id);
      return cloud;
    },
  };
}

const summary = (findings: Array<{ check: string; status: string }>) =>
  findings.map((finding) => `${finding.check}:${finding.status}`);

describe('runDoctor', () => {
  test('everything in order: every check ok, one per cluster, region from the spec zones', async () => {
    const stubs = probes();
    const findings = await runDoctor(stubs);
    expect(summary(findings)).toEqual([
      'kubeconfig:ok',
      'api-server:ok',
      'crd:ok',
      'object:ok',
      'webhook:ok',
      'credentials:ok',
      'privatelink:ok',
      'permissions:ok',
      'zones:ok',
      'cluster/c84974f524e2045c87dccadff91a71708:ok',
      'cluster/cab1659d273777fbbeb08d1f747ad55b7:ok',
      'mesh/c84974f524e2045c87dccadff91a71708:ok',
      'mesh/cab1659d273777fbbeb08d1f747ad55b7:ok',
    ]);
    expect(stubs.regions).toEqual(['cn-hangzhou']);
  });

  test('a denied RAM action fails as its own finding, after PrivateLink and before the zones', async () => {
    const cloud = cloudProbes({
      permissions: async () => [
        { ramAction: 'cs:ModifyCluster', purpose: 'sync-san', status: 'denied', probe: 'absent-resource' },
        { ramAction: 'vpc:DescribeVSwitches', purpose: 'doctor', status: 'allowed', probe: 'read' },
      ],
    });
    const findings = await runDoctor(probes(ok(kubeProbes()), ok(cloud)));
    expect(summary(findings).slice(6, 9)).toEqual(['privatelink:ok', 'permission/cs:ModifyCluster:fail', 'zones:ok']);
  });

  test('findings are reported as they come, in the order returned', async () => {
    const seen: string[] = [];
    const findings = await runDoctor(probes(), (finding) => seen.push(finding.check));
    expect(seen).toEqual(findings.map((finding) => finding.check));
  });

  test('no kubeconfig: the Kubernetes checks that need it are skipped, the cloud still checked with --region', async () => {
    const findings = await runDoctor(
      probes(failed('no kubeconfig found'), ok(cloudProbes()), { id: 'cn-hangzhou', source: '--region' }),
    );
    expect(summary(findings)).toEqual([
      'kubeconfig:fail',
      'api-server:skip',
      'crd:skip',
      'object:skip',
      'webhook:skip',
      'credentials:ok',
      'privatelink:ok',
      'permissions:ok',
      'zones:skip',
    ]);
  });

  test('no kubeconfig and no region: the cloud checks say so once and skip', async () => {
    const findings = await runDoctor(probes(failed('no kubeconfig found')));
    expect(summary(findings).slice(5)).toEqual([
      'credentials:fail',
      'privatelink:skip',
      'permissions:skip',
      'zones:skip',
    ]);
  });

  test('an unreachable API server skips the CRD, object and webhook', async () => {
    const findings = await runDoctor(
      probes(ok(kubeProbes({ crdInstalled: async () => failed('ECONNREFUSED') })), ok(cloudProbes()), {
        id: 'cn-hangzhou',
        source: '--region',
      }),
    );
    expect(summary(findings).slice(0, 5)).toEqual([
      'kubeconfig:ok',
      'api-server:fail',
      'crd:skip',
      'object:skip',
      'webhook:skip',
    ]);
  });

  test('no CRD: the object and webhook cannot be checked', async () => {
    const findings = await runDoctor(probes(ok(kubeProbes({ crdInstalled: async () => ok(false) }))));
    expect(summary(findings).slice(2, 5)).toEqual(['crd:fail', 'object:skip', 'webhook:skip']);
  });

  test('no object yet: zones and clusters are skipped; the region must then come from a flag', async () => {
    const findings = await runDoctor(
      probes(ok(kubeProbes({ readSpec: async () => ok(undefined) })), ok(cloudProbes()), {
        id: 'cn-shanghai',
        source: 'ALIBABA_CLOUD_REGION_ID',
      }),
    );
    expect(summary(findings).slice(3)).toEqual([
      'object:warn',
      'webhook:ok',
      'credentials:ok',
      'privatelink:ok',
      'permissions:ok',
      'zones:skip',
    ]);
  });

  test('refused credentials skip every later cloud check, naming each cluster', async () => {
    const cloud = cloudProbes({
      credentials: async () => failed('SignatureDoesNotMatch', { code: 'SignatureDoesNotMatch', httpStatus: 400 }),
    });
    const findings = await runDoctor(probes(ok(kubeProbes()), ok(cloud)));
    expect(summary(findings).slice(5)).toEqual([
      'credentials:fail',
      'privatelink:skip',
      'permissions:skip',
      'zones:skip',
      'cluster/c84974f524e2045c87dccadff91a71708:skip',
      'cluster/cab1659d273777fbbeb08d1f747ad55b7:skip',
    ]);
  });

  test('PrivateLink not opened does not stop the zone and cluster checks; one missing cluster fails alone', async () => {
    const cloud = cloudProbes({
      privateLinkOpen: async () => ok(false),
      cluster: async (id) =>
        id.startsWith('cab')
          ? failed('ErrorClusterNotFound', { code: 'ErrorClusterNotFound', notFound: true })
          : ok({ state: 'running', regionId: 'cn-hangzhou' }),
    });
    const findings = await runDoctor(probes(ok(kubeProbes()), ok(cloud)));
    expect(summary(findings).slice(6, 11)).toEqual([
      'privatelink:fail',
      'permissions:ok',
      'zones:ok',
      'cluster/c84974f524e2045c87dccadff91a71708:ok',
      'cluster/cab1659d273777fbbeb08d1f747ad55b7:fail',
    ]);
  });

  test('clusters are looked up at most `concurrency` at a time, and reported in spec order', async () => {
    const clusterIds = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(32, '0')}`);
    let inFlight = 0;
    let peak = 0;
    const cloud = cloudProbes({
      cluster: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
        return ok({ state: 'running' });
      },
    });
    const findings = await runDoctor(
      probes(ok(kubeProbes({ readSpec: async () => ok({ clusterIds, zones: ['cn-hangzhou-j'] }) })), ok(cloud)),
      undefined,
      { concurrency: 3 },
    );
    expect(peak).toBe(3);
    expect(findings.filter((finding) => finding.check.startsWith('cluster/')).map((finding) => finding.check)).toEqual(
      clusterIds.map((id) => `cluster/${id}`),
    );
  });
});

test('chooseRegion: a flag or variable wins over the spec; a region ending in a digit is read right', () => {
  expect(chooseRegion({ id: 'cn-beijing', source: '--region' }, { clusterIds: [], zones: ['cn-hangzhou-j'] })).toEqual({
    id: 'cn-beijing',
    source: '--region',
  });
  expect(chooseRegion(undefined, { clusterIds: [], zones: ['ap-southeast-1a'] })).toEqual({
    id: 'ap-southeast-1',
    source: 'the zones of the spec',
  });
  expect(chooseRegion(undefined, undefined)).toBeUndefined();
});

test('runDoctor: a cluster the mesh does not run is explained by what is missing; no mesh id skips the check', async () => {
  const cloud = cloudProbes({
    mesh: async () =>
      ok({
        meshClusters: [{ clusterId: 'c84974f524e2045c87dccadff91a71708', state: 'running' }],
        inventory: { services: [], endpoints: [] },
        clusterFacts: {},
      }),
  });
  const findings = await runDoctor(probes(ok(kubeProbes()), ok(cloud)));
  expect(summary(findings).slice(-2)).toEqual([
    'mesh/c84974f524e2045c87dccadff91a71708:ok',
    'mesh/cab1659d273777fbbeb08d1f747ad55b7:fail',
  ]);
  const noMeshId = await runDoctor(
    probes(ok(kubeProbes({ readSpec: async () => ok({ ...SPEC, meshId: undefined }) })), ok(cloudProbes())),
  );
  expect(summary(noMeshId).at(-1)).toBe('mesh:skip');
});
