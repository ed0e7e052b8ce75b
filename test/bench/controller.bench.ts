/**
 * asmpvl-controller at scale (a section of `npm run bench`): the bundled controller as a local
 * process (as the Deployment runs it) against a real API server and the cloud emulator with its
 * default delays and per-action rate limits. Measures (a) kubectl apply to Available for 1, 10 and
 * 100 clusters against the lower bound provisioning.bench.ts computes, (b) the cloud calls of one
 * resync of a converged system (a reconcile requested by annotation, the calls counted between its
 * start and its status), (c) the time to repair an endpoint deleted behind the controller's back,
 * (d) leader fail-over after SIGKILL of the leader, (e) how soon a spec edit is taken up while the
 * reconcile under way waits on a slow cloud, beside an earlier build when ASMPVL_BENCH_BASELINE_CONTROLLER
 * names its bundle. Nothing asserts on time.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createCloud } from '../../engine/cloud';
import { ANNOTATION_RECONCILE_REQUEST } from '../../engine/provisioning/controller-protocol';
import { DEFAULT_DELAYS, type EmulatorDelays, makeWorld } from '../emulator';
import {
  apply,
  configFor,
  resetControllerState,
  type RunningController,
  startController,
} from '../e2e/controller-sandbox';
import { kubectl, mustSucceed } from '../e2e/harness';
import { inventorySummary, type Sandbox, startSandbox } from '../e2e/provisioning-sandbox';
import { CLOUD_RATE_LIMITS, criticalPathMs, pluginChainMs, rateFloorMs } from './provisioning.bench';
import { withBenchCluster } from './sandbox';

export interface ControllerApplyRow {
  clusters: number;
  /** kubectl apply to status Available for generation 1 (status polled every 250 ms). */
  wallMs: number;
  criticalPathMs: number;
  /** The engine's own chain (SANs only once the link is Connected), as in provisioning.bench.ts. */
  engineChainMs: number;
  rateFloorMs: number;
  lowerBoundMs: number;
  /** wall / lower bound. */
  ratio: number;
  calls: number;
  writes: number;
  /** Answers refused by the emulator's rate limit (each retried by the controller). */
  throttled: number;
  inventoryExact: boolean;
  /** One resync of the converged system: its cloud calls, by action, and how long the reconcile took. */
  resyncCalls: number;
  /** One periodic resync of the converged system (the drift check): its cloud calls. */
  periodicCalls: number;
  periodicByAction: Record<string, number>;
  resyncWrites: number;
  resyncByAction: Record<string, number>;
  resyncMs: number;
}

export interface ControllerBench {
  delays: EmulatorDelays;
  apply: ControllerApplyRow[];
  repair: {
    clusters: number;
    resyncPeriodMs: number;
    /** Delete call answered to status Available with the endpoint back and Connected. */
    totalMs: number;
    /** Delete call answered to the controller's first repair write (waiting for the resync). */
    detectMs: number;
    /** First repair write to repaired (the cloud's create and connect delays). */
    repairMs: number;
  };
  failover: Array<{ leaseDurationMs: number; trials: number[] }>;
  /** (e) This build, then the baseline build when one is named. */
  editWhileWaiting: EditWhileWaiting[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function pollUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs: number, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function availableFor(sandbox: Sandbox, generation?: number): Promise<boolean> {
  const object = await sandbox.object();
  return (
    object?.status?.status === 'Available' &&
    object.status.observedGeneration === object.metadata.generation &&
    (generation === undefined || object.metadata.generation === generation)
  );
}

function exact(sandbox: Sandbox, clusters: string[]): boolean {
  const state = sandbox.inventory();
  const summary = inventorySummary(state);
  const wanted = {
    services: [...clusters.map((id) => `apiserver/${id}`), 'pilot/-'].sort(),
    endpoints: clusters.flatMap((id) => [`apiserver/${id}`, `pilot/${id}`]).sort(),
  };
  return (
    JSON.stringify(summary) === JSON.stringify(wanted) &&
    state.endpointServices.length === clusters.length + 1 &&
    state.endpoints.length === 2 * clusters.length &&
    state.connections.every((connection) => connection.connectionStatus === 'Connected')
  );
}

async function leaderOf(replicas: RunningController[], timeoutMs = 60_000): Promise<RunningController> {
  let found: RunningController | undefined;
  await pollUntil(
    async () => {
      for (const replica of replicas)
        if ((await replica.metric('asmpvl_controller_leader').catch(() => 0)) === 1) found = replica;
      return found !== undefined;
    },
    'a leader',
    timeoutMs,
    50,
  );
  return found!;
}

/** Asks for a reconcile by annotation and waits until the status answers it; the calls it made. */
async function requestedResync(sandbox: Sandbox, controller: RunningController) {
  const token = `${new Date().toISOString()}/${randomUUID().slice(0, 8)}`;
  const before = await controller.metric('asmpvl_controller_reconciles_total');
  const since = sandbox.emulator.requests().length;
  const started = performance.now();
  await mustSucceed(
    kubectl(['annotate', 'asmpvlconfig', 'default', `${ANNOTATION_RECONCILE_REQUEST}=${token}`, '--overwrite']),
    'kubectl annotate',
  );
  await pollUntil(
    async () => {
      const object = (await sandbox.object()) as { status?: { lastHandledReconcileAt?: string } } | undefined;
      return (
        object?.status?.lastHandledReconcileAt === token &&
        (await controller.metric('asmpvl_controller_reconciles_total')) > before
      );
    },
    'the requested reconcile',
    5 * 60_000,
    50,
  );
  const ms = performance.now() - started;
  const log = sandbox.emulator.requests().slice(since);
  const byAction: Record<string, number> = {};
  for (const entry of log) byAction[entry.action] = (byAction[entry.action] ?? 0) + 1;
  return { ms, calls: log.length, writes: log.filter((entry) => entry.mutating).length, byAction };
}

// The apply bench's controllers resync this often, so one periodic resync (the drift check) is measured too.
const PERIODIC_RESYNC_S = 15;

/** The next periodic resync of the converged system: the cloud calls until the reconcile count moves. */
async function periodicResync(sandbox: Sandbox, controller: RunningController) {
  const before = await controller.metric('asmpvl_controller_reconciles_total');
  const since = sandbox.emulator.requests().length;
  await pollUntil(
    async () => (await controller.metric('asmpvl_controller_reconciles_total')) > before,
    'the next periodic resync',
    (PERIODIC_RESYNC_S + 30) * 1000,
    50,
  );
  const log = sandbox.emulator.requests().slice(since);
  const byAction: Record<string, number> = {};
  for (const entry of log) byAction[entry.action] = (byAction[entry.action] ?? 0) + 1;
  return { calls: log.length, byAction };
}

async function benchApply(clusters: number, delays: EmulatorDelays): Promise<ControllerApplyRow> {
  const sandbox = await startSandbox(delays, {
    world: makeWorld({ clusters, seed: clusters }),
    rateLimits: CLOUD_RATE_LIMITS,
  });
  const replicas: RunningController[] = [];
  try {
    await sandbox.deleteObject();
    await resetControllerState();
    replicas.push(await startController(sandbox, { resyncPeriod: `${PERIODIC_RESYNC_S}s` }));
    await leaderOf(replicas);
    const ids = sandbox.allClusters;
    const started = performance.now();
    await apply(configFor(sandbox, ids));
    await pollUntil(() => availableFor(sandbox, 1), `Available with ${clusters} cluster(s)`, 20 * 60_000);
    const wallMs = performance.now() - started;
    const log = sandbox.emulator.requests();
    const joinsMesh = log.some((entry) => entry.action === 'AddClusterIntoServiceMesh');
    const critical = criticalPathMs(delays, joinsMesh);
    const floor = rateFloorMs(log, CLOUD_RATE_LIMITS);
    const lowerBound = Math.max(critical, floor);
    const inventoryExact = exact(sandbox, ids);
    const resync = await requestedResync(sandbox, replicas[0]!);
    const periodic = await periodicResync(sandbox, replicas[0]!);
    return {
      clusters,
      wallMs,
      criticalPathMs: critical,
      engineChainMs: pluginChainMs(delays, joinsMesh),
      rateFloorMs: floor,
      lowerBoundMs: lowerBound,
      ratio: wallMs / lowerBound,
      calls: log.length,
      writes: log.filter((entry) => entry.mutating).length,
      throttled: log.filter((entry) => entry.faults?.includes('rate-limit')).length,
      inventoryExact,
      resyncCalls: resync.calls,
      periodicCalls: periodic.calls,
      periodicByAction: periodic.byAction,
      resyncWrites: resync.writes,
      resyncByAction: resync.byAction,
      resyncMs: resync.ms,
    };
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await resetControllerState().catch(() => undefined);
    await sandbox.stop();
  }
}

const RESYNC_PERIOD_MS = 5_000;

/** A deleted endpoint repaired by the next resync, then leader fail-overs, on one 1-cluster system. */
async function benchRepairAndFailover(
  delays: EmulatorDelays,
): Promise<Omit<ControllerBench, 'delays' | 'apply' | 'editWhileWaiting'>> {
  const sandbox = await startSandbox(delays, {
    world: makeWorld({ clusters: 1, seed: 1 }),
    rateLimits: CLOUD_RATE_LIMITS,
  });
  const replicas: RunningController[] = [];
  const start = async (extraArgs: string[] = []) => {
    const started = await startController(sandbox, { resyncPeriod: `${RESYNC_PERIOD_MS / 1000}s`, extraArgs });
    replicas.push(started);
    return started;
  };
  try {
    await sandbox.deleteObject();
    await resetControllerState();
    await start();
    await leaderOf(replicas);
    const ids = sandbox.allClusters;
    await apply(configFor(sandbox, ids));
    await pollUntil(() => availableFor(sandbox, 1), 'Available', 5 * 60_000);

    // (c) an endpoint deleted with the SDK, behind the controller's back.
    const endpoint = sandbox.inventory().endpoints[0]!;
    const cloud = createCloud({
      region: sandbox.emulator.regionId,
      cloudEndpoint: sandbox.emulator.url,
      credentials: sandbox.emulator.credentials,
    });
    await cloud.privateLink.endpoints.deleteVpcEndpoint(endpoint.endpointId, { clientToken: randomUUID() });
    const deleted = Date.now();
    const ownWrites = sandbox.emulator.requests().length;
    await pollUntil(
      async () =>
        !sandbox.inventory().endpoints.some((candidate) => candidate.endpointId === endpoint.endpointId) &&
        exact(sandbox, ids) &&
        (await availableFor(sandbox)),
      'the endpoint repaired',
      5 * 60_000,
      100,
    );
    const repaired = Date.now();
    const firstRepairWrite = sandbox.emulator
      .requests()
      .slice(ownWrites)
      .find((entry) => entry.mutating);
    const firstWriteAt = firstRepairWrite ? Date.parse(firstRepairWrite.time) : repaired;

    // (d) fail-over: a standby, the leader killed, until the standby's leader gauge reads 1.
    const failover: ControllerBench['failover'] = [];
    const leases: Array<{ leaseDurationMs: number; args: string[]; trials: number }> = [
      { leaseDurationMs: 4_000, args: [], trials: 3 },
      {
        leaseDurationMs: 15_000,
        args: ['--lease-duration', '15s', '--renew-deadline', '10s', '--retry-period', '2s'],
        trials: 1,
      },
    ];
    for (const lease of leases) {
      await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
      const trials: number[] = [];
      await start(lease.args);
      for (let trial = 0; trial < lease.trials; trial++) {
        await start(lease.args);
        const leader = await leaderOf(replicas);
        const standby = replicas.find((replica) => replica !== leader)!;
        // Let the leader renew at least once with the standby watching.
        await sleep(1_000);
        await leader.kill();
        const killed = performance.now();
        replicas.splice(replicas.indexOf(leader), 1);
        await pollUntil(
          async () => (await standby.metric('asmpvl_controller_leader').catch(() => 0)) === 1,
          'the standby to lead',
          lease.leaseDurationMs * 3,
          25,
        );
        trials.push(performance.now() - killed);
      }
      failover.push({ leaseDurationMs: lease.leaseDurationMs, trials });
    }
    return {
      repair: {
        clusters: ids.length,
        resyncPeriodMs: RESYNC_PERIOD_MS,
        totalMs: repaired - deleted,
        detectMs: firstWriteAt - deleted,
        repairMs: repaired - firstWriteAt,
      },
      failover,
    };
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await resetControllerState().catch(() => undefined);
    await sandbox.stop();
  }
}

/** Connections that take a minute, as a busy cloud's do: the reconcile under way waits on them. */
const SLOW_CONNECT_MS = 60_000;

export interface EditWhileWaiting {
  /** The controller bundle measured (undefined: this build). */
  bundle?: string;
  /** The edit applied (a second cluster added) to that cluster's first create, per trial. */
  trialsMs: number[];
}

/**
 * (e) One cluster applied; once its links are being connected (a minute each), a second cluster is
 * added to the spec: the time from that edit to the second cluster's first create (its API-server
 * endpoint service). A controller that holds its worker in the wait takes the edit up only after it.
 */
export async function benchEditWhileWaiting(bundle: string | undefined, trials: number): Promise<EditWhileWaiting> {
  const delays = { ...DEFAULT_DELAYS, connectMs: SLOW_CONNECT_MS };
  const trialsMs: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const sandbox = await startSandbox(delays, {
      world: makeWorld({ clusters: 2, seed: 5 }),
      rateLimits: CLOUD_RATE_LIMITS,
    });
    let replica: RunningController | undefined;
    try {
      await sandbox.deleteObject();
      await resetControllerState();
      replica = await startController(sandbox, { leaderElect: false, bundle });
      const [first, second] = sandbox.allClusters;
      await apply(configFor(sandbox, [first!]));
      const connecting = () =>
        sandbox.emulator.requests().some((entry) => entry.action === 'EnableVpcEndpointConnection');
      await pollUntil(connecting, 'the first cluster connecting', 5 * 60_000, 50);
      // The connection takes a minute: the reconcile is now waiting on it.
      await sleep(2_000);
      const before = sandbox.emulator.requests().length;
      const edited = Date.now();
      await apply(configFor(sandbox, [first!, second!]));
      const created = () =>
        sandbox.emulator
          .requests()
          .slice(before)
          .find((entry) => entry.action === 'CreateVpcEndpointService');
      await pollUntil(() => created() !== undefined, 'the second cluster created', 5 * 60_000, 50);
      trialsMs.push(Date.parse(created()!.time) - edited);
    } finally {
      await replica?.stop();
      await resetControllerState().catch(() => undefined);
      await sandbox.stop();
    }
  }
  return { bundle, trialsMs };
}

/** Runs every part against one API server, a fresh emulator world per part. */
export async function benchController(
  options: { sizes?: number[]; delays?: Partial<EmulatorDelays> } = {},
): Promise<ControllerBench> {
  const delays = { ...DEFAULT_DELAYS, ...options.delays };
  const sizes = options.sizes ?? [1, 10, 100];
  return withBenchCluster(async () => {
    const rows: ControllerApplyRow[] = [];
    for (const clusters of sizes) rows.push(await benchApply(clusters, delays));
    const repairAndFailover = await benchRepairAndFailover(delays);
    // ASMPVL_BENCH_BASELINE_CONTROLLER=<bundle>: an earlier build, measured the same way, trial by trial in turn.
    const baseline = process.env.ASMPVL_BENCH_BASELINE_CONTROLLER;
    const editWhileWaiting: EditWhileWaiting[] = [
      { trialsMs: [] },
      ...(baseline ? [{ bundle: baseline, trialsMs: [] }] : []),
    ];
    for (let trial = 0; trial < 2; trial++)
      for (const build of editWhileWaiting)
        build.trialsMs.push(...(await benchEditWhileWaiting(build.bundle, 1)).trialsMs);
    return { delays, apply: rows, ...repairAndFailover, editWhileWaiting };
  });
}

type Table = (rows: Array<Record<string, string | number>>) => string;

/** Runs the section, prints it like the others, and hands back the figures for bench-results.json. */
export async function controllerSection(table: Table): Promise<ControllerBench> {
  console.log(
    '\n6. asmpvl-controller: kubectl apply to Available for N clusters (default delays, per-action rate limits on), one resync of the converged system, repair of a deleted endpoint, leader fail-over',
  );
  const started = performance.now();
  const bench = await benchController();
  const seconds = (ms: number) => ms / 1000;
  console.log(
    table(
      bench.apply.map((row) => ({
        clusters: row.clusters,
        'apply→Available s': seconds(row.wallMs),
        'critical path s': seconds(row.criticalPathMs),
        'rate floor s': seconds(row.rateFloorMs),
        'wall / bound': row.ratio,
        'engine chain s': seconds(row.engineChainMs),
        calls: row.calls,
        writes: row.writes,
        throttled: row.throttled,
        'inventory exact': row.inventoryExact ? 'yes' : 'NO',
        'resync calls': row.resyncCalls,
        'periodic resync calls': row.periodicCalls,
        'resync writes': row.resyncWrites,
        'resync s': seconds(row.resyncMs),
      })),
    ),
  );
  console.log(
    'bound = max(critical path, rate floor); throttled = answers refused by the rate limit, each retried; resync = one reconcile of the converged system requested by annotation (a full pass); periodic resync = the next timed resync (the drift check)',
  );
  for (const row of bench.apply)
    console.log(
      `resync calls by action, ${row.clusters} cluster(s): ${Object.entries(row.resyncByAction)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([action, count]) => `${action} ${count}`)
        .join(', ')}`,
    );
  for (const row of bench.apply)
    console.log(
      `periodic resync calls by action, ${row.clusters} cluster(s): ${Object.entries(row.periodicByAction)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([action, count]) => `${action} ${count}`)
        .join(', ')}`,
    );
  const { repair } = bench;
  console.log(
    `repair of a deleted endpoint (${repair.clusters} cluster, --resync-period ${seconds(repair.resyncPeriodMs)}s): ` +
      `${seconds(repair.totalMs).toFixed(1)} s from the delete to Available again ` +
      `(${seconds(repair.detectMs).toFixed(1)} s until the resync's first write, ${seconds(repair.repairMs).toFixed(1)} s of repair)`,
  );
  for (const { leaseDurationMs, trials } of bench.failover)
    console.log(
      `leader fail-over after SIGKILL, lease ${seconds(leaseDurationMs)} s: ${trials.map((ms) => seconds(ms).toFixed(2)).join(', ')} s (until the standby's asmpvl_controller_leader is 1)`,
    );
  const [ours, earlier] = bench.editWhileWaiting;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  console.log(
    `a spec edit while the reconcile waits on ${seconds(SLOW_CONNECT_MS)} s connections, edit to the new cluster's first create: ` +
      `${ours!.trialsMs.map((ms) => seconds(ms).toFixed(2)).join(', ')} s` +
      (earlier
        ? `; baseline ${earlier.bundle}: ${earlier.trialsMs.map((ms) => seconds(ms).toFixed(2)).join(', ')} s ` +
          `(ratio of medians ${(median(ours!.trialsMs) / median(earlier.trialsMs)).toFixed(3)})`
        : ''),
  );
  console.log(`section wall time: ${seconds(performance.now() - started).toFixed(0)} s`);
  return bench;
}
