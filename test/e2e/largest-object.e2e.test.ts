// The largest ASMPvlConfig the schema allows, on the real API server: 100 clusters of 16 vSwitches
// with every string at its longest, written with kubectl apply (which keeps a copy of the spec in an
// annotation of at most 256 KiB), then the longest status the schema allows for them. It must be
// stored with room to spare under the API server's 1.5 MiB object limit; a 101st cluster is refused.
import { installAsmpvlCrd, kubectl, mustSucceed, patchStatus, deleteDefaultConfig } from './harness';

const CLUSTERS = 100;
const VSWITCHES = 16;
// Storage refuses objects past 1.5 MiB (etcd's request limit); the largest must leave a third free.
const LIMIT_BYTES = 1.5 * 1024 * 1024;
const MARGIN = 2 / 3;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const clusterId = (i: number) => `c${hex(i, 32)}`;
// vsw- and 32 characters: the longest vSwitch id.
const vSwitchId = (cluster: number, index: number) => `vsw-${hex(cluster, 16)}${hex(index, 16)}`;
// 64 characters, matching the zone id pattern.
const zoneId = `cn-${'z'.repeat(58)}-1a`;
const longest = (length: number, fill = 'x') => fill.repeat(length);

function largestSpec(clusters: number) {
  return {
    ackVpcEndpoint: Array.from({ length: clusters }, (_, i) => ({
      clusterId: clusterId(i),
      vSwitches: Array.from({ length: VSWITCHES }, (_, v) => ({ vSwitchId: vSwitchId(i, v), zoneId })),
    })),
    asmVpcEndpoint: {
      vSwitches: Array.from({ length: VSWITCHES }, (_, v) => ({ vSwitchId: vSwitchId(9_999, v), zoneId })),
    },
    sanSync: 'Enabled',
    deletionPolicy: 'Orphan',
  };
}

function manifest(clusters: number): string {
  return JSON.stringify({
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'ASMPvlConfig',
    metadata: { name: 'default' },
    spec: largestSpec(clusters),
  });
}

const endpoint = { connectionStatus: longest(64), domainName: longest(253), id: longest(64), status: longest(64) };

function largestStatus() {
  const ids = Array.from({ length: CLUSTERS }, (_, i) => clusterId(i));
  return {
    clusters: ids.map((id) => ({
      clusterId: id,
      pvlEndpoint: endpoint,
      pvlEndpointService: { id: longest(64), name: longest(253), status: longest(64) },
    })),
    pilot: {
      clusters: ids.map((id) => ({ clusterId: id, pvlEndpoint: endpoint })),
      pvlEndpointService: { id: longest(64), name: longest(253), status: longest(64) },
    },
    mesh: {
      serviceMeshId: longest(64),
      clusters: ids.map((id) => ({
        clusterId: id,
        inMesh: false,
        state: longest(64),
        errorMessage: longest(1024),
        missing: ['apiServerLink', 'pilotLink', 'san'],
      })),
    },
    status: 'Degraded',
    observedGeneration: 1,
    lastHandledReconcileAt: longest(64),
    conditions: Array.from({ length: 32 }, (_, i) => ({
      type: `Condition${i}${longest(50)}`,
      status: 'False',
      reason: longest(128, 'R'),
      message: longest(4096),
      lastTransitionTime: '2026-12-05T00:00:00Z',
      observedGeneration: 1,
    })),
  };
}

beforeAll(async () => {
  await installAsmpvlCrd();
  await deleteDefaultConfig(60);
});

afterAll(() => deleteDefaultConfig(60));

test('the largest object the schema allows is applied with kubectl apply and stored with a third to spare', async () => {
  await mustSucceed(kubectl(['apply', '-f', '-'], { input: manifest(CLUSTERS) }), 'kubectl apply of 100 clusters');
  const status = largestStatus();
  // Only what the schema allows gets in: the status has to be accepted as a whole.
  expect(status.conditions.every((condition) => condition.type.length <= 64)).toBe(true);
  await patchStatus(status);
  const stored = await mustSucceed(kubectl(['get', 'asmpvlconfig', 'default', '-o', 'json']), 'kubectl get');
  const object = JSON.parse(stored.stdout) as {
    spec: { ackVpcEndpoint: unknown[] };
    status: { clusters: unknown[]; conditions: unknown[] };
  };
  expect(object.spec.ackVpcEndpoint).toHaveLength(CLUSTERS);
  expect(object.status.clusters).toHaveLength(CLUSTERS);
  expect(object.status.conditions).toHaveLength(32);
  const bytes = Buffer.byteLength(stored.stdout.replace(/\s+/g, ''));
  console.log(
    `largest object: ${(bytes / 1024).toFixed(0)} KiB stored of ${(LIMIT_BYTES / 1024).toFixed(0)} KiB (${((bytes / LIMIT_BYTES) * 100).toFixed(0)}%)`,
  );
  expect(bytes).toBeLessThan(LIMIT_BYTES * MARGIN);
});

test('a 101st cluster is refused by the API server, naming the field and the limit', async () => {
  const refused = await kubectl(['apply', '-f', '-'], { input: manifest(CLUSTERS + 1) });
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/spec\.ackVpcEndpoint: Too many: 101: must have at most 100 items/);
});
