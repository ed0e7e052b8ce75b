// kubectl asmpvl disconnect: a cluster's links and entry go, the shared Pilot service stays while
// another cluster uses it and goes with the last one; nothing is left behind; SANs are kept.
import { inventorySummary, type Sandbox, startSandbox } from './provisioning-sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
  await sandbox.deleteObject();
  const [c1, c2] = sandbox.clusters;
  const connected = await sandbox.plugin(['connect', c1, c2, '--mesh-id', sandbox.meshId]);
  if (connected.code !== 0) throw new Error(`connect failed:\n${connected.stderr}`);
});

afterAll(async () => {
  await sandbox?.deleteObject();
  await sandbox?.stop();
});

describe('disconnect', () => {
  test('a dry run lists the deletions and changes nothing', async () => {
    const [, c2] = sandbox.clusters;
    const before = sandbox.emulator.requests().length;
    const result = await sandbox.plugin(['disconnect', c2, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /delete the API-server endpoint of cab1659d273777fbbeb08d1f747ad55b7 ep-\w+ \(cluster no longer in the spec\)/,
    );
    expect(result.stdout).toContain(`then: remove ${c2} from asmpvlconfig/default`);
    expect(result.stdout).toContain(
      "stays on cab1659d273777fbbeb08d1f747ad55b7's API server certificate (SANs are never removed)",
    );
    expect(sandbox.mutatingSince(before)).toEqual([]);
  });

  test('removes one cluster: its endpoints, its service, its spec and status entries; the Pilot service stays for the other', async () => {
    const [c1, c2] = sandbox.clusters;
    const sansBefore = sandbox.inventory().clusters.find((cluster) => cluster.clusterId === c2)!.extraSans;
    const result = await sandbox.plugin(['disconnect', c2]);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${c2}: disconnected`);
    expect(inventorySummary(sandbox.inventory())).toEqual({
      services: [`apiserver/${c1}`, 'pilot/-'],
      endpoints: [`apiserver/${c1}`, `pilot/${c1}`].sort(),
    });
    // Zone k served only the disconnected cluster: the shared service no longer covers it.
    expect(
      sandbox
        .inventory()
        .endpointServices.find((service) => service.tags.some((tag) => tag.value === 'pilot'))!
        .resources.map((resource) => resource.zoneId),
    ).toEqual(['cn-hangzhou-j']);
    const object = (await sandbox.object())!;
    expect(object.spec.ackVpcEndpoint?.map((entry) => entry.clusterId)).toEqual([c1]);
    expect(object.status?.clusters?.map((entry) => entry.clusterId)).toEqual([c1]);
    expect(object.status?.pilot?.clusters?.map((entry) => entry.clusterId)).toEqual([c1]);
    expect(object.status?.status).toBe('Available');
    // The SAN stays (never removed).
    expect(sandbox.inventory().clusters.find((cluster) => cluster.clusterId === c2)!.extraSans).toEqual(sansBefore);
    expect(result.stdout).toContain(`stays in the API server certificate SANs of ${c2}`);
  });

  test('disconnecting it again finds nothing to do', async () => {
    const [, c2] = sandbox.clusters;
    const before = sandbox.emulator.requests().length;
    const result = await sandbox.plugin(['disconnect', c2]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${c2}: not in asmpvlconfig/default and nothing of it in the cloud; nothing to do`);
    expect(sandbox.mutatingSince(before)).toEqual([]);
  });

  test('the last cluster takes the shared Pilot service with it: nothing is left behind', async () => {
    const [c1] = sandbox.clusters;
    const result = await sandbox.plugin(['disconnect', c1]);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    const state = sandbox.inventory();
    expect(state.endpointServices).toEqual([]);
    expect(state.endpoints).toEqual([]);
    const object = (await sandbox.object())!;
    expect(object.spec.ackVpcEndpoint).toEqual([]);
    expect(object.status).toMatchObject({ clusters: [], pilot: { clusters: [] }, status: 'Available' });
  });

  test('connect after disconnect makes new resources (fresh ClientTokens), and they converge', async () => {
    const [c1] = sandbox.clusters;
    const result = await sandbox.plugin(['connect', c1]);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(inventorySummary(sandbox.inventory())).toEqual({
      services: [`apiserver/${c1}`, 'pilot/-'],
      endpoints: [`apiserver/${c1}`, `pilot/${c1}`].sort(),
    });
    expect((await sandbox.object())!.status?.status).toBe('Available');
  });
});
