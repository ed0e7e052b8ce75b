// The mesh's state + our inventory -> each cluster's verdict and the MeshReady condition, on the
// fixtures in test/fixtures/status/mesh (one per way a cluster can stand in the mesh).
import { fixtureNames, loadFixture } from '../../test/fixtures';
import type { MeshCluster } from '../cloud/mesh';
import { meshCondition, meshVerdicts } from './mesh-verdict';
import type { ClusterFacts, Inventory } from './model';
import { buildStatus, linkViews } from './status';

interface MeshFixture {
  meshId: string;
  clusterIds: string[];
  meshClusters: MeshCluster[];
  inventory: Inventory;
  clusterFacts: Record<string, ClusterFacts>;
  expected: { verdicts: unknown[]; condition: Record<string, string> };
}

const fixture = (path: string) => loadFixture(path) as unknown as MeshFixture;
const names = fixtureNames('status/mesh');

function verdictsOf(data: MeshFixture) {
  const pilot = data.inventory.services.find((service) => service.link === 'pilot');
  return meshVerdicts({
    clusterIds: data.clusterIds,
    meshClusters: data.meshClusters,
    links: linkViews(data.clusterIds, data.inventory),
    pilotServiceActive: !pilot || pilot.status === 'Active',
    clusterFacts: data.clusterFacts,
  });
}

describe('mesh verdicts and the MeshReady condition', () => {
  test.each(names)('%s', (path) => {
    const data = fixture(path);
    const verdicts = verdictsOf(data);
    expect(verdicts).toEqual(data.expected.verdicts);
    expect(meshCondition(data.meshId, verdicts)).toEqual(data.expected.condition);
  });

  test('a mesh that could not be read: Unknown, with the failure as reason and message', () => {
    expect(
      meshCondition('c1', undefined, {
        reason: 'ServiceMeshNotFound',
        message: 'read the clusters of service mesh c1 failed: ...',
      }),
    ).toEqual({
      type: 'MeshReady',
      status: 'Unknown',
      reason: 'ServiceMeshNotFound',
      message: 'read the clusters of service mesh c1 failed: ...',
    });
  });
});

describe('the status with the mesh in it', () => {
  const statusOf = (name: string) => {
    const data = fixture(`status/mesh/${name}.yaml`);
    return buildStatus({
      clusterIds: data.clusterIds,
      inventory: data.inventory,
      clusterFacts: data.clusterFacts,
      sanSync: 'Enabled',
      failures: [],
      inProgress: false,
      problems: [],
      generation: 4,
      mesh: { meshId: data.meshId, clusters: data.meshClusters },
      now: new Date('2026-11-25T12:00:00Z'),
    });
  };

  test('Available, with MeshReady True and the mesh recorded, when the mesh runs every cluster', () => {
    const status = statusOf('running');
    expect(status.status).toBe('Available');
    expect(status.mesh).toEqual({
      serviceMeshId: 'cf9171d03515f8f0920a4425eca656495',
      clusters: [{ clusterId: 'c84974f524e2045c87dccadff91a71708', inMesh: true, state: 'running' }],
    });
    expect(status.conditions!.find((condition) => condition.type === 'MeshReady')).toEqual({
      type: 'MeshReady',
      status: 'True',
      reason: 'Running',
      message: 'service mesh cf9171d03515f8f0920a4425eca656495 reports all 1 cluster(s) running',
      lastTransitionTime: '2026-11-25T12:00:00Z',
      observedGeneration: 4,
    });
  });

  test('links Connected but the SAN removed: Degraded, not Available, and the vendor fields unchanged', () => {
    const status = statusOf('san-removed');
    const running = statusOf('running');
    expect(status.status).toBe('Degraded');
    expect(status.mesh!.clusters![0]).toMatchObject({ state: 'failed', missing: ['san'] });
    expect([status.clusters, status.pilot]).toEqual([running.clusters, running.pilot]);
    expect(status.conditions!.find((condition) => condition.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'MeshNotReady',
    });
  });

  test('just added with the links up: Provisioning', () => {
    expect(statusOf('joining').status).toBe('Provisioning');
  });
});
