// kubectl asmpvl across accounts, against the real API server and the cloud emulator: the mesh in
// account A, its clusters in B (or in B and C), each cluster account reached through a RAM role the
// plugin assumes with STS on A's credentials (the only AccessKey it has). Connect makes each side's
// resources in its own account and allowlists the other; a resource deleted behind its back is
// repaired by connecting again; disconnecting every cluster leaves nothing in any account; the
// status reads exactly as in one account.
import { createAccountClouds } from '../../engine/cloud';
import { eventually } from '../../engine/cloud/testkit/emulated-cloud';
import { CROSS_ACCOUNT, crossAccountWorld } from '../emulator/testing/worlds';
import { inventorySummary, type Sandbox, startSandbox } from './provisioning-sandbox';

const { mesh: A, clusters: B, third: C } = CROSS_ACCOUNT;

const tagOf = (item: { tags: Array<{ key: string; value: string }> }, key: string) =>
  item.tags.find((tag) => tag.key === key)?.value;

describe.each([
  ['clusters in B', ['B', 'B'] as const, [B, B]],
  ['clusters in B and C', ['B', 'C'] as const, [B, C]],
])('mesh in A, %s', (_, layout, clusterAccounts) => {
  let sandbox: Sandbox;
  let roleFlags: string[];
  const accountOf = (clusterId: string) => clusterAccounts[sandbox.clusters.indexOf(clusterId)]!.accountId;

  beforeAll(async () => {
    sandbox = await startSandbox(undefined, { world: crossAccountWorld([...layout]) });
    await sandbox.deleteObject();
    roleFlags = sandbox.clusters.flatMap((clusterId, index) => [
      '--cluster-role',
      `${clusterId}=${clusterAccounts[index]!.roleArn}`,
    ]);
  });

  afterAll(async () => {
    await sandbox?.deleteObject();
    await sandbox?.stop();
  });

  test('without the roles, connect fails naming the cluster it cannot see, and changes nothing in another account', async () => {
    const [c1, c2] = sandbox.clusters;
    const result = await sandbox.plugin(['connect', c1, c2, '--mesh-id', sandbox.meshId]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(c1);
    const state = sandbox.inventory();
    expect(state.endpointServices.filter((service) => service.ownerAccountId !== A.accountId)).toEqual([]);
    expect(state.endpoints.filter((endpoint) => endpoint.ownerAccountId !== A.accountId)).toEqual([]);
    await sandbox.deleteObject();
  });

  test('connect makes each side in its own account, allowlists the other, and reaches Available', async () => {
    const [c1, c2] = sandbox.clusters;
    const result = await sandbox.plugin(['connect', c1, c2, '--mesh-id', sandbox.meshId, ...roleFlags]);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Overall: Available');

    const state = sandbox.inventory();
    expect(inventorySummary(state)).toEqual({
      services: [`apiserver/${c1}`, `apiserver/${c2}`, 'pilot/-'].sort(),
      endpoints: [`apiserver/${c1}`, `apiserver/${c2}`, `pilot/${c1}`, `pilot/${c2}`].sort(),
    });
    const pilot = state.endpointServices.find((service) => tagOf(service, 'asmpvl.io/link') === 'pilot')!;
    expect(pilot.ownerAccountId).toBe(A.accountId);
    expect([...pilot.allowedUserIds].sort()).toEqual([...new Set([accountOf(c1), accountOf(c2)])].sort());
    for (const clusterId of [c1, c2]) {
      const apiServer = state.endpointServices.find(
        (service) =>
          tagOf(service, 'asmpvl.io/link') === 'apiserver' && tagOf(service, 'asmpvl.io/cluster') === clusterId,
      )!;
      expect([apiServer.ownerAccountId, apiServer.allowedUserIds]).toEqual([accountOf(clusterId), [A.accountId]]);
      const endpointOwners = state.endpoints
        .filter((endpoint) => tagOf(endpoint, 'asmpvl.io/cluster') === clusterId)
        .map((endpoint) => `${tagOf(endpoint, 'asmpvl.io/link')}:${endpoint.ownerAccountId}`)
        .sort();
      expect(endpointOwners).toEqual([`apiserver:${A.accountId}`, `pilot:${accountOf(clusterId)}`]);
    }
    expect(state.connections.map((connection) => connection.connectionStatus)).toEqual(Array(4).fill('Connected'));

    // The status contract does not change: the vendor's fields, nothing about accounts.
    const status = (await sandbox.object())!.status!;
    expect(status.status).toBe('Available');
    expect(Object.keys(status)).toEqual(expect.arrayContaining(['clusters', 'pilot', 'status']));
    expect(status.clusters!.map((cluster) => Object.keys(cluster).sort())).toEqual(
      Array(2).fill(['clusterId', 'pvlEndpoint', 'pvlEndpointService']),
    );
    expect(JSON.stringify(status)).not.toMatch(/acs:ram|1300000000000/);
  });

  test('an endpoint deleted in a cluster account behind our back is made again there by connect', async () => {
    const [c1, c2] = sandbox.clusters;
    const victim = sandbox
      .inventory()
      .endpoints.find(
        (endpoint) => tagOf(endpoint, 'asmpvl.io/link') === 'pilot' && tagOf(endpoint, 'asmpvl.io/cluster') === c2,
      )!;
    const clouds = createAccountClouds({
      region: sandbox.emulator.regionId,
      cloudEndpoint: sandbox.emulator.url,
      credentials: sandbox.emulator.credentials,
      clusterRoles: { [c2]: clusterAccounts[1]!.roleArn },
    });
    await clouds.forCluster(c2).privateLink.endpoints.deleteVpcEndpoint(victim.endpointId);
    await eventually(
      async () => sandbox.inventory().endpoints.some((endpoint) => endpoint.endpointId === victim.endpointId),
      (present) => !present,
      10_000,
    );
    const result = await sandbox.plugin(['connect', c1, c2, '--mesh-id', sandbox.meshId, ...roleFlags]);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Overall: Available');
    const again = sandbox
      .inventory()
      .endpoints.filter(
        (endpoint) =>
          endpoint.endpointStatus !== 'Deleting' &&
          tagOf(endpoint, 'asmpvl.io/link') === 'pilot' &&
          tagOf(endpoint, 'asmpvl.io/cluster') === c2,
      );
    expect(again.map((endpoint) => endpoint.ownerAccountId)).toEqual([accountOf(c2)]);
    expect(again[0]!.endpointId).not.toBe(victim.endpointId);
  });

  test('doctor checks each account: the mesh identity and every role, each for its own side', async () => {
    const result = await sandbox.plugin(['doctor', '-o', 'json', ...roleFlags]);
    const report = JSON.parse(result.stdout) as { findings: Array<{ check: string; status: string }> };
    expect(report.findings.find((finding) => finding.check === 'permissions')?.status).toBe('ok');
  });

  test('disconnecting every cluster leaves nothing in any account', async () => {
    const [c1, c2] = sandbox.clusters;
    for (const clusterId of [c2, c1]) {
      const result = await sandbox.plugin(['disconnect', clusterId, ...roleFlags]);
      expect(result.stderr).not.toContain('error:');
      expect(result.code).toBe(0);
    }
    const state = sandbox.inventory();
    expect(state.endpointServices).toEqual([]);
    expect(state.endpoints).toEqual([]);
  });
});
