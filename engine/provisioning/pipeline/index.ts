/**
 * The one reconcile every caller runs (the plugin's commands and the controller): it reads top to
 * bottom as its phases, observe → plan → act → report, each in its own module here. A command edits
 * the spec, calls this, and prints; the controller calls it on every change and resync.
 *
 * Everything the process owns comes in as the context: the cloud (cancelled by the caller's signal),
 * the store in front of the API server, the deadline, the progress sink and the wording of advice.
 */
import type { StoredConfig } from '../../kube/store';
import { specClusters, specRevision } from '../spec-edit';
import { defaultWaitPolicy } from '../waits';
import { act } from './act';
import type { ReconcileContext, ReconcileOptions, ReconcileOutcome, ReconcileScope, RunSettings } from './context';
import { failuresOf } from './failures';
import { awaitMembership, observeMembership, readMesh, verdictsFor } from './mesh-membership';
import { observe } from './observe';
import { plan } from './plan';
import { reportStarted, reportStopped, writeRunStatus } from './report';

export type { ReconcileContext, ReconcileOptions, ReconcileOutcome, ReconcileScope, RunSettings } from './context';

function clustersInScope(config: StoredConfig, scope: ReconcileScope): string[] {
  return scope === 'all' ? specClusters(config).map((cluster) => cluster.clusterId) : scope.clusterIds;
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
  await reportStarted(context.store, config);
  try {
    return await phases(context, config, scope, options);
  } catch (error) {
    if (!context.signal.aborted) await reportStopped(context.store, error);
    throw error;
  }
}

async function phases(
  context: ReconcileContext,
  config: StoredConfig,
  scope: ReconcileScope,
  options: ReconcileOptions,
): Promise<ReconcileOutcome> {
  const { progress, store, advice } = context;
  const settings = runSettings(context, options);
  const clusterIds = clustersInScope(config, scope);
  const generation = config.metadata.generation;
  const sanSync = config.spec.sanSync ?? 'Enabled';

  // Observe.
  const membership =
    options.membership ??
    (clusterIds.length > 0
      ? await observeMembership(context, options.meshId, clusterIds, { addToMesh: options.addToMesh })
      : undefined);
  const observation = await observe(context.cloud, config, scope, settings);

  // Plan.
  const planned = plan(observation, config, scope, options.meshId);
  const steps = planned.plan.actions.length;
  const toAdd = membership?.toAdd.length ?? 0;

  // Act.
  if (steps > 0 || toAdd > 0) await context.preflight?.();
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
  const acted = await act(context, planned, settings, {
    clusterIds,
    membership,
    revision: specRevision(config),
    sanSync,
  });
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

  // Report.
  const status = await writeRunStatus(store, {
    inventory: executed.inventory,
    facts: observation.facts,
    mesh: meshRead.mesh,
    failures,
    inProgress: !options.wait || executed.report.cancelled,
    generation,
    advice,
    handledRequest: options.handledRequest,
  });
  return {
    config: { ...config, status },
    status,
    failures: failuresOf(failures, clusterIds),
    cancelled: executed.report.cancelled,
    changed: acted.changed,
    changes: acted.changes,
    meshVerdicts: meshRead.mesh ? verdictsFor(meshRead.mesh, seen, clusterIds) : undefined,
    plan: planned.plan,
  };
}
