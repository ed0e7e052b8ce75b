// kubectl asmpvl sync-san: append only, verified, respecting spec.sanSync: Disabled.
import { kubectl, mustSucceed } from './harness';
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

const sansOf = (sandbox: Sandbox, clusterId: string) =>
  sandbox.inventory().clusters.find((cluster) => cluster.clusterId === clusterId)!.extraSans;

async function setSanSync(value: 'Enabled' | 'Disabled'): Promise<void> {
  await mustSucceed(
    kubectl(['patch', 'asmpvlconfig', 'default', '--type=merge', '-p', JSON.stringify({ spec: { sanSync: value } })]),
    'kubectl patch sanSync',
  );
}

describe('sync-san', () => {
  test('with sanSync Disabled, connect leaves the SANs alone, says so, and sync-san refuses', async () => {
    const [c1] = sandbox.clusters;
    const first = await sandbox.plugin(['connect', c1, '--mesh-id', sandbox.meshId, '--no-wait']);
    expect(first.code).toBe(0);
    await setSanSync('Disabled');
    const result = await sandbox.plugin(['connect', c1]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`spec.sanSync is Disabled: add ep-`);
    expect(sansOf(sandbox, c1)).toEqual(['api.ack-hz-1.example.com']);
    const status = (await sandbox.object())!.status!;
    // Both links are up, but the mesh cannot run the cluster until its SANs list the domain (issue 9):
    // not Available, and MeshReady names the missing SAN.
    expect(status.status).toBe('Degraded');
    expect(status.conditions?.find((condition) => condition.type === 'MeshReady')).toMatchObject({
      status: 'False',
      reason: 'NotRunning',
      message: expect.stringContaining('missing (c)'),
    });
    expect(status.conditions?.find((condition) => condition.type === 'SANSynced')).toMatchObject({
      status: 'False',
      reason: 'SanSyncDisabled',
    });
    const refused = await sandbox.plugin(['sync-san']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('spec.sanSync is Disabled on asmpvlconfig/default');
  });

  test('a dry run names what it would append and changes nothing', async () => {
    const [c1] = sandbox.clusters;
    await setSanSync('Enabled');
    const before = sandbox.emulator.requests().length;
    const result = await sandbox.plugin(['sync-san', '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`^${c1}: would append ep-\\w+\\.epsrv-\\w+\\.cn-hangzhou\\.privatelink\\.aliyuncs\\.com\\n$`),
    );
    expect(sandbox.mutatingSince(before)).toEqual([]);
  });

  test('appends the domain with action append, keeps the earlier SAN, verifies, and updates the condition', async () => {
    const [c1] = sandbox.clusters;
    const domain = (await sandbox.object())!.status!.clusters![0]!.pvlEndpoint!.domainName!;
    const result = await sandbox.plugin(['sync-san', c1]);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${c1}: ${domain} appended (1 earlier SAN(s) kept)\n`);
    expect(sansOf(sandbox, c1)).toEqual(['api.ack-hz-1.example.com', domain]);
    const task = sandbox.inventory().clusterTasks.at(-1)!;
    expect(task).toMatchObject({ sanAction: 'append', subjectAlternativeNames: [domain], state: 'success' });
    expect(
      (await sandbox.object())!.status!.conditions?.find((condition) => condition.type === 'SANSynced'),
    ).toMatchObject({ status: 'True', reason: 'Synced' });
  });

  test('running it again changes nothing', async () => {
    const before = sandbox.emulator.requests().length;
    const result = await sandbox.plugin(['sync-san']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/already listed\n$/);
    expect(sandbox.mutatingSince(before)).toEqual([]);
  });

  test('a cluster not in the spec, or not connected, is named', async () => {
    const [, c2] = sandbox.clusters;
    const result = await sandbox.plugin(['sync-san', c2]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${c2}: not in asmpvlconfig/default; connect it first`);
  });
});
