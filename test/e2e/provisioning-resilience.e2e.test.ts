// Provisioning under stress: connect killed (SIGKILL) at many points and run again converges with
// no duplicate and no orphan; lost answers, throttling and 5xx still converge; persistent faults
// fail cleanly with exit 1, a message naming the step and the request id, and a status that says
// what failed; two connects at once provision one set of resources.
import { FAST_DELAYS, inventorySummary, type Sandbox, startSandbox, waitFor } from './provisioning-sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});

afterAll(async () => {
  await sandbox?.deleteObject();
  await sandbox?.stop();
});

async function freshSystem(): Promise<void> {
  await sandbox.deleteObject();
  sandbox.emulator.reset();
}

function expectConverged(summary: { services: string[]; endpoints: string[] }): void {
  const [c1, c2] = sandbox.clusters;
  expect(summary).toEqual({
    services: [`apiserver/${c1}`, `apiserver/${c2}`, 'pilot/-'].sort(),
    endpoints: [`apiserver/${c1}`, `apiserver/${c2}`, `pilot/${c1}`, `pilot/${c2}`].sort(),
  });
}

async function expectAvailableWithSans(): Promise<void> {
  const [c1, c2] = sandbox.clusters;
  const state = sandbox.inventory();
  // No duplicate and no orphan: exactly one of each, none being deleted, all Connected.
  expect(state.endpointServices).toHaveLength(3);
  expect(state.endpoints).toHaveLength(4);
  expect(state.connections.map((connection) => connection.connectionStatus)).toEqual(Array(4).fill('Connected'));
  const object = (await sandbox.object())!;
  expect(object.status?.status).toBe('Available');
  const domain = (cluster: string) => object.status!.clusters!.find((entry) => entry.clusterId === cluster)!.pvlEndpoint!.domainName!;
  const sans = Object.fromEntries(state.clusters.map((cluster) => [cluster.clusterId, cluster.extraSans]));
  expect(sans[c1]).toEqual(['api.ack-hz-1.example.com', domain(c1)]);
  expect(sans[c2]).toEqual([domain(c2)]);
}

async function connectBoth(): Promise<Awaited<ReturnType<Sandbox['plugin']>>> {
  const [c1, c2] = sandbox.clusters;
  return sandbox.plugin(['connect', c1, c2, '--mesh-id', sandbox.meshId]);
}

describe('a connect killed with SIGKILL, then run again', () => {
  // Deterministic kill points: the moment the emulator receives each kind of change.
  test.each(['CreateVpcEndpointService', 'CreateVpcEndpoint', 'EnableVpcEndpointConnection', 'ModifyCluster'])('killed when %s arrives: resumes, converges, no duplicate, no orphan', async (action) => {
    await freshSystem();
    const [c1, c2] = sandbox.clusters;
    const { child, done } = sandbox.start(['connect', c1, c2, '--mesh-id', sandbox.meshId]);
    await waitFor(() => sandbox.emulator.requests().some((entry) => entry.action === action), `${action} to reach the emulator`);
    child.kill('SIGKILL');
    expect((await done).code).toBe(137);

    const started = Date.now();
    const again = await connectBoth();
    expect(again.stderr).not.toContain('error:');
    expect(again.code).toBe(0);
    // The killed run's lease is taken over at once (its process is gone), not after its TTL.
    expect(again.stderr).not.toContain('waiting: another run is provisioning');
    expect(Date.now() - started).toBeLessThan(20_000);
    expectConverged(inventorySummary(sandbox.inventory()));
    await expectAvailableWithSans();
  });

  test.each([250, 900, 1600, 2400])('killed %i ms in: resumes and converges exactly', async (delayMs) => {
    await freshSystem();
    const [c1, c2] = sandbox.clusters;
    const { child, done } = sandbox.start(['connect', c1, c2, '--mesh-id', sandbox.meshId]);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    child.kill('SIGKILL');
    await done;
    const again = await connectBoth();
    expect(again.stderr).not.toContain('error:');
    expect(again.code).toBe(0);
    expectConverged(inventorySummary(sandbox.inventory()));
    await expectAvailableWithSans();
  });
});

describe('a disconnect killed with SIGKILL, then run again', () => {
  // Endpoints take long to delete here, so the second run meets them still Deleting.
  let slow: Sandbox;

  beforeAll(async () => {
    await sandbox.deleteObject();
    slow = await startSandbox({ ...FAST_DELAYS, endpointDeleteMs: 6_000 });
  });

  afterAll(async () => {
    await slow?.deleteObject();
    await slow?.stop();
  });

  test.each([
    ['DeleteVpcEndpoint', 1],
    ['DeleteVpcEndpoint', 2],
    ['DeleteVpcEndpointService', 1],
  ] as const)('killed when %s #%i arrives: finishes, nothing of the cluster left', async (action, count) => {
    await slow.deleteObject();
    slow.emulator.reset();
    const [c1, c2] = slow.clusters;
    expect((await slow.plugin(['connect', c1, c2, '--mesh-id', slow.meshId])).code).toBe(0);
    const { child, done } = slow.start(['disconnect', c2]);
    await waitFor(() => slow.emulator.requests().filter((entry) => entry.action === action).length >= count, `${action} #${count} to reach the emulator`, 60_000);
    child.kill('SIGKILL');
    await done;
    const again = await slow.plugin(['disconnect', c2]);
    expect(again.stderr).not.toContain('error:');
    expect(again.code).toBe(0);
    expect(inventorySummary(slow.inventory())).toEqual({ services: [`apiserver/${c1}`, 'pilot/-'], endpoints: [`apiserver/${c1}`, `pilot/${c1}`].sort() });
    expect((await slow.object())!.spec.ackVpcEndpoint?.map((entry) => entry.clusterId)).toEqual([c1]);
  });
});

describe('cloud faults', () => {
  test('answers lost after the cloud acted are retried with the same ClientToken: no second resource', async () => {
    await freshSystem();
    sandbox.emulator.setFaults({ dropResponseOnce: ['CreateVpcEndpointService', 'CreateVpcEndpoint'] });
    const result = await connectBoth();
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    const replayed = sandbox.emulator.requests().filter((entry) => entry.replayed);
    expect(replayed.map((entry) => entry.action).sort()).toEqual(['CreateVpcEndpoint', 'CreateVpcEndpointService']);
    expectConverged(inventorySummary(sandbox.inventory()));
    await expectAvailableWithSans();
  });

  test('20% throttling and 5% 5xx on every call still converge', async () => {
    await freshSystem();
    sandbox.emulator.setFaults({ throttleRate: 0.2, serverErrorRate: 0.05, seed: 7 });
    const result = await connectBoth();
    sandbox.emulator.setFaults({});
    expect(result.stderr).not.toContain('error:');
    expect(result.code).toBe(0);
    const injected = sandbox.emulator.requests().filter((entry) => entry.faults?.some((fault) => fault === 'throttle' || fault === 'server-error'));
    expect(injected.length).toBeGreaterThan(5);
    expectConverged(inventorySummary(sandbox.inventory()));
    await expectAvailableWithSans();
  });

  test('a persistent 5xx fails cleanly: exit 1, the step and request id named, a Failed status that says why; fixed, it resumes', async () => {
    await freshSystem();
    sandbox.emulator.setFaults({ serverErrorRate: 1, actions: ['CreateVpcEndpoint'] });
    const result = await connectBoth();
    sandbox.emulator.setFaults({});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: create the API-server endpoint of c\w+ in vpc-\w+ \(cn-hangzhou-[jk]\) failed: PrivateLink CreateVpcEndpoint for epsrv-\w+ failed: ServiceUnavailable \(HTTP 503, request id [\w-]+, after \d+ attempts\): .* Next: /);
    expect(result.stderr).toContain('status: Failed');
    const status = (await sandbox.object())!.status!;
    expect(status.status).toBe('Failed');
    const ready = status.conditions!.find((condition) => condition.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'False', reason: 'ProvisioningFailed' });
    expect(ready.message).toMatch(/request id/);
    expect(status.conditions!.find((condition) => condition.type === 'APIServerLinks')).toMatchObject({ status: 'False', reason: 'ServiceUnavailable' });
    // The services were made; nothing else was.
    expect(inventorySummary(sandbox.inventory()).endpoints).toEqual([]);

    const again = await connectBoth();
    expect(again.code).toBe(0);
    expectConverged(inventorySummary(sandbox.inventory()));
    await expectAvailableWithSans();
  });
});

describe('the provisioning Lease', () => {
  test('two connects at once: one waits for the other, and one set of resources is made', async () => {
    await freshSystem();
    const [c1, c2] = sandbox.clusters;
    // The first writes the spec; both then race for the Lease.
    const setup = await sandbox.plugin(['connect', c1, c2, '--mesh-id', sandbox.meshId, '--dry-run']);
    expect(setup.code).toBe(0);
    const first = sandbox.start(['connect', c1, c2, '--mesh-id', sandbox.meshId]);
    const second = sandbox.start(['connect', c1, c2, '--mesh-id', sandbox.meshId]);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect([a.stderr, b.stderr].filter((stderr) => stderr.includes('waiting: another run is provisioning'))).toHaveLength(1);
    expectConverged(inventorySummary(sandbox.inventory()));
    expect(sandbox.emulator.requests().filter((entry) => entry.action === 'CreateVpcEndpointService' && !entry.replayed)).toHaveLength(3);
    await expectAvailableWithSans();
  });
});
