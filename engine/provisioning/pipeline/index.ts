/**
 * The one reconcile every caller runs (the plugin's commands and the controller): it reads top to
 * bottom as its phases, observe → plan → act → report, each in its own module here. A command edits
 * the spec, calls one of these, and prints; the controller calls `reconcile` on every change and
 * resync. The entry points differ only in the phases they leave out: `dryRun` stops after plan,
 * `sanSync` acts on the SANs alone, `refresh` acts on nothing.
 *
 * Everything the process owns comes in as the context: the cloud (cancelled by the caller's signal),
 * the store in front of the API server, the deadline, the progress sink and the wording of advice.
 */
import type { ASMPvlConfig } from '../../../core';
import type { StoredConfig } from '../../kube/store';
import type { Advice } from '../advice';
import type { ProvisioningCloud } from '../cloud-port';
import type { Plan } from '../model';
import { specClusters, specRevision } from '../spec-edit';
import type { AsmPvlStatus, RecordedFailure } from '../status';
import { defaultWaitPolicy } from '../waits';
import { Acting, type SanRun, syncSans } from './act';
import type { ReconcileContext, ReconcileOptions, ReconcileOutcome, ReconcileScope, RunSettings } from './context';
import { checkDrift } from './drift';
import { failuresOf } from './failures';
import { awaitMembership, type Membership, observeMembership, readMesh, verdictsFor } from './mesh-membership';
import { type ClusterObserved, type Observation, observe, observeForStatus } from './observe';
import { plan, planCluster, type PlannedRun } from './plan';
import { reportStarted, reportStopped, writeRunStatus } from './report';
import { resultOf } from './result';

export type { ReconcileContext, ReconcileOptions, ReconcileOutcome, ReconcileScope, RunSettings } from './context';
export type { ReconcileResult } from './result';

const NO_PLAN: Plan = { actions: [], known: [] };

/** The clusters a run names: every cluster of the spec, or those of the scope. */
function clustersInScope(config: ASMPvlConfig, scope: ReconcileScope): string[] {
  return scope === 'all' ? specClusters(config).map((cluster) => cluster.clusterId) : scope.clusterIds;
}

/**
 * The clusters of the scope the spec lists, which the run provisions (membership, SANs, the mesh's
 * verdict); a cluster of the scope the spec no longer lists is only torn down.
 */
function clustersProvisioned(config: ASMPvlConfig, scope: ReconcileScope): string[] {
  const listed = specClusters(config).map((cluster) => cluster.clusterId);
  return clustersInScope(config, scope).filter((clusterId) => listed.includes(clusterId));
}

function runSettings(context: ReconcileContext, options: ReconcileOptions): RunSettings {
  return {
    meshId: options.meshId,
    pilotLoadBalancerId: options.pilotLoadBalancerId,
    deadline: context.deadline,
    waits: context.waits ?? defaultWaitPolicy,
    signal: context.signal,
    wait: options.wait,
    progress: context.progress,
    reportCloud: context.reportCloud,
  };
}

/**
 * Reconciles the cloud with `config` for the clusters in `scope`: membership, plan, execute, SAN
 * sync, the mesh's verdict, and the status. Failures of steps are recorded in the status and the
 * outcome, not thrown; it throws only for what stops it before anything changes (bad input, the
 * mesh unreadable, a cluster the mesh lacks when adding is not allowed).
 */
export async function reconcile(
  context: ReconcileContext,
  config: StoredConfig,
  scope: ReconcileScope,
  options: ReconcileOptions,
): Promise<ReconcileOutcome> {
  if (options.driftCheck) {
    const converged = await stillConverged(context, config, options.meshId, options.driftCheck.onDrift);
    if (converged) return converged;
  }
  await reportStarted(context.store, config);
  try {
    return await phases(context, config, scope, options);
  } catch (error) {
    if (!context.signal.aborted) await reportStopped(context.store, error);
    throw error;
  }
}

/** The drift check's answer when nothing is off; a failed look is no answer (the full run follows). */
async function stillConverged(
  context: ReconcileContext,
  config: StoredConfig,
  meshId: string,
  onDrift: ((drift: string) => void) | undefined,
): Promise<ReconcileOutcome | undefined> {
  try {
    const check = await checkDrift(context.cloud, meshId, clustersInScope(config, 'all'));
    if (check.drift) onDrift?.(check.drift);
    if (!check.converged || !config.status) return undefined;
    return {
      config,
      status: config.status,
      failures: [],
      cancelled: false,
      held: false,
      changed: false,
      changes: [],
      plan: NO_PLAN,
      stoppedBefore: 'converged',
      result: {},
    };
  } catch {
    return undefined;
  }
}

/**
 * Observe and plan, shared by every entry point that plans. `onCluster` is told of each cluster in
 * scope as soon as its own facts are in, before the whole plan is made.
 */
async function observeAndPlan(
  cloud: ProvisioningCloud,
  config: ASMPvlConfig,
  scope: ReconcileScope,
  settings: Pick<RunSettings, 'meshId' | 'pilotLoadBalancerId'>,
  onCluster?: (observed: ClusterObserved) => void,
): Promise<PlannedRun> {
  const observation = await observe(cloud, config, scope, settings, onCluster);
  return plan(observation, config, scope, settings.meshId);
}

async function phases(
  context: ReconcileContext,
  config: StoredConfig,
  scope: ReconcileScope,
  options: ReconcileOptions,
): Promise<ReconcileOutcome> {
  const { progress, store, advice } = context;
  const settings = runSettings(context, options);
  const named = clustersInScope(config, scope);
  const clusterIds = clustersProvisioned(config, scope);
  const generation = config.metadata.generation;
  const sanSync = config.spec.sanSync ?? 'Enabled';

  // Observe and plan; unless the plan waits for approval, act starts meanwhile: each cluster's
  // steps as soon as its own facts are in, beside the discovery of the others.
  const membership: Membership | undefined =
    options.membership ??
    (clusterIds.length > 0
      ? await observeMembership(context, options.meshId, clusterIds, { addToMesh: options.addToMesh })
      : undefined);
  const acting = new Acting(context, settings, { clusterIds, membership, revision: specRevision(config), sanSync });
  const early = options.proceed
    ? undefined
    : (observed: ClusterObserved) => acting.add(planCluster(observed, config, options.meshId), observed.facts);
  const planned = await observeAndPlan(context.cloud, config, scope, settings, early);
  const { observation } = planned;
  if (options.proceed && !options.proceed(planned)) return declined(config, planned);
  const steps = planned.plan.actions.length;
  const toAdd = membership?.toAdd.length ?? 0;

  // Act: the whole plan adds what the clusters' own steps lack.
  if (steps > 0 || toAdd > 0) await acting.preflight();
  progress.info(steps === 0 ? 'the cloud already matches the spec: nothing to change' : `${steps} step(s) to run`);
  if (steps > 0) {
    await writeRunStatus(store, {
      inventory: observation.inventory,
      facts: observation.facts,
      failures: [],
      inProgress: true,
      generation,
      advice,
    });
  }
  const acted = await acting.finish(planned);
  const { executed } = acted;
  const seen = { inventory: executed.inventory, facts: observation.facts };
  // Nothing changed since the first read of the mesh: that read still tells the truth.
  const unchanged = toAdd === 0 && steps === 0 && !acted.sansAppended;
  const linkFailures = failuresOf(acted.failures, clusterIds).length > 0;
  const meshRead =
    executed.report.cancelled || clusterIds.length === 0
      ? await readMesh(context.reportCloud, options.meshId)
      : await awaitMembership(
          context,
          {
            meshId: options.meshId,
            wait: options.wait && options.awaitMesh && !linkFailures,
            sanSyncDisabled: sanSync === 'Disabled',
          },
          seen,
          clusterIds,
          unchanged ? membership?.before : undefined,
        );
  const failures = [...acted.failures, ...meshRead.failures];
  const edited = await options.afterAct?.(acted);

  // Report.
  const status = await writeRunStatus(store, {
    inventory: executed.inventory,
    facts: observation.facts,
    mesh: meshRead.mesh,
    failures,
    inProgress: !options.wait || executed.report.cancelled || acted.held,
    generation: edited?.metadata.generation ?? generation,
    advice,
    handledRequest: options.handledRequest,
  });
  const relevant = failuresOf(failures, named);
  return {
    config: { ...(edited ?? config), status },
    status,
    failures: relevant,
    cancelled: executed.report.cancelled,
    held: acted.held,
    changed: acted.changed,
    changes: acted.changes,
    meshVerdicts: meshRead.mesh ? verdictsFor(meshRead.mesh, seen, clusterIds) : undefined,
    plan: planned.plan,
    observation,
    result: resultOf({
      cancelled: executed.report.cancelled,
      failures: relevant,
      status: status.status,
      held: acted.held,
      progressingRequeueMs: options.progressingRequeueMs,
    }),
  };
}

function declined(config: StoredConfig, planned: PlannedRun): ReconcileOutcome {
  return {
    config,
    status: config.status ?? {},
    failures: [],
    cancelled: false,
    held: false,
    changed: false,
    changes: [],
    plan: planned.plan,
    observation: planned.observation,
    stoppedBefore: 'declined',
    result: {},
  };
}

/** The phases `--dry-run` runs: observe and plan, changing and writing nothing. */
export function dryRun(
  cloud: ProvisioningCloud,
  config: ASMPvlConfig,
  scope: ReconcileScope,
  options: Pick<ReconcileOptions, 'meshId' | 'pilotLoadBalancerId'>,
): Promise<PlannedRun> {
  return observeAndPlan(cloud, config, scope, options);
}

export interface SanSyncOutcome {
  status?: AsmPvlStatus;
  san: SanRun;
  /** Failures that concern the clusters asked for (or everything). */
  failures: RecordedFailure[];
}

/**
 * The SANs alone: observe what a status needs (no plan: nothing of PrivateLink changes), act by
 * appending each Connected cluster's domain to its certificate SANs, report. With `dryRun` the
 * appends are only named and nothing is written.
 */
export async function sanSync(
  context: ReconcileContext,
  config: StoredConfig,
  clusterIds: string[],
  options: { meshId: string; dryRun: boolean },
): Promise<SanSyncOutcome> {
  const { store, advice } = context;
  // Observe.
  const observation = await observeForStatus(context.cloud, config, options.meshId);
  // Act.
  const san = await syncSans(context.cloud, observation.inventory, observation.facts, clusterIds, {
    ...runSettings(context, { meshId: options.meshId, wait: true, addToMesh: false, awaitMesh: false }),
    dryRun: options.dryRun,
    revision: specRevision(config),
  });
  const failures = [...observation.failures, ...san.failures];
  if (options.dryRun) return { san, failures: failuresOf(failures, clusterIds) };
  // After the SANs changed, the mesh's verdict may have too: one read for the status.
  const meshRead = await readMesh(context.reportCloud, options.meshId);
  // Report.
  const status = await writeRunStatus(store, {
    inventory: observation.inventory,
    facts: observation.facts,
    mesh: meshRead.mesh,
    failures: [...failures, ...meshRead.failures],
    inProgress: false,
    generation: config.metadata.generation,
    advice,
  });
  return { status, san, failures: failuresOf(failures, clusterIds) };
}

/**
 * `status --refresh`: observe (our resources by tags, each cluster's SANs, the mesh's view of its
 * clusters) and report, acting on nothing. Takes no lease: the status write is optimistic, so it
 * never overwrites a concurrent one.
 */
export async function refresh(
  context: Pick<ReconcileContext, 'store' | 'cloud'> & { advice?: Advice },
  config: StoredConfig,
  options: { meshId: string; concurrency?: number },
): Promise<AsmPvlStatus> {
  // Observe.
  const [observation, meshRead]: [Observation, Awaited<ReturnType<typeof readMesh>>] = await Promise.all([
    observeForStatus(context.cloud, config, options.meshId, options.concurrency),
    readMesh(context.cloud, options.meshId),
  ]);
  // Report.
  return writeRunStatus(context.store, {
    inventory: observation.inventory,
    facts: observation.facts,
    mesh: meshRead.mesh,
    failures: [...observation.failures, ...meshRead.failures],
    inProgress: false,
    generation: config.metadata.generation,
    advice: context.advice,
  });
}
