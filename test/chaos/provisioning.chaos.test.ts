// Provisioning under faults (npm run test:chaos): a three-cluster `connect` killed with SIGKILL at
// random points and run again converges every time with exactly the expected cloud resources;
// lost answers, throttling, 5xx and latency still converge; persistent faults fail cleanly in
// bounded time; two connects at once make one set of resources. Assertions are on the emulator's
// inventory and the stored status, not on call counts (connect's steps may change).
import { makeWorld } from '../emulator';
import { FAST_DELAYS, inventorySummary, type Sandbox, startSandbox, waitFor } from '../e2e/provisioning-sandbox';
import type { CommandResult } from '../e2e/harness';
import { seededRandom } from '../emulator/ids';

const CLUSTERS = 3;
const KILL_TRIALS = Number(process.env.ASMPVL_CHAOS_KILL_TRIALS ?? 32);
// Reproducible kill points: the seed is printed, and ASMPVL_CHAOS_SEED replays a run.
const SEED = Number(process.env.ASMPVL_CHAOS_SEED ?? Date.now() % 1_000_000);

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox(
    { ...FAST_DELAYS, meshJoinMs: 300 },
    { world: makeWorld({ clusters: CLUSTERS, seed: 11 }) },
  );
});

afterAll(async () => {
  await sandbox?.deleteObject();
  await sandbox?.stop();
});

async function freshSystem(): Promise<void> {
  await sandbox.deleteObject();
  sandbox.emulator.reset();
}

function connectAll(): Promise<CommandResult> {
  return sandbox.plugin(['connect', ...sandbox.allClusters, '--mesh-id', sandbox.meshId]);
}

/**
 * Everything that must hold after a converged connect, as a list of what is wrong (empty when
 * right): exactly one service per cluster plus the shared Pilot one, two endpoints per cluster,
 * nothing being deleted, every connection Connected, each cluster's SANs list its endpoint's
 * domain, the status Available.
 */
async function convergenceProblems(): Promise<string[]> {
  const clusters = sandbox.allClusters;
  const problems: string[] = [];
  const state = sandbox.inventory();
  const summary = inventorySummary(state);
  const wanted = {
    services: [...clusters.map((id) => `apiserver/${id}`), 'pilot/-'].sort(),
    endpoints: clusters.flatMap((id) => [`apiserver/${id}`, `pilot/${id}`]).sort(),
  };
  if (JSON.stringify(summary) !== JSON.stringify(wanted))
    problems.push(`inventory ${JSON.stringify(summary)} is not ${JSON.stringify(wanted)}`);
  if (state.endpointServices.length !== clusters.length + 1)
    problems.push(`${state.endpointServices.length} endpoint services (duplicates or orphans being deleted)`);
  if (state.endpoints.length !== 2 * clusters.length)
    problems.push(`${state.endpoints.length} endpoints (duplicates or orphans being deleted)`);
  const notConnected = state.connections.filter((connection) => connection.connectionStatus !== 'Connected');
  if (notConnected.length > 0)
    problems.push(
      `connections not Connected: ${notConnected.map((connection) => `${connection.endpointId} ${connection.connectionStatus}`).join(', ')}`,
    );
  const object = await sandbox.object();
  if (object?.status?.status !== 'Available')
    problems.push(
      `status ${object?.status?.status ?? 'absent'}: ${JSON.stringify(object?.status?.conditions?.filter((condition) => condition.status !== 'True'))}`,
    );
  for (const clusterId of clusters) {
    const domain = object?.status?.clusters?.find((entry) => entry.clusterId === clusterId)?.pvlEndpoint?.domainName;
    const sans = state.clusters.find((cluster) => cluster.clusterId === clusterId)?.extraSans ?? [];
    if (!domain || !sans.includes(domain))
      problems.push(
        `${clusterId}: SANs ${JSON.stringify(sans)} lack its endpoint domain ${domain ?? '(none in status)'}`,
      );
    if (sans.length !== new Set(sans).size)
      problems.push(`${clusterId}: a SAN appended twice: ${JSON.stringify(sans)}`);
  }
  return problems;
}

async function expectConverged(result: CommandResult): Promise<void> {
  expect(result.stderr).not.toContain('error:');
  expect(result.code).toBe(0);
  expect(await convergenceProblems()).toEqual([]);
}

describe('a multi-cluster connect killed with SIGKILL at random points, then run again', () => {
  test(
    `${KILL_TRIALS} kills mid-run: every one converges to Available with exactly the expected resources`,
    async () => {
      // How long an unkilled connect takes here: kill points are drawn over that span.
      await freshSystem();
      const started = Date.now();
      await expectConverged(await connectAll());
      const fullRunMs = Date.now() - started;

      const random = seededRandom(SEED);
      const failures: string[] = [];
      const killedAt: string[] = [];
      // The measured run paid first-time costs, so later runs are shorter: draw over most of its span,
      // and count only kills that landed before the run finished, until there are KILL_TRIALS of them.
      let kills = 0;
      let trial = 0;
      while (kills < KILL_TRIALS && trial < 2 * KILL_TRIALS) {
        trial++;
        await freshSystem();
        const delayMs = Math.round(50 + random() * fullRunMs * 0.8);
        const { child, done } = sandbox.start(['connect', ...sandbox.allClusters, '--mesh-id', sandbox.meshId]);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        child.kill('SIGKILL');
        const killed = await done;
        const requests = sandbox.emulator.requests();
        const lastWrite = requests.filter((entry) => entry.mutating).pop()?.action ?? 'none';
        if (killed.code === 137) kills++;
        killedAt.push(`${delayMs}ms/${killed.code === 137 ? lastWrite : 'finished first'}`);

        const again = await connectAll();
        const problems =
          again.code === 0 && !again.stderr.includes('error:')
            ? await convergenceProblems()
            : [
                `resume exited ${again.code}: ${again.stderr
                  .split('\n')
                  .filter((line) => line.includes('error:'))
                  .join(' | ')}`,
              ];
        if (problems.length > 0)
          failures.push(`trial ${trial} (killed at ${delayMs} ms, seed ${SEED}): ${problems.join('; ')}`);
      }
      console.log(
        `kill/resume: ${trial} trials, ${kills} killed mid-run, ${failures.length} failures (seed ${SEED}, ${CLUSTERS} clusters, unkilled run ${fullRunMs} ms)\n` +
          `kill points (ms / last write the cloud saw): ${killedAt.join(', ')}`,
      );
      expect(failures).toEqual([]);
      expect(kills).toBe(KILL_TRIALS);
    },
    15 * 60_000,
  );
});

describe('cloud faults', () => {
  test('answers lost after the cloud acted are retried with the same ClientToken: no second resource', async () => {
    await freshSystem();
    sandbox.emulator.setFaults({ dropResponseOnce: ['CreateVpcEndpointService', 'CreateVpcEndpoint'] });
    const result = await connectAll();
    expect(
      sandbox.emulator
        .requests()
        .filter((entry) => entry.replayed)
        .map((entry) => entry.action)
        .sort(),
    ).toEqual(['CreateVpcEndpoint', 'CreateVpcEndpointService']);
    await expectConverged(result);
  });

  test('20% throttling, 5% 5xx and 40 ms added latency on every call converge', async () => {
    await freshSystem();
    sandbox.emulator.setFaults({ throttleRate: 0.2, serverErrorRate: 0.05, latencyMs: 40, seed: SEED });
    const result = await connectAll();
    sandbox.emulator.setFaults({});
    const injected = sandbox.emulator
      .requests()
      .filter((entry) => entry.faults?.some((fault) => fault === 'throttle' || fault === 'server-error'));
    console.log(
      `faults: ${injected.length} of ${sandbox.emulator.requests().length} calls throttled or 5xx (seed ${SEED}); exit ${result.code}`,
    );
    expect(injected.length).toBeGreaterThan(10);
    await expectConverged(result);
  });

  test('every PrivateLink write failing (5xx): exit 1 in bounded time, the step and request id named, a Failed status with conditions; fixed, it resumes', async () => {
    await freshSystem();
    sandbox.emulator.setFaults({
      serverErrorRate: 1,
      actions: ['CreateVpcEndpointService', 'CreateVpcEndpoint', 'EnableVpcEndpointConnection'],
    });
    const started = Date.now();
    const result = await connectAll();
    const elapsedMs = Date.now() - started;
    sandbox.emulator.setFaults({});
    expect(result.code).toBe(1);
    expect(elapsedMs).toBeLessThan(90_000);
    expect(result.stderr).toMatch(
      /error: create the (API-server|shared Pilot) endpoint service .* failed: PrivateLink CreateVpcEndpointService .* failed: ServiceUnavailable \(HTTP 503, request id [\w-]+, after \d+ attempts\): .* Next: /,
    );
    const status = (await sandbox.object())!.status!;
    expect(status.status).toBe('Failed');
    expect(status.conditions!.find((condition) => condition.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ProvisioningFailed',
    });
    expect(status.conditions!.find((condition) => condition.type === 'APIServerLinks')).toMatchObject({
      status: 'False',
      reason: 'ServiceUnavailable',
    });
    expect(inventorySummary(sandbox.inventory())).toEqual({ services: [], endpoints: [] });

    await expectConverged(await connectAll());
  });

  test('every cloud call failing (5xx): exit 1 in bounded time, naming the step and the request id', async () => {
    await freshSystem();
    sandbox.emulator.setFaults({ serverErrorRate: 1 });
    const started = Date.now();
    const result = await connectAll();
    const elapsedMs = Date.now() - started;
    sandbox.emulator.setFaults({});
    expect(result.code).toBe(1);
    expect(elapsedMs).toBeLessThan(90_000);
    expect(result.stderr).toMatch(
      /error: .*failed: .*ServiceUnavailable \(HTTP 503, request id [\w-]+, after \d+ attempts\)/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(inventorySummary(sandbox.inventory())).toEqual({ services: [], endpoints: [] });
  });
});

describe('the provisioning Lease', () => {
  test('two connects at once: one waits for the other, and one set of resources is made', async () => {
    await freshSystem();
    // The first writes the spec; both then race for the Lease.
    expect(
      (await sandbox.plugin(['connect', ...sandbox.allClusters, '--mesh-id', sandbox.meshId, '--dry-run'])).code,
    ).toBe(0);
    const first = sandbox.start(['connect', ...sandbox.allClusters, '--mesh-id', sandbox.meshId]);
    const second = sandbox.start(['connect', ...sandbox.allClusters, '--mesh-id', sandbox.meshId]);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(
      [a.stderr, b.stderr].filter((stderr) => stderr.includes('waiting: another run is provisioning')),
    ).toHaveLength(1);
    expect(
      sandbox.emulator
        .requests()
        .filter((entry) => entry.action === 'CreateVpcEndpointService' && !entry.replayed && entry.status === 200),
    ).toHaveLength(CLUSTERS + 1);
    expect(await convergenceProblems()).toEqual([]);
  });
});

describe('a connect killed when a given change reaches the cloud', () => {
  test.each([
    'CreateVpcEndpointService',
    'CreateVpcEndpoint',
    'EnableVpcEndpointConnection',
    'ModifyCluster',
    'AddClusterIntoServiceMesh',
  ])("killed when %s arrives: resumes at once (the dead run's Lease is taken over) and converges", async (action) => {
    await freshSystem();
    const { child, done } = sandbox.start(['connect', ...sandbox.allClusters, '--mesh-id', sandbox.meshId]);
    await waitFor(
      () => sandbox.emulator.requests().some((entry) => entry.action === action),
      `${action} to reach the emulator`,
    );
    child.kill('SIGKILL');
    expect((await done).code).toBe(137);
    const started = Date.now();
    const again = await connectAll();
    expect(again.stderr).not.toContain('waiting: another run is provisioning');
    expect(Date.now() - started).toBeLessThan(30_000);
    await expectConverged(again);
  });
});
