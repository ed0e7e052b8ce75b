// Doctor's findings on the mesh, from the same fixtures as the MeshReady condition
// (test/fixtures/status/mesh): membership, running, and which of (a), (b), (c) is missing.
import { fixtureNames, loadFixture } from '../../test/fixtures';
import type { MeshCluster } from '../../engine/cloud/mesh';
import { meshVerdicts } from '../../engine/provisioning/mesh-verdict';
import type { ClusterFacts, Inventory } from '../../engine/provisioning/model';
import { linkViews } from '../../engine/provisioning/status';
import { meshFindings, meshUnreadFinding } from './mesh';

interface MeshFixture {
  meshId: string;
  clusterIds: string[];
  meshClusters: MeshCluster[];
  inventory: Inventory;
  clusterFacts: Record<string, ClusterFacts>;
  expected: { findings: Array<Record<string, string>> };
}

describe('meshFindings', () => {
  test.each(fixtureNames('status/mesh'))('%s', (path) => {
    const data = loadFixture(path) as unknown as MeshFixture;
    const verdicts = meshVerdicts({
      clusterIds: data.clusterIds,
      meshClusters: data.meshClusters,
      links: linkViews(data.clusterIds, data.inventory),
      pilotServiceActive: true,
      clusterFacts: data.clusterFacts,
    });
    const findings = meshFindings(data.meshId, verdicts);
    expect(findings).toHaveLength(data.expected.findings.length);
    findings.forEach((finding, index) => expect(finding).toMatchObject(data.expected.findings[index]!));
  });

  test('the title names the cluster and the mesh', () => {
    expect(meshFindings('cm', [{ clusterId: 'c1', phase: 'running', state: 'running', gaps: [] }])[0]!.title).toBe(
      'cluster c1 running in service mesh cm',
    );
  });
});

describe('meshUnreadFinding', () => {
  test('no mesh id: skipped, saying where the id comes from', () => {
    expect(meshUnreadFinding(undefined, undefined)).toMatchObject({
      check: 'mesh',
      status: 'skip',
      message: expect.stringContaining('ASMPVL_MESH_ID'),
    });
  });

  test('an unknown mesh: fails, with the cloud message and a fix', () => {
    const finding = meshUnreadFinding('cm', { ok: false, error: { message: 'ServiceMesh.NotFound', notFound: true } });
    expect(finding).toMatchObject({
      status: 'fail',
      message: 'cannot read service mesh cm: ServiceMesh.NotFound',
      fix: expect.stringContaining('check the mesh id cm'),
    });
  });
});
