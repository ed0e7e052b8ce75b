// asmpvl-controller as a local process against the real API server and the cloud emulator (real
// SDKs and signing): kubectl apply alone converges, drift is repaired within a resync and named in
// an Event, a removed cluster loses its links only, two replicas elect one leader and fail over,
// a persistent fault backs off and recovers, an unknown status manager is refused, and deletion
// cleans up (Delete) or leaves the cloud alone (Orphan).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createCloud } from '../../engine/cloud';
import {
  apply,
  configFor,
  CONTROLLER,
  eventsOfConfig,
  OTHER_LEASE_NAME,
  resetControllerState,
  type RunningController,
  startController,
} from './controller-sandbox';
import { kubectl, mustSucceed, patchStatus } from './harness';
import { inventorySummary, type Sandbox, startSandbox, type StoredObject, waitFor } from './provisioning-sandbox';

let sandbox: Sandbox;
const controllers: RunningController[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  await sandbox.deleteObject();
  await resetControllerState();
});

afterEach(async () => {
  // Every test starts from nothing: no controller, no object, no Lease, no cloud resources.
  await Promise.all(controllers.splice(0).map((controller) => controller.stop()));
  await resetControllerState();
  sandbox.emulator.setFaults({});
  sandbox.emulator.reset();
});

afterAll(async () => {
  await resetControllerState();
  await sandbox?.stop();
});

const cloud = () =>
  createCloud({
    region: sandbox.emulator.regionId,
    cloudEndpoint: sandbox.emulator.url,
    credentials: sandbox.emulator.credentials,
  });

async function controller(options: Parameters<typeof startController>[1] = {}): Promise<RunningController> {
  const started = await startController(sandbox, options);
  controllers.push(started);
  return started;
}

const readyCondition = (object: StoredObject | undefined) =>
  object?.status?.conditions?.find((condition) => condition.type === 'Ready');

async function available(timeoutMs = 60_000): Promise<StoredObject> {
  let last: StoredObject | undefined;
  await waitFor(
    async () => {
      last = await sandbox.object();
      return last?.status?.status === 'Available' && last.status.observedGeneration === last.metadata.generation;
    },
    'status Available for the current generation',
    timeoutMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last status: ${JSON.stringify(last?.status?.conditions)}`);
  });
  return last!;
}

const EXPECTED = (clusters: string[]) => ({
  services: [...clusters.map((c) => `apiserver/${c}`), ...(clusters.length > 0 ? ['pilot/-'] : [])].sort(),
  endpoints: clusters.flatMap((c) => [`apiserver/${c}`, `pilot/${c}`]).sort(),
});

describe('asmpvl-controller', () => {
  test('kubectl apply alone converges to Available with Events; of two replicas exactly one acts', async () => {
    const [c1, c2] = sandbox.clusters;
    const first = await controller();
    const second = await controller();
    const started = Date.now();
    await apply(configFor(sandbox, [c1, c2]));
    const object = await available();
    const seconds = (Date.now() - started) / 1000;
    expect(object.metadata.generation).toBe(1);
    expect(inventorySummary(sandbox.inventory())).toEqual(EXPECTED([c1, c2]));
    const events = await eventsOfConfig();
    expect(events.some((event) => /^Normal\/Provisioned: \d+ change\(s\): /.test(event))).toBe(true);
    const firstLeads = await first.metric('asmpvl_controller_leader');
    expect([firstLeads, await second.metric('asmpvl_controller_leader')].sort()).toEqual([0, 1]);
    // The replica that does not lead reconciles nothing and calls no cloud API.
    const standby = firstLeads === 1 ? second : first;
    expect(await standby.metric('asmpvl_controller_reconciles_total')).toBe(0);
    expect(await standby.metric('asmpvl_controller_cloud_calls_total')).toBe(0);
    console.log(`apply to Available, 2 clusters: ${seconds.toFixed(1)} s`);
  });

  test('waits held shorter than the cloud takes: the reconciles requeue without a failure, converge, and name each change once', async () => {
    const [c1, c2] = sandbox.clusters;
    // The emulator's transitions take 0.2-3 s: every wait longer than 100 ms ends the reconcile.
    const running = await controller({ leaderElect: false, extraArgs: ['--max-reconcile-wait', '100ms'] });
    await apply(configFor(sandbox, [c1, c2]));
    await available();
    expect(inventorySummary(sandbox.inventory())).toEqual(EXPECTED([c1, c2]));
    expect(await running.metric('asmpvl_controller_reconciles_total', { result: 'progressing' })).toBeGreaterThan(1);
    expect(await running.metric('asmpvl_controller_reconciles_total', { result: 'failed' })).toBe(0);
    const events = await eventsOfConfig();
    expect(events.filter((event) => event.startsWith('Warning/'))).toEqual([]);
    const changes = events
      .filter((event) => event.startsWith('Normal/Provisioned: '))
      .flatMap((event) => event.replace(/^Normal\/Provisioned: \d+ change\(s\): /, '').split('; '));
    // Both clusters' endpoints were created, each named once however many reconciles waited on it.
    expect(changes.filter((change) => /^create the .* endpoint of /.test(change))).toHaveLength(4);
    expect(new Set(changes).size).toBe(changes.length);
  });

  test('drift is repaired within one resync, each repair named in an Event: a deleted endpoint, a removed SAN, a detached zone', async () => {
    const [c1, c2] = sandbox.clusters;
    await controller({ resyncPeriod: '3s' });
    await apply(configFor(sandbox, [c1, c2]));
    await available();
    const state = sandbox.inventory();
    const tag = (item: { tags: Array<{ key: string; value: string }> }, key: string) =>
      item.tags.find((candidate) => candidate.key === key)?.value;
    const pilotEndpoint = state.endpoints.find(
      (endpoint) => tag(endpoint, 'asmpvl.io/link') === 'pilot' && tag(endpoint, 'asmpvl.io/cluster') === c1,
    )!;
    const pilotService = state.endpointServices.find((service) => tag(service, 'asmpvl.io/link') === 'pilot')!;
    // The zone of c1's Pilot endpoint: detachable from the Pilot service once that endpoint is gone.
    const zoneId = pilotEndpoint.zones[0]!.zoneId;
    const detached = pilotService.resources.find((resource) => resource.zoneId === zoneId)!;
    const client = cloud();
    const broken = Date.now();
    await client.privateLink.endpoints.deleteVpcEndpoint(pilotEndpoint.endpointId, { clientToken: randomUUID() });
    await waitFor(
      () => !sandbox.inventory().endpoints.some((endpoint) => endpoint.endpointId === pilotEndpoint.endpointId),
      'the endpoint gone',
      10_000,
    );
    await client.privateLink.services.detachResourceFromVpcEndpointService({
      serviceId: pilotService.serviceId,
      resourceId: detached.resourceId,
      resourceType: detached.resourceType,
      zoneId,
      clientToken: randomUUID(),
    });
    const detail = await client.ack.describeClusterDetail(c2);
    const ours = detail.apiServerCertSans.filter((san) => san.includes('privatelink'));
    expect(ours).toHaveLength(1);
    sandbox.emulator.setClusterSans(
      c2,
      detail.apiServerCertSans.filter((san) => !ours.includes(san)),
    );
    await waitFor(
      async () => {
        const now = sandbox.inventory();
        const endpoints = inventorySummary(now).endpoints;
        const service = now.endpointServices.find((candidate) => candidate.serviceId === pilotService.serviceId);
        const sans = (await client.ack.describeClusterDetail(c2)).apiServerCertSans;
        return (
          endpoints.length === 4 &&
          service?.resources.some((resource) => resource.zoneId === zoneId) === true &&
          ours.every((san) => sans.includes(san))
        );
      },
      'the endpoint, the zone and the SAN back',
      30_000,
    );
    const repairSeconds = (Date.now() - broken) / 1000;
    await available();
    const repaired = (await eventsOfConfig()).filter((event) => event.startsWith('Normal/Repaired')).join('\n');
    expect(repaired).toMatch(new RegExp(`Pilot endpoint.*${c1}|${c1}.*Pilot endpoint`, 'i'));
    expect(repaired).toContain(zoneId);
    expect(repaired).toContain(`SANs of ${c2}`);
    console.log(`repair of a deleted endpoint, a detached zone and a removed SAN: ${repairSeconds.toFixed(1)} s`);
  });

  test('a cluster removed by kubectl apply loses its links (and only its); its SAN stays', async () => {
    const [c1, c2] = sandbox.clusters;
    await controller();
    await apply(configFor(sandbox, [c1, c2]));
    await available();
    const before = sandbox.inventory();
    const keptIds = before.endpoints
      .filter((endpoint) => endpoint.tags.some((tag) => tag.key === 'asmpvl.io/cluster' && tag.value === c1))
      .map((endpoint) => endpoint.endpointId)
      .sort();
    const sansOfC2 = (await cloud().ack.describeClusterDetail(c2)).apiServerCertSans;
    await apply(configFor(sandbox, [c1]));
    await available();
    await waitFor(
      () => JSON.stringify(inventorySummary(sandbox.inventory())) === JSON.stringify(EXPECTED([c1])),
      `only ${c1}'s links left`,
      30_000,
    );
    const after = sandbox.inventory();
    expect(
      after.endpoints
        .filter((endpoint) => endpoint.tags.some((tag) => tag.key === 'asmpvl.io/cluster' && tag.value === c1))
        .map((endpoint) => endpoint.endpointId)
        .sort(),
    ).toEqual(keptIds);
    expect((await cloud().ack.describeClusterDetail(c2)).apiServerCertSans).toEqual(sansOfC2);
  });

  test('SIGKILL of the leader mid-reconcile: the other replica takes over within the lease and converges, no duplicate', async () => {
    const [c1, c2] = sandbox.clusters;
    await apply(configFor(sandbox, [c1]));
    const first = await controller();
    await available();
    const second = await controller();
    const leader = (await first.metric('asmpvl_controller_leader')) === 1 ? first : second;
    const standby = leader === first ? second : first;
    await apply(configFor(sandbox, [c1, c2]));
    // Mid-reconcile: once the new cluster's first change reached the cloud.
    const since = sandbox.emulator.requests().length;
    await waitFor(() => sandbox.mutatingSince(since).length > 0, 'the leader to start changing the cloud', 20_000);
    await leader.kill();
    const killed = Date.now();
    await waitFor(async () => (await standby.metric('asmpvl_controller_leader')) === 1, 'the standby to lead', 15_000);
    const failover = (Date.now() - killed) / 1000;
    await available(90_000);
    expect(inventorySummary(sandbox.inventory())).toEqual(EXPECTED([c1, c2]));
    // Takeover comes once the Lease (4 s) has gone unrenewed as the standby observed it, plus a retry period (0.5 s); slack for a busy machine.
    expect(failover).toBeLessThan(4 + 3);
    console.log(`leader fail-over after SIGKILL: ${failover.toFixed(1)} s (lease duration 4 s)`);
  });

  test('a persistent cloud fault: Ready False, a Warning, bounded calls per minute; it recovers on its own', async () => {
    const [c1, c2] = sandbox.clusters;
    await apply(configFor(sandbox, [c1, c2]));
    const running = await controller();
    await available();
    sandbox.emulator.setFaults({ serverErrorRate: 1, serverErrorCode: 'InternalError' });
    const since = sandbox.emulator.requests().length;
    const faultAt = Date.now();
    await apply(configFor(sandbox, [c1]));
    await waitFor(
      async () => readyCondition(await sandbox.object())?.status === 'False',
      'Ready False under the fault',
      30_000,
    );
    // Each failed reconcile spends its first call's retries (up to 6 attempts, backoff drawn below
    // 1+2+4+8+10 s) and then the controller's own backoff: a second failure comes within a minute.
    await waitFor(
      async () => (await running.metric('asmpvl_controller_reconciles_total', { result: 'failed' })) >= 2,
      'a second failed reconcile',
      60_000,
    );
    const failed = await running.metric('asmpvl_controller_reconciles_total', { result: 'failed' });
    const calls = sandbox.emulator.requests().length - since;
    const seconds = (Date.now() - faultAt) / 1000;
    // Backoff: a hot loop would make thousands of calls a minute.
    expect((calls / seconds) * 60).toBeLessThan(450);
    expect((await eventsOfConfig()).some((event) => event.startsWith('Warning/'))).toBe(true);
    sandbox.emulator.setFaults({});
    await available(90_000);
    expect(inventorySummary(sandbox.inventory())).toEqual(EXPECTED([c1]));
    console.log(
      `persistent fault: ${calls} cloud calls in ${Math.round(seconds)} s, ${failed} failed reconciles, then recovered`,
    );
    // Waits of up to 30 s, 60 s and 90 s in a row: more than the e2e default of two minutes.
  }, 240_000);

  test('a status written by an unknown manager: the controller refuses, says so in an Event and a condition', async () => {
    const [c1] = sandbox.clusters;
    await apply(configFor(sandbox, [c1]));
    await patchStatus({ status: 'Provisioning' }, { fieldManager: 'asm-managed-pvl-controller' });
    const since = sandbox.emulator.requests().length;
    await controller();
    await waitFor(
      async () =>
        (await sandbox.object())?.status?.conditions?.some(
          (condition) => condition.type === 'Controller' && condition.reason === 'ForeignManager',
        ) === true,
      'the Controller condition',
      20_000,
    );
    expect((await eventsOfConfig()).some((event) => event.startsWith('Warning/ForeignManager'))).toBe(true);
    expect(sandbox.mutatingSince(since)).toEqual([]);
    const doctor = await sandbox.plugin(['doctor', '-o', 'json']);
    const findings = (
      JSON.parse(doctor.stdout) as { findings: Array<{ check: string; status: string; message: string }> }
    ).findings;
    expect(findings.find((finding) => finding.check === 'controller/manager')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('asm-managed-pvl-controller') as unknown,
    });
  });

  test.each([
    ['the same mesh id', false],
    ['another mesh id', true],
  ])(
    'a second install (another Lease, %s) refuses: zero cloud calls, one Warning, object writes bounded',
    async (_label, otherMesh) => {
      const [c1] = sandbox.clusters;
      const first = await controller();
      await apply(configFor(sandbox, [c1]));
      await available();
      const second = await controller({
        extraArgs: [
          '--leader-election-id',
          OTHER_LEASE_NAME,
          ...(otherMesh ? ['--mesh-id', 'c00000000000000000000000000000000'] : []),
        ],
      });
      await waitFor(
        async () =>
          (await sandbox.object())?.status?.conditions?.some(
            (condition) => condition.type === 'Controller' && condition.reason === 'AnotherController',
          ) === true,
        'the second controller to say it refuses',
        20_000,
      );
      // Both run side by side for a while: count the object's versions and each one's work.
      const reconciles = async () => [
        await first.metric('asmpvl_controller_reconciles_total'),
        await second.metric('asmpvl_controller_reconciles_total'),
      ];
      const before = await reconciles();
      const versions = new Set<string>();
      const until = Date.now() + 12_000;
      while (Date.now() < until) {
        versions.add((await sandbox.object())!.metadata.resourceVersion!);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const after = await reconciles();
      expect(versions.size).toBeLessThanOrEqual(2);
      expect(await second.metric('asmpvl_controller_cloud_calls_total')).toBe(0);
      // Nothing wakes the first; the second looks again once per Lease duration (4 s here).
      expect(after[0]! - before[0]!).toBeLessThanOrEqual(1);
      expect(after[1]! - before[1]!).toBeLessThanOrEqual(4);
      const object = (await sandbox.object())!;
      expect(object.metadata.annotations?.['asmpvl.io/controller']).toBe('kube-system/asmpvl-controller-e2e');
      const warnings = (await eventsOfConfig()).filter((event) => event.startsWith('Warning/AnotherController'));
      expect(warnings).toHaveLength(1);
      console.log(
        `two installs, ${_label}: ${versions.size} object version(s) in 12 s; reconciles ${after[0]! - before[0]!} + ${after[1]! - before[1]!}`,
      );
    },
  );

  test('a Lease namespace that does not exist: an error naming it and the fix, readiness false, no cloud call', async () => {
    const running = await controller({ extraArgs: ['--leader-election-namespace', 'asmpvl-no-such-namespace'] });
    await waitFor(
      () =>
        running
          .logs()
          .some(
            (line) =>
              line.level === 'error' &&
              String(line.msg).includes('namespace asmpvl-no-such-namespace does not exist') &&
              String(line.msg).includes('--leader-election-namespace'),
          ),
      'an error log naming the namespace',
      15_000,
    );
    const ready = await fetch(`http://127.0.0.1:${running.port}/readyz`);
    expect(ready.status).toBe(503);
    // Said once, not every retry period.
    expect(running.logs().filter((line) => line.level === 'error')).toHaveLength(1);
    expect(await running.metric('asmpvl_controller_cloud_calls_total')).toBe(0);
  });

  test('outside a cluster with no namespace for the Lease (none in the context), it exits 2 asking for the flag', async () => {
    const args = sandbox.processArgs;
    const child = spawn(process.execPath, [CONTROLLER, ...args, '--health-port', '0'], {
      env: { ...sandbox.processEnv, POD_NAMESPACE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('error: no namespace for the leader-election Lease');
    expect(stderr).toContain('--leader-election-namespace');
  });

  test('connect and disconnect with a controller running edit the spec and wait for it; status names it', async () => {
    const [c1, c2] = sandbox.clusters;
    const running = await controller();
    await apply(configFor(sandbox, [c1]));
    await available();
    const before = await running.metric('asmpvl_controller_reconciles_total');
    const connected = await sandbox.plugin(['connect', c2, '--mesh-id', sandbox.meshId]);
    expect(connected.stderr).toContain('asmpvl-controller reconciles asmpvlconfig/default');
    expect(connected.code).toBe(0);
    expect(connected.stdout).toContain('Overall: Available');
    // The plugin provisioned nothing itself: no step lines of its own, the controller did the work.
    expect(connected.stderr).not.toMatch(/create the (shared )?Pilot endpoint/);
    expect(await running.metric('asmpvl_controller_reconciles_total')).toBeGreaterThan(before);
    expect(inventorySummary(sandbox.inventory())).toEqual(EXPECTED([c1, c2]));
    const status = await sandbox.plugin(['status']);
    expect(status.stdout).toMatch(
      /Reconciled by: asmpvl-controller at \S+Z \(controller kube-system\/asmpvl-controller-e2e\)/,
    );
    const disconnected = await sandbox.plugin(['disconnect', c2, '--mesh-id', sandbox.meshId]);
    expect(disconnected.stderr).toContain('asmpvl-controller reconciles asmpvlconfig/default');
    expect(disconnected.code).toBe(0);
    await waitFor(
      () => JSON.stringify(inventorySummary(sandbox.inventory())) === JSON.stringify(EXPECTED([c1])),
      `only ${c1}'s links left`,
      30_000,
    );
  });

  test.each(['Delete', 'Orphan'])('deleting the object under %s', async (policy) => {
    const [c1] = sandbox.clusters;
    await controller();
    await apply(configFor(sandbox, [c1], policy));
    await available();
    expect((await sandbox.object())!.metadata).toMatchObject({ finalizers: ['asmpvl.io/cloud-resources'] });
    await mustSucceed(
      kubectl(['delete', 'asmpvlconfig', 'default', '--wait=true', '--timeout=60s']),
      'kubectl delete asmpvlconfig default',
    );
    expect(await sandbox.object()).toBeUndefined();
    expect(inventorySummary(sandbox.inventory())).toEqual(EXPECTED(policy === 'Delete' ? [] : [c1]));
    const events = await eventsOfConfig();
    expect(events.some((event) => event.startsWith(policy === 'Delete' ? 'Normal/CleanedUp' : 'Normal/Orphaned'))).toBe(
      true,
    );
  });
});
