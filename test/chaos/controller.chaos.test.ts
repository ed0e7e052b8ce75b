// asmpvl-controller under leader kills (npm run test:chaos): two replicas of the bundled controller
// (local processes, short Lease) reconcile a spec that alternates between one and two clusters; at a
// seeded random point over a measured reconcile the leader is killed with SIGKILL and a replacement
// replica started. Every trial must converge, in bounded time, to Available for the current
// generation with exactly the expected inventory: no duplicate endpoint or service, nothing left
// being deleted, every link Connected, no SAN appended twice. Only kills that landed mid-reconcile
// (after the leader's first cloud write for that change, before it logged the reconcile done) count.
import { seededRandom } from '../emulator/ids';
import {
  apply,
  configFor,
  resetControllerState,
  type RunningController,
  startController,
} from '../e2e/controller-sandbox';
import { FAST_DELAYS, inventorySummary, type Sandbox, startSandbox } from '../e2e/provisioning-sandbox';

const MID_RECONCILE_KILLS = Number(process.env.ASMPVL_CHAOS_CONTROLLER_KILLS ?? 20);
const MAX_TRIALS = MID_RECONCILE_KILLS + 15;
// Reproducible kill points: the seed is printed, and ASMPVL_CHAOS_SEED replays a run.
const SEED = Number(process.env.ASMPVL_CHAOS_SEED ?? Date.now() % 1_000_000);
// A short Lease, so a fail-over costs about two seconds and 20+ trials fit in a few minutes.
const LEASE_ARGS = ['--lease-duration', '2s', '--renew-deadline', '1500ms', '--retry-period', '250ms'];
// After a kill: the Lease runs out (2 s), the survivor takes it and finishes the change.
const CONVERGE_BOUND_MS = 30_000;

let sandbox: Sandbox;
const replicas: RunningController[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

beforeAll(async () => {
  sandbox = await startSandbox(FAST_DELAYS);
  await sandbox.deleteObject();
  await resetControllerState();
});

afterAll(async () => {
  await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
  await resetControllerState();
  await sandbox?.stop();
});

function replica(): Promise<RunningController> {
  return startController(sandbox, { extraArgs: LEASE_ARGS }).then((started) => {
    replicas.push(started);
    return started;
  });
}

/** The replica whose asmpvl_controller_leader gauge is 1 (waits for one to take the Lease). */
async function currentLeader(timeoutMs = 15_000): Promise<RunningController> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const candidate of replicas) {
      if ((await candidate.metric('asmpvl_controller_leader').catch(() => 0)) === 1) return candidate;
    }
    if (Date.now() > deadline) throw new Error(`no replica leads after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** What is wrong with the system for a spec of `clusters` (empty when converged). */
async function problems(clusters: string[]): Promise<string[]> {
  const found = cloudProblems(clusters);
  // The cloud (in this process) is cheap to read; the object costs a kubectl, so only once the cloud is right.
  if (found.length > 0) return found;
  const state = sandbox.inventory();
  const object = await sandbox.object();
  const status = object?.status;
  if (status?.status !== 'Available' || status.observedGeneration !== object?.metadata.generation)
    found.push(
      `status ${status?.status ?? 'absent'} for generation ${status?.observedGeneration} of ${object?.metadata.generation}`,
    );
  for (const clusterId of clusters) {
    const domain = status?.clusters?.find((entry) => entry.clusterId === clusterId)?.pvlEndpoint?.domainName;
    const sans = state.clusters.find((cluster) => cluster.clusterId === clusterId)?.extraSans ?? [];
    if (!domain || !sans.includes(domain)) found.push(`${clusterId}: SANs lack ${domain ?? '(no domain in status)'}`);
  }
  return found;
}

function cloudProblems(clusters: string[]): string[] {
  const found: string[] = [];
  const state = sandbox.inventory();
  const wanted = {
    services: [...clusters.map((id) => `apiserver/${id}`), 'pilot/-'].sort(),
    endpoints: clusters.flatMap((id) => [`apiserver/${id}`, `pilot/${id}`]).sort(),
  };
  const summary = inventorySummary(state);
  if (JSON.stringify(summary) !== JSON.stringify(wanted))
    found.push(`inventory ${JSON.stringify(summary)} is not ${JSON.stringify(wanted)}`);
  // Raw counts: anything still being deleted (an orphan on its way out, or one stuck) is not converged.
  if (state.endpointServices.length !== clusters.length + 1)
    found.push(`${state.endpointServices.length} endpoint services in the cloud`);
  if (state.endpoints.length !== 2 * clusters.length) found.push(`${state.endpoints.length} endpoints in the cloud`);
  const notConnected = state.connections.filter((connection) => connection.connectionStatus !== 'Connected');
  if (notConnected.length > 0)
    found.push(`not Connected: ${notConnected.map((c) => `${c.endpointId} ${c.connectionStatus}`).join(', ')}`);
  for (const cluster of state.clusters)
    if (cluster.extraSans.length !== new Set(cluster.extraSans).size)
      found.push(`${cluster.clusterId}: a SAN appended twice: ${JSON.stringify(cluster.extraSans)}`);
  return found;
}

/** Polls until converged for `clusters`; the time it took, or the last problems after `timeoutMs`. */
async function converge(clusters: string[], timeoutMs: number): Promise<{ ms: number; problems: string[] }> {
  const started = Date.now();
  let last: string[] = [];
  while (Date.now() - started < timeoutMs) {
    last = await problems(clusters);
    if (last.length === 0) return { ms: Date.now() - started, problems: [] };
    await sleep(150);
  }
  return { ms: Date.now() - started, problems: last };
}

/** When the first cloud write after request `since` arrived (epoch ms), waiting for it. */
async function firstWriteSince(since: number, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const write = sandbox.mutatingSince(since)[0];
    if (write) return Date.parse(write.time);
    if (Date.now() > deadline) throw new Error(`no cloud write within ${timeoutMs} ms of the change`);
    await sleep(10);
  }
}

/** The leader logged the end of a reconcile (done or failed) at or after `since` (epoch ms). */
function finishedSince(leader: RunningController, since: number): boolean {
  return leader
    .logs()
    .some(
      (line) =>
        (line.msg === 'reconciled' || line.msg === 'reconcile failed') &&
        typeof line.ts === 'string' &&
        Date.parse(line.ts) >= since,
    );
}

describe('asmpvl-controller: the leader killed with SIGKILL at random points mid-reconcile', () => {
  test(
    `${MID_RECONCILE_KILLS} mid-reconcile kills: each time the survivors converge with exactly the expected inventory`,
    async () => {
      const [c1, c2] = sandbox.clusters;
      const one = [c1];
      const two = [c1, c2];
      await replica();
      await replica();
      await apply(configFor(sandbox, one));
      const initial = await converge(one, 60_000);
      expect(initial.problems).toEqual([]);

      // An unkilled reconcile of each change, measured here: from its first cloud write to converged.
      // Kill points are drawn over that span, counted from the first write of the change being killed.
      // Measured on the second round: the first add of a cluster also waits for the mesh to start it
      // and its SAN to be appended, which the trials' re-adds no longer do, so its span is longer and
      // kill points drawn over it would land after the end.
      const spanMs = new Map<string, number>();
      for (const [name, clusters] of [
        ['add', two],
        ['remove', one],
        ['add', two],
        ['remove', one],
      ] as const) {
        const since = sandbox.emulator.requests().length;
        await apply(configFor(sandbox, clusters));
        const firstWrite = await firstWriteSince(since);
        const measured = await converge(clusters, 60_000);
        expect(measured.problems).toEqual([]);
        spanMs.set(name, Date.now() - firstWrite);
      }

      const random = seededRandom(SEED);
      const failures: string[] = [];
      const points: string[] = [];
      const convergeMs: number[] = [];
      let kills = 0;
      let trial = 0;
      while (kills < MID_RECONCILE_KILLS && trial < MAX_TRIALS) {
        trial++;
        const adding = trial % 2 === 1;
        const target = adding ? two : one;
        const leader = await currentLeader();
        const since = sandbox.emulator.requests().length;
        const applied = Date.now();
        await apply(configFor(sandbox, target));
        const firstWrite = await firstWriteSince(since);
        const delayMs = Math.round(random() * spanMs.get(adding ? 'add' : 'remove')! * 0.9);
        await sleep(firstWrite + delayMs - Date.now());
        const killedAt = Date.now();
        await leader.kill();
        replicas.splice(replicas.indexOf(leader), 1);
        const writesBefore = sandbox
          .mutatingSince(since)
          .filter((entry) => Date.parse(entry.time) <= killedAt)
          .map((entry) => entry.action);
        // The replacement starts while the survivor waits out the Lease.
        const [result] = await Promise.all([converge(target, CONVERGE_BOUND_MS), replica()]);
        const mid = writesBefore.length > 0 && !finishedSince(leader, applied);
        if (mid) {
          kills++;
          convergeMs.push(result.ms);
        }
        points.push(
          `${adding ? '+' : '-'}${delayMs}/${mid ? writesBefore[writesBefore.length - 1] : writesBefore.length > 0 ? 'after the end' : 'before any write'}`,
        );
        if (result.problems.length > 0)
          failures.push(
            `trial ${trial} (${adding ? 'add' : 'remove'} ${c2}, killed ${delayMs} ms after its first write, seed ${SEED}): ${result.problems.join('; ')}`,
          );
      }
      const sorted = [...convergeMs].sort((a, b) => a - b);
      console.log(
        `controller leader kills: ${trial} trials, ${kills} mid-reconcile, ${failures.length} failures (seed ${SEED}); ` +
          `unkilled reconcile: add ${spanMs.get('add')} ms, remove ${spanMs.get('remove')} ms; ` +
          `kill to converged: median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms\n` +
          `kill points (+add/-remove, ms after the change's first write / last write the cloud saw before the kill): ${points.join(', ')}`,
      );
      expect(failures).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(MID_RECONCILE_KILLS);
    },
    8 * 60_000,
  );
});
