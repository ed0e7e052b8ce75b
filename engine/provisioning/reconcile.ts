/**
 * The one reconcile entry point the plugin's commands and the controller both run: for the clusters
 * in scope, make the mesh list them, plan and execute the PrivateLink steps, wait, sync the SANs,
 * hear the mesh's verdict, and write the status. A command edits the spec, calls this, and prints;
 * the controller calls it on every change and resync.
 *
 * Everything the process owns comes in as the context: the cloud (cancelled by the caller's signal),
 * the store in front of the API server, the deadline, the progress sink and the wording of advice.
 */
import type { MeshCluster } from '../cloud/mesh';
import type { ConfigStore, StoredConfig } from '../kube/store';
import type { Progress } from '../progress';
import type { Advice } from './advice';
import type { ProvisioningCloud } from './cloud-port';
import { describeCause, needsChange, ProvisioningInputError, StepError } from './errors';
import type { StepOutcome } from './executor';
import { type ClusterMeshVerdict, explainVerdict, meshVerdicts } from './mesh-verdict';
import type { PlanScope } from './model';
import {
  connectedDomains,
  StepLines,
  type ExecutedRun,
  executeRun,
  type MeshView,
  planRun,
  readMesh,
  recordFailure,
  type RunHooks,
  type RunSettings,
  type SanRun,
  syncSanDomains,
  syncSans,
  writeRunStatus,
} from './run';
import { decideSanAppend } from './san-sync';
import { specClusters, specRevision } from './spec-edit';
import { type AsmPvlStatus, failedRunStatus, linkViews, type RecordedFailure, startedConditions } from './status';
import { type Deadline, defaultWaitPolicy, pollUntil, type WaitPolicy, WaitTimeoutError } from './waits';

/** What one reconcile runs with; the caller (command or controller) owns every part of it. */
export interface ReconcileContext {
  store: ConfigStore;
  /** Cancelled by the caller's signal (Ctrl-C, SIGTERM, a lost leadership). */
  cloud: ProvisioningCloud;
  /** Never cancelled: after a cancel the run still reads what the cloud holds, for a truthful status. */
  reportCloud: ProvisioningCloud;
  deadline: Deadline;
  signal: AbortSignal;
  progress: Progress;
  advice: Advice;
  waits?: WaitPolicy;
  /**
   * Checks, changing nothing, that the credentials may make every write a run can make; throws a
   * ProvisioningInputError naming each denied RAM action. Called once a run knows it will change
   * something, before the first change, so a missing permission leaves nothing half-done.
   */
  preflight?(): Promise<void>;
}

export interface ReconcileOptions {
  meshId: string;
  pilotLoadBalancerId?: string;
  /** False with --no-wait: make each change and move on. */
  wait: boolean;
  /** False with --no-add-to-mesh: a cluster the mesh lacks stops the run before anything changes. */
  addToMesh: boolean;
  /**
   * Wait (within the deadline) for the mesh to report the clusters running. The plugin does; the
   * controller reads the mesh once and comes back later instead of holding its worker.
   */
  awaitMesh: boolean;
  /** The mesh's clusters as already read (connect reads them before it edits the spec). */
  membership?: Membership;
  /** Recorded as status.lastHandledReconcileAt with the final status (a request the caller answered). */
  handledRequest?: string;
}

/** Which clusters a run acts on: every cluster of the spec (and the removal of any other), or these. */
export type ReconcileScope = PlanScope;

export interface ReconcileOutcome {
  config: StoredConfig;
  status: AsmPvlStatus;
  /** Failures that concern the clusters in scope (or everything). */
  failures: RecordedFailure[];
  cancelled: boolean;
  /** Whether the cloud or the mesh was changed. */
  changed: boolean;
  /** One line per change made, for Events and summaries. */
  changes: string[];
  /** The mesh's verdict on each cluster in scope, as last read. */
  meshVerdicts?: ClusterMeshVerdict[];
}

/** The mesh's clusters before the run, and which of the clusters in scope it lacks. */
export interface Membership {
  before: MeshView;
  toAdd: string[];
}

function clustersInScope(config: StoredConfig, scope: ReconcileScope): string[] {
  return scope === 'all' ? specClusters(config).map((cluster) => cluster.clusterId) : scope.clusterIds;
}

/**
 * The vendor's guide starts by adding the cluster to the mesh: a cluster the mesh does not list is
 * added by the run, or, when adding is not allowed, stops it before anything changes.
 */
export async function checkMembership(
  context: Pick<ReconcileContext, 'cloud' | 'progress'>,
  meshId: string,
  clusterIds: string[],
  options: { addToMesh: boolean; dryRun?: boolean },
): Promise<Membership> {
  const { progress } = context;
  const step = `read the clusters of service mesh ${meshId} (ASM DescribeClustersInServiceMesh)`;
  progress.start(step);
  let clusters: MeshCluster[];
  try {
    clusters = await context.cloud.describeMeshClusters(meshId);
  } catch (error) {
    progress.fail(describeCause(error));
    throw new StepError(step, error);
  }
  const toAdd = clusterIds.filter((clusterId) => !clusters.some((cluster) => cluster.clusterId === clusterId));
  const listed = clusterIds
    .filter((clusterId) => !toAdd.includes(clusterId))
    .map(
      (clusterId) => `${clusterId} ${clusters.find((cluster) => cluster.clusterId === clusterId)?.state ?? 'listed'}`,
    );
  progress.succeed([...listed, ...toAdd.map((clusterId) => `${clusterId} not in the mesh`)].join('; ') || 'none');
  if (toAdd.length > 0 && !options.addToMesh) {
    const names = toAdd.join(', ');
    throw new ProvisioningInputError(
      `${toAdd.length === 1 ? 'cluster' : 'clusters'} ${names} ${toAdd.length === 1 ? 'is' : 'are'} not in service mesh ${meshId}, and --no-add-to-mesh was given: nothing was changed. ` +
        `Add ${toAdd.length === 1 ? 'it' : 'them'} in the ASM console (the mesh's Kubernetes clusters page), or run connect without --no-add-to-mesh.`,
    );
  }
  for (const clusterId of toAdd)
    progress.info(
      `cluster ${clusterId} is not in service mesh ${meshId}: ${options.dryRun ? 'it would be added' : 'adding it'}`,
    );
  return { before: { meshId, clusters }, toAdd };
}

/**
 * AddClusterIntoServiceMesh for each cluster the mesh lacks, side by side (the cloud paces them);
 * a failure is recorded, not thrown.
 */
async function addToMesh(
  context: ReconcileContext,
  meshId: string,
  clusterIds: string[],
): Promise<{ failures: RecordedFailure[]; added: string[] }> {
  const failures: RecordedFailure[] = [];
  const added = new Map<string, string>();
  const lines = new StepLines(context.progress);
  await Promise.all(
    clusterIds.map(async (clusterId) => {
      const step = `add cluster ${clusterId} to service mesh ${meshId} (ASM AddClusterIntoServiceMesh)`;
      lines.begin(`mesh/${clusterId}`, step);
      try {
        const answer = await context.cloud.addClusterToMesh(meshId, clusterId);
        if (!answer.alreadyMember) added.set(clusterId, step);
        lines.end(`mesh/${clusterId}`, step, {
          detail: answer.alreadyMember
            ? 'it was already there'
            : `added${answer.requestId ? ` (request id ${answer.requestId})` : ''}`,
        });
      } catch (error) {
        const failure = new StepError(step, error, clusterId);
        lines.end(`mesh/${clusterId}`, step, { failed: failure.message });
        failures.push(recordFailure('mesh', failure, clusterId));
      }
    }),
  );
  // In the order asked, whatever order the answers came in.
  return { failures, added: clusterIds.flatMap((clusterId) => added.get(clusterId) ?? []) };
}

/**
 * The last word is the mesh's: wait (bounded by the deadline) until it runs each cluster, except the
 * ones our own observation says it cannot run yet (a link or the SAN missing: waiting would not
 * help). A converged run whose first read already showed them running costs no further call.
 */
async function awaitMesh(
  context: ReconcileContext,
  options: { meshId: string; wait: boolean },
  executed: ExecutedRun,
  clusterIds: string[],
  reuse: MeshView | undefined,
  sanSyncDisabled: boolean,
): Promise<{ mesh?: MeshView; failures: RecordedFailure[] }> {
  const { meshId } = options;
  const { progress, advice } = context;
  const verdictsOf = (clusters: MeshCluster[]) => verdictsFor({ meshId, clusters }, executed, clusterIds);
  const settled = (clusters: MeshCluster[]) =>
    verdictsOf(clusters).every(
      (verdict) =>
        verdict.phase === 'running' ||
        verdict.phase === 'notInMesh' ||
        (verdict.phase !== 'joining' && verdict.gaps.length > 0),
    );
  if (reuse && verdictsOf(reuse.clusters).every((verdict) => verdict.phase === 'running'))
    return { mesh: reuse, failures: [] };
  if (!options.wait) return readMesh(context.reportCloud, meshId);
  const step = `wait for service mesh ${meshId} to report ${clusterIds.join(', ')} running (ASM DescribeClustersInServiceMesh)`;
  progress.start(step);
  let clusters: MeshCluster[];
  try {
    clusters = await pollUntil(() => context.cloud.describeMeshClusters(meshId), settled, {
      deadline: context.deadline,
      waits: context.waits ?? defaultWaitPolicy,
      signal: context.signal,
      what: `service mesh ${meshId} to report ${clusterIds.join(', ')} running`,
      describe: (seen) =>
        clusterIds
          .map(
            (clusterId) =>
              `${clusterId} ${seen.find((cluster) => cluster.clusterId === clusterId)?.state ?? 'not in the mesh'}`,
          )
          .join(', '),
    });
  } catch (error) {
    const failure = new StepError(step, error);
    progress.fail(describeCause(error));
    if (!(error instanceof WaitTimeoutError)) return { failures: [recordFailure('mesh', failure)] };
    return {
      ...(await readMesh(context.reportCloud, meshId)),
      failures: clusterIds.map((clusterId) => recordFailure('mesh', new StepError(step, error, clusterId), clusterId)),
    };
  }
  const verdicts = verdictsOf(clusters);
  const notRunning = verdicts.filter((verdict) => verdict.phase !== 'running');
  if (notRunning.length === 0)
    progress.succeed(verdicts.map((verdict) => `${verdict.clusterId} ${verdict.state ?? 'running'}`).join(', '));
  else progress.fail(notRunning.map((verdict) => explainVerdict(verdict, meshId, advice)).join('; '));
  // With spec.sanSync Disabled the SAN is the user's to add: a cluster lacking only that is expected.
  const leftToUser = (verdict: ClusterMeshVerdict) =>
    sanSyncDisabled && verdict.gaps.length > 0 && verdict.gaps.every((gap) => gap.gap === 'san');
  for (const verdict of notRunning.filter(leftToUser))
    progress.info(
      `spec.sanSync is Disabled: service mesh ${meshId} will run ${verdict.clusterId} once its certificate SANs list the endpoint domain`,
    );
  const failures = notRunning
    .filter((verdict) => !leftToUser(verdict))
    .map((verdict) => ({
      area: 'mesh' as const,
      clusterId: verdict.clusterId,
      reason: 'MeshNotRunning',
      message: `service mesh ${meshId} does not run ${explainVerdict(verdict, meshId, advice)}. Next: ${advice.diagnose}.`,
    }));
  return { mesh: { meshId, clusters }, failures };
}

// Steps that only wait change nothing; every other step that ran made a change.
const changeOf = (outcome: StepOutcome): string | undefined =>
  (outcome.state === 'done' || outcome.state === 'started') && !outcome.action.kind.startsWith('await')
    ? outcome.action.description
    : undefined;

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
  // kstatus reads a spec the status does not answer yet as InProgress only once it says so: say it
  // before the first cloud call, not minutes later with the first computed status.
  if (config.status?.observedGeneration !== config.metadata.generation) {
    await context.store.writeStatus((current) => ({
      ...(current.status ?? {}),
      conditions: startedConditions(current.status, current.metadata.generation, new Date()),
    }));
  }
  try {
    return await runReconcile(context, config, scope, options);
  } catch (error) {
    if (!context.signal.aborted) await reportStopped(context.store, error);
    throw error;
  }
}

/**
 * A run that stopped before it could compute a status says why in the status (Ready False, and
 * Stalled or Reconciling), so neither a person nor a GitOps tool reads the run as still under way.
 */
async function reportStopped(store: ConfigStore, error: unknown): Promise<void> {
  const failure: RecordedFailure = {
    area: 'discovery',
    reason: 'ReconcileFailed',
    message: describeCause(error),
    ...(needsChange(error) ? { needsChange: true } : {}),
  };
  try {
    await store.writeStatus((current) =>
      failedRunStatus(current.status, failure, current.metadata.generation, new Date()),
    );
  } catch {
    // The error thrown to the caller is the news; a status it cannot write is written by the next run.
  }
}

async function runReconcile(
  context: ReconcileContext,
  config: StoredConfig,
  scope: ReconcileScope,
  options: ReconcileOptions,
): Promise<ReconcileOutcome> {
  const { progress, store, advice } = context;
  const clusterIds = clustersInScope(config, scope);
  const membership =
    options.membership ??
    (clusterIds.length > 0
      ? await checkMembership(context, options.meshId, clusterIds, { addToMesh: options.addToMesh })
      : undefined);
  const settings: RunSettings = {
    meshId: options.meshId,
    pilotLoadBalancerId: options.pilotLoadBalancerId,
    deadline: context.deadline,
    waits: context.waits ?? defaultWaitPolicy,
    signal: context.signal,
    wait: options.wait,
    progress,
    reportCloud: context.reportCloud,
  };
  const revision = specRevision(config);
  const generation = config.metadata.generation;
  const planned = await planRun(context.cloud, config, scope, settings);
  const steps = planned.plan.actions.length;
  if (steps > 0 || (membership?.toAdd.length ?? 0) > 0) await context.preflight?.();
  progress.info(steps === 0 ? 'the cloud already matches the spec: nothing to change' : `${steps} step(s) to run`);
  if (steps > 0) {
    await writeRunStatus(store, {
      inventory: planned.observation.inventory,
      facts: planned.observation.facts,
      failures: [],
      inProgress: true,
      generation,
      advice,
    });
  }
  const sanSync = config.spec.sanSync ?? 'Enabled';
  const syncing = options.wait && sanSync === 'Enabled';
  // A cluster's SANs are synced as soon as its API-server link is Connected, beside the steps of
  // the other clusters (one sync per cluster per run); the rest once the steps are over.
  const early = new Map<string, Promise<SanRun>>();
  const hooks: RunHooks = {
    onApiServerConnected: (clusterId, domain) => {
      if (!syncing || !clusterIds.includes(clusterId) || early.has(clusterId)) return;
      const domains = new Map([[clusterId, domain]]);
      early.set(
        clusterId,
        syncSanDomains(context.cloud, domains, planned.observation.facts, { ...settings, revision }),
      );
    },
  };
  // No PrivateLink step needs the mesh to list the cluster: the adds run beside the steps.
  const [meshAdds, executed] = await Promise.all([
    addToMesh(context, options.meshId, membership?.toAdd ?? []),
    executeRun(context.cloud, planned, revision, settings, hooks),
  ]);
  const failures: RecordedFailure[] = [...meshAdds.failures, ...executed.failures];
  const changes = [...meshAdds.added, ...executed.report.outcomes.flatMap((outcome) => changeOf(outcome) ?? [])];
  let sansAppended = false;
  if (syncing) {
    // An early sync under way when the run was cancelled still ends (cancelled or done) and is told.
    const runs = await Promise.all(early.values());
    if (!executed.report.cancelled) {
      const rest = clusterIds.filter((clusterId) => !early.has(clusterId));
      runs.push(
        await syncSans(context.cloud, executed.inventory, planned.observation.facts, rest, { ...settings, revision }),
      );
    }
    for (const sans of runs) {
      failures.push(...sans.failures);
      const appended = sans.results.filter((result) => !result.alreadyPresent);
      sansAppended ||= appended.length > 0;
      changes.push(
        ...appended.map(
          (result) => `append ${result.domain} to the API server certificate SANs of ${result.clusterId}`,
        ),
      );
    }
  } else if (sanSync === 'Disabled') {
    for (const [clusterId, domain] of connectedDomains(executed.inventory, clusterIds)) {
      if (decideSanAppend(planned.observation.facts[clusterId]?.certSans ?? [], [domain]).append.length > 0) {
        progress.info(
          `spec.sanSync is Disabled: add ${domain} to the API server certificate SANs of ${clusterId} yourself`,
        );
      }
    }
  }
  // Nothing changed since the first read of the mesh: that read still tells the truth.
  const unchanged = (membership?.toAdd.length ?? 0) === 0 && steps === 0 && !sansAppended;
  const linkFailures = failures.some(
    (failure) => failure.clusterId === undefined || clusterIds.includes(failure.clusterId),
  );
  const meshRead =
    executed.report.cancelled || clusterIds.length === 0
      ? await readMesh(context.reportCloud, options.meshId)
      : await awaitMesh(
          context,
          { meshId: options.meshId, wait: options.wait && options.awaitMesh && !linkFailures },
          executed,
          clusterIds,
          unchanged ? membership?.before : undefined,
          sanSync === 'Disabled',
        );
  failures.push(...meshRead.failures);
  const status = await writeRunStatus(store, {
    inventory: executed.inventory,
    facts: planned.observation.facts,
    mesh: meshRead.mesh,
    failures,
    inProgress: !options.wait || executed.report.cancelled,
    generation,
    advice,
    handledRequest: options.handledRequest,
  });
  const relevant = failures.filter(
    (failure) => failure.clusterId === undefined || clusterIds.includes(failure.clusterId),
  );
  return {
    config: { ...config, status },
    status,
    failures: relevant,
    cancelled: executed.report.cancelled,
    changed: executed.report.changed || meshAdds.added.length > 0 || sansAppended,
    changes,
    meshVerdicts: meshRead.mesh ? verdictsFor(meshRead.mesh, executed, clusterIds) : undefined,
  };
}

/** The mesh's verdict on each of `clusterIds`, against what the run observed. */
function verdictsFor(mesh: MeshView, executed: ExecutedRun, clusterIds: string[]): ClusterMeshVerdict[] {
  const pilot = executed.inventory.services.find((service) => service.link === 'pilot');
  return meshVerdicts({
    clusterIds,
    meshClusters: mesh.clusters,
    links: linkViews(clusterIds, executed.inventory),
    pilotServiceActive: !pilot || pilot.status === 'Active',
    clusterFacts: executed.observation.facts,
  });
}
