// kubectl asmpvl connect against the real API server and the cloud emulator: two clusters to
// Available in both directions, SANs appended with the old ones kept, the status exactly in the
// vendor's contract, and a second run that changes nothing in the cloud.
import { inventorySummary, type Sandbox, startSandbox, type StoredObject } from './provisioning-sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
  await sandbox.deleteObject();
});

afterAll(async () => {
  await sandbox?.deleteObject();
  await sandbox?.stop();
});

const EXPECTED_INVENTORY = (c1: string, c2: string) => ({
  services: [`apiserver/${c1}`, `apiserver/${c2}`, 'pilot/-'].sort(),
  endpoints: [`apiserver/${c1}`, `apiserver/${c2}`, `pilot/${c1}`, `pilot/${c2}`].sort(),
});

describe('connect', () => {
  test('a dry run on an empty system plans both links of both clusters and changes nothing', async () => {
    const [c1, c2] = sandbox.clusters;
    const result = await sandbox.plugin(['connect', c1, c2, '--mesh-id', sandbox.meshId, '--dry-run']);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('spec: asmpvlconfig/default would be updated');
    expect(result.stdout).toContain(
      'create the shared Pilot endpoint service on lb-bp16celq5ex8a6b72u1ck in cn-hangzhou-j and cn-hangzhou-k',
    );
    expect(result.stdout.match(/accept the connection/g)).toHaveLength(4);
    expect(await sandbox.object()).toBeUndefined();
    expect(sandbox.mutatingSince(0)).toEqual([]);
  });

  test('connects two clusters to Available, both ways, in the zones they pair in', async () => {
    const [c1, c2] = sandbox.clusters;
    const result = await sandbox.plugin(['connect', c1, c2, '--mesh-id', sandbox.meshId]);
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Overall: Available');
    // 13 PrivateLink changes, and both clusters added to the mesh (the world starts with neither).
    expect(result.stdout).toMatch(
      new RegExp(`${c1}, ${c2}: connected in [0-9.]+s \\(\\d+ cloud call\\(s\\), 15 change\\(s\\)\\)`),
    );
    expect(result.stdout).toContain(`${c1}: running in service mesh ${sandbox.meshId}`);
    expect(result.stderr).toContain(`cluster ${c1} is not in service mesh ${sandbox.meshId}: adding it`);
    expect(result.stderr).toContain('ok  create the shared Pilot endpoint service');

    const state = sandbox.inventory();
    expect(inventorySummary(state)).toEqual(EXPECTED_INVENTORY(c1, c2));
    expect(state.connections.map((connection) => connection.connectionStatus)).toEqual(Array(4).fill('Connected'));
    // Endpoints only in paired zones: ack-hz-1 pairs in j only, ack-hz-2 in k only.
    const zonesOf = (cluster: string, link: string) =>
      state.endpoints
        .find(
          (endpoint) =>
            endpoint.tags.some((tag) => tag.key === 'asmpvl.io/cluster' && tag.value === cluster) &&
            endpoint.tags.some((tag) => tag.key === 'asmpvl.io/link' && tag.value === link),
        )!
        .zones.map((zone) => zone.zoneId);
    expect([zonesOf(c1, 'apiserver'), zonesOf(c1, 'pilot'), zonesOf(c2, 'apiserver'), zonesOf(c2, 'pilot')]).toEqual([
      ['cn-hangzhou-j'],
      ['cn-hangzhou-j'],
      ['cn-hangzhou-k'],
      ['cn-hangzhou-k'],
    ]);
    // Every service the provider accepts itself; every resource tagged at creation.
    expect(state.endpointServices.map((service) => service.autoAcceptEnabled)).toEqual([false, false, false]);
    for (const resource of [...state.endpointServices, ...state.endpoints]) {
      expect(resource.tags.filter((tag) => tag.key === 'asmpvl.io/managed-by' || tag.key === 'asmpvl.io/mesh')).toEqual(
        [
          { key: 'asmpvl.io/managed-by', value: 'kubectl-asmpvl' },
          { key: 'asmpvl.io/mesh', value: sandbox.meshId },
        ],
      );
    }
  });

  test('appends each API-server endpoint domain to its cluster SANs and keeps the SANs already there', async () => {
    const [c1, c2] = sandbox.clusters;
    const object = await sandbox.object();
    const domain = (cluster: string) =>
      object!.status!.clusters!.find((entry) => entry.clusterId === cluster)!.pvlEndpoint!.domainName!;
    const sans = Object.fromEntries(
      sandbox.inventory().clusters.map((cluster) => [cluster.clusterId, cluster.extraSans]),
    );
    expect(sans[c1]).toEqual(['api.ack-hz-1.example.com', domain(c1)]);
    expect(sans[c2]).toEqual([domain(c2)]);
    // The permission preflight's probe of cs:ModifyCluster names a cluster no one owns: a 404, not a SAN write.
    const modify = sandbox.emulator
      .requests()
      .filter((entry) => entry.action === 'ModifyCluster' && entry.status !== 404);
    expect(modify.map((entry) => entry.status)).toEqual([200, 200]);
  });

  test('writes the status in the vendor contract, with conditions, observedGeneration and the mesh annotation', async () => {
    const [c1, c2] = sandbox.clusters;
    const object = (await sandbox.object())!;
    const state = sandbox.inventory();
    const endpointOf = (cluster: string, link: string) =>
      state.endpoints.find(
        (endpoint) =>
          endpoint.tags.some((tag) => tag.key === 'asmpvl.io/cluster' && tag.value === cluster) &&
          endpoint.tags.some((tag) => tag.key === 'asmpvl.io/link' && tag.value === link),
      )!;
    const serviceOf = (id: string) => state.endpointServices.find((service) => service.serviceId === id)!;
    const vendor = (cluster: string, link: string) => {
      const endpoint = endpointOf(cluster, link);
      return {
        connectionStatus: 'Connected',
        domainName: endpoint.endpointDomain,
        id: endpoint.endpointId,
        status: 'Active',
      };
    };
    const service = (id: string) => ({ id, name: serviceOf(id).serviceName, status: 'Active' });
    expect(object.metadata.annotations?.['asmpvl.io/mesh-id']).toBe(sandbox.meshId);
    expect(object.spec.ackVpcEndpoint).toEqual([
      { clusterId: c1, vSwitches: [{ vSwitchId: 'vsw-bp10gkryrkhgg8t0t3q45', zoneId: 'cn-hangzhou-j' }] },
      { clusterId: c2, vSwitches: [{ vSwitchId: 'vsw-bp1ta6xjvp98ptjwml7er', zoneId: 'cn-hangzhou-k' }] },
    ]);
    const { conditions, mesh, ...vendorFields } = object.status as NonNullable<StoredObject['status']> & {
      mesh?: unknown;
    };
    expect(mesh).toEqual({
      serviceMeshId: sandbox.meshId,
      clusters: [
        { clusterId: c1, inMesh: true, state: 'running' },
        { clusterId: c2, inMesh: true, state: 'running' },
      ],
    });
    expect(vendorFields).toEqual({
      clusters: [
        {
          clusterId: c1,
          pvlEndpoint: vendor(c1, 'apiserver'),
          pvlEndpointService: service(endpointOf(c1, 'apiserver').serviceId),
        },
        {
          clusterId: c2,
          pvlEndpoint: vendor(c2, 'apiserver'),
          pvlEndpointService: service(endpointOf(c2, 'apiserver').serviceId),
        },
      ],
      pilot: {
        clusters: [
          { clusterId: c1, pvlEndpoint: vendor(c1, 'pilot') },
          { clusterId: c2, pvlEndpoint: vendor(c2, 'pilot') },
        ],
        pvlEndpointService: service(endpointOf(c1, 'pilot').serviceId),
      },
      status: 'Available',
      observedGeneration: object.metadata.generation,
    });
    expect(conditions!.map((condition) => [condition.type, condition.status, condition.reason])).toEqual([
      ['Ready', 'True', 'Available'],
      ['APIServerLinks', 'True', 'Connected'],
      ['PilotLinks', 'True', 'Connected'],
      ['SANSynced', 'True', 'Synced'],
      ['MeshReady', 'True', 'Running'],
    ]);
  });

  test('a second connect on a converged system makes no mutating cloud call and writes no spec change', async () => {
    const [c1, c2] = sandbox.clusters;
    const before = sandbox.emulator.requests().length;
    const generation = (await sandbox.object())!.metadata.generation;
    const result = await sandbox.plugin(['connect', c1, c2]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('the cloud already matches the spec: nothing to change');
    expect(result.stdout).toMatch(/connected in [0-9.]+s \(\d+ cloud call\(s\), 0 change\(s\)\)/);
    expect(sandbox.mutatingSince(before)).toEqual([]);
    // The mesh costs a converged run one read for all clusters: the membership check, whose answer
    // (both running) still holds at the end, since nothing changed.
    const meshCalls = sandbox.emulator
      .requests()
      .slice(before)
      .filter((entry) => entry.action.includes('ServiceMesh'))
      .map((entry) => entry.action);
    expect(meshCalls.sort()).toEqual(['DescribeClustersInServiceMesh', 'DescribeServiceMeshDetail']);
    expect((await sandbox.object())!.metadata.generation).toBe(generation);
    expect(inventorySummary(sandbox.inventory())).toEqual(EXPECTED_INVENTORY(c1, c2));
  });

  test('a dry run on a converged system says there is nothing to do', async () => {
    const [c1] = sandbox.clusters;
    const result = await sandbox.plugin(['connect', c1, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'spec: asmpvlconfig/default already holds these clusters\nnothing to do: the cloud already matches the spec\n',
    );
  });

  test('bad flags are usage errors (exit 2) that say what is expected', async () => {
    const result = await sandbox.plugin(['connect', 'c84974f524e2045c87dccadff91a71708', '--vswitch', 'vsw_nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--vswitch vsw_nope: expected vsw-… or vsw-…:<zone>');
    const wrongMesh = await sandbox.plugin([
      'connect',
      'c84974f524e2045c87dccadff91a71708',
      '--mesh-id',
      'c11111111111111111111111111111111',
    ]);
    expect(wrongMesh.code).toBe(1);
    expect(wrongMesh.stderr).toContain(
      `disagrees with asmpvlconfig/default, which is provisioned for mesh ${sandbox.meshId}`,
    );
  });

  test('a cluster the account cannot see fails with the step, the cloud code, its request id and what to do', async () => {
    const unknown = 'c0123456789abcdef0123456789abcdef';
    const result = await sandbox.plugin(['connect', unknown]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `error: read clusters ${unknown} and their vSwitches failed: ACK DescribeClusterDetail for ${unknown} failed: ErrorClusterNotFound \\(HTTP 404, request id [\\w-]+\\): .* Next: check that ${unknown} exists in this region and account\\.`,
      ),
    );
    expect((await sandbox.object())!.spec.ackVpcEndpoint?.map((entry) => entry.clusterId)).toEqual(sandbox.clusters);
  });

  test('-v shows each cloud call with its request id', async () => {
    const [c1] = sandbox.clusters;
    const result = await sandbox.plugin(['connect', c1, '-v']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/cloud: PrivateLink ListVpcEndpointServices #1 \d+ ms ok \(request id [\w-]+\)/);
  });
});
