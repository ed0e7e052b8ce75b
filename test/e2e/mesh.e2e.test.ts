// The mesh's own verdict, end to end (real API server, the emulator's causal model of the mesh, the
// bundled plugin): connect adds a cluster the mesh lacks and waits until the mesh runs it;
// --no-add-to-mesh refuses; a SAN removed behind our back and a disconnect turn the mesh's state
// back to failed, which status --refresh shows and doctor explains; connect again repairs it.
import { type Sandbox, startSandbox } from './provisioning-sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
  await sandbox.deleteObject();
});

afterAll(async () => {
  await sandbox?.deleteObject();
  await sandbox?.stop();
});

const meshState = (clusterId: string) =>
  sandbox.inventory().serviceMesh.clusters.find((cluster) => cluster.clusterId === clusterId);
const tableRow = (stdout: string, clusterId: string) =>
  stdout.split('\n').find((line) => line.startsWith(clusterId)) ?? '';
const callsSince = (since: number) =>
  sandbox.emulator
    .requests()
    .slice(since)
    .map((entry) => entry.action);

describe('connect and the mesh', () => {
  test('--no-add-to-mesh stops with exit 1 and a message when the cluster is not in the mesh, changing nothing', async () => {
    const [, c2] = sandbox.clusters;
    const result = await sandbox.plugin(['connect', c2, '--mesh-id', sandbox.meshId, '--no-add-to-mesh']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: cluster ${c2} is not in service mesh ${sandbox.meshId}, and --no-add-to-mesh was given: nothing was changed.`,
    );
    expect(sandbox.mutatingSince(0)).toEqual([]);
    expect(await sandbox.object()).toBeUndefined();
    expect(meshState(c2)).toBeUndefined();
  });

  test('a cluster not yet in the mesh is added by connect and ends running', async () => {
    const [c1, c2] = sandbox.clusters;
    const result = await sandbox.plugin(['connect', c1, c2, '--mesh-id', sandbox.meshId]);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `add cluster ${c1} to service mesh ${sandbox.meshId} (ASM AddClusterIntoServiceMesh)`,
    );
    expect(result.stderr).toContain(`wait for service mesh ${sandbox.meshId} to report ${c1}, ${c2} running`);
    expect(result.stdout).toContain(`${c2}: running in service mesh ${sandbox.meshId}`);
    expect(tableRow(result.stdout, c1)).toMatch(/synced +running$/);
    expect(result.stdout).toContain('Overall: Available (2 of 2 clusters connected, 2 running in the mesh)');
    expect([meshState(c1)?.state, meshState(c2)?.state]).toEqual(['running', 'running']);
    // The permission preflight's probe of AddClusterIntoServiceMesh names a cluster no one owns: a 404, not an add.
    const adds = sandbox.emulator
      .requests()
      .filter((entry) => entry.action === 'AddClusterIntoServiceMesh' && entry.status !== 404);
    expect(adds.map((entry) => entry.status)).toEqual([200, 200]);
  });

  test('status without --refresh makes no cloud call and shows the recorded mesh state', async () => {
    const before = sandbox.emulator.requests().length;
    const result = await sandbox.plugin(['status']);
    expect(result.code).toBe(0);
    expect(tableRow(result.stdout, sandbox.clusters[0])).toMatch(/running$/);
    expect(callsSince(before)).toEqual([]);
  });
});

describe('the mesh turns back when something is undone behind our back', () => {
  test('a SAN removed: status --refresh shows failed (no SAN) and exits 1; doctor names (c); connect repairs it', async () => {
    const [c1] = sandbox.clusters;
    sandbox.emulator.setClusterSans(c1, ['api.ack-hz-1.example.com']);
    expect(meshState(c1)).toMatchObject({ state: 'failed', errorMessage: expect.stringMatching(/^x509: /) });

    const stale = await sandbox.plugin(['status']);
    expect(tableRow(stale.stdout, c1)).toMatch(/running$/);

    const before = sandbox.emulator.requests().length;
    const refreshed = await sandbox.plugin(['status', '--refresh']);
    expect(refreshed.code).toBe(1);
    expect(tableRow(refreshed.stdout, c1)).toMatch(/failed \(no SAN\)$/);
    expect(refreshed.stdout).toContain('Overall: Degraded (2 of 2 clusters connected, 1 running in the mesh)');
    expect(refreshed.stdout).toContain(
      `MeshReady is False (NotRunning): ${c1}: failed in the mesh; missing (c) the endpoint domain`,
    );
    // What the mesh adds to a refresh: one DescribeClustersInServiceMesh for all clusters.
    expect(callsSince(before).filter((action) => action === 'DescribeClustersInServiceMesh')).toHaveLength(1);
    const object = await sandbox.object();
    expect(object!.status!.conditions!.find((condition) => condition.type === 'MeshReady')).toMatchObject({
      status: 'False',
      reason: 'NotRunning',
      observedGeneration: object!.metadata.generation,
    });

    const doctor = await sandbox.plugin(['doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(
      `FAIL cluster ${c1} running in service mesh ${sandbox.meshId}: failed, missing (c) the endpoint domain in the API server certificate's SANs`,
    );
    expect(doctor.stdout).toContain(`fix: kubectl asmpvl sync-san ${c1}`);

    const repaired = await sandbox.plugin(['connect', c1]);
    expect(repaired.stderr).not.toContain('error:');
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain(`${c1}: running in service mesh ${sandbox.meshId}`);
    expect(meshState(c1)?.state).toBe('running');
  });

  test('after disconnect: status --refresh shows the cluster failed in the mesh with no links; doctor names (a) and (b); connect repairs it', async () => {
    const [, c2] = sandbox.clusters;
    const disconnected = await sandbox.plugin(['disconnect', c2]);
    expect(disconnected.code).toBe(0);
    expect(disconnected.stderr).toContain(`${c2} stays in service mesh ${sandbox.meshId}`);
    expect(meshState(c2)).toMatchObject({
      state: 'failed',
      errorMessage: expect.stringContaining('the control plane cannot reach the API server'),
    });

    const refreshed = await sandbox.plugin(['status', '--refresh']);
    expect(tableRow(refreshed.stdout, c2)).toMatch(/\(not in spec\) .*failed \(no API-server link, no Pilot link\)$/);
    expect(refreshed.stdout).toContain(`${c2} is in the service mesh but not in the spec`);

    const doctor = await sandbox.plugin(['doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(
      `FAIL cluster ${c2} running in service mesh ${sandbox.meshId}: failed, missing (a) the API-server link: no endpoint service; (b) the Pilot link`,
    );

    const repaired = await sandbox.plugin(['connect', c2]);
    expect(repaired.stderr).not.toContain('error:');
    expect(repaired.code).toBe(0);
    expect(meshState(c2)?.state).toBe('running');
    const status = await sandbox.plugin(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Overall: Available (2 of 2 clusters connected, 2 running in the mesh)');
  });
});
