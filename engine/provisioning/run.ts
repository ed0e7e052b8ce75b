/**
 * One provisioning run, edge to edge: discover, observe, plan, execute, observe again, sync SANs,
 * and write the status. The commands call these; the decisions are in the pure modules.
 */
import type { ASMPvlConfig } from '../../core';
import { READS_AT_ONCE } from '../concurrency';
import type { ConfigStore } from '../kube/store';
import type { Advice } from './advice';
import type { Progress } from '../progress';
import { clientTokenFor } from './client-token';
import type { MeshCluster } from '../cloud/mesh';
import type { ProvisioningCloud } from './cloud-port';
import { desiredState } from './desired';
import { discoverClusters, discoverMesh } from './discovery';
import { describeCause, needsChange, StepError } from './errors';
import { executePlan, type ExecutionReport, type StepReporter } from './executor';
import { DetailReads, observeInventory } from './inventory';
import {
  type Action,
  type ClusterFacts,
  type DesiredState,
  type Inventory,
  keyName,
  type MeshFacts,
  type Plan,
  type PlanScope,
} from './model';
import { endpointKey, planReconcile, resolveResources, serviceKey } from './planner';
import { decideSanAppend, SanSyncError, type SanSyncResult, syncClusterSans } from './san-sync';
import { specAsmVSwitches, specClusters, specRevision } from './spec-edit';
import { type AsmPvlStatus, buildStatus, type ConditionInput, type RecordedFailure } from './status';
import { type Deadline, defaultWaitPolicy, type WaitPolicy } from './waits';

export interface RunSettings {
  meshId: string;
  pilotLoadBalancerId?: string;
  deadline: Deadline;
  waits?: WaitPolicy;
  signal?: AbortSignal;
  /** False with --no-wait. */
  wait: boolean;
  /** Reads in flight at once (default READS_AT_ONCE, 64); steps have their own bound (STEPS_IN_FLIGHT). */
  concurrency?: number;
  progress: Progress;
  now?: () => Date;
  /** Reads the cloud after the steps (default: the same cloud); one that a Ctrl-C does not cancel. */
  reportCloud?: ProvisioningCloud;
}

/** What the cloud holds and what discovery found, with whatever could not be read. */
export interface Observation {
  mesh?: MeshFacts;
  facts: Record<string, ClusterFacts>;
  inventory: Inventory;
  failures: RecordedFailure[];
}

export interface PlannedRun {
  scope: PlanScope;
  observation: Observation;
  desired?: DesiredState;
  plan: Plan;
}

// A step spends nearly all its time waiting for the cloud (seconds to minutes per transition) and
// the cloud's pacer already bounds the calls (in flight and per action), so the step bound only
// caps memory.
const STEPS_IN_FLIGHT = 256;

/** A failure as the status records it. */
export function recordFailure(area: RecordedFailure['area'], error: unknown, clusterId?: string): RecordedFailure {
  const stepError = error instanceof StepError ? error : undefined;
  return {
    area,
    clusterId: stepError?.clusterId ?? clusterId,
    reason: stepError?.reason ?? (error instanceof Error ? error.name.replace(/Error$/, '') || 'Failed' : 'Failed'),
    message: stepError?.message ?? describeCause(error),
    ...(needsChange(error) ? { needsChange: true } : {}),
  };
}

/**
 * Discovers and observes for `target` (the spec to converge to) and plans the steps for `scope`.
 * Clusters in the scope get their API server load balancer looked up; the others only their detail.
 */
export async function planRun(
  cloud: ProvisioningCloud,
  target: ASMPvlConfig,
  scope: PlanScope,
  settings: RunSettings,
): Promise<PlannedRun> {
  const concurrency = settings.concurrency ?? READS_AT_ONCE;
  const clusters = specClusters(target);
  const clusterIds = clusters.map((cluster) => cluster.clusterId);
  const provisioned = new Set(scope === 'all' ? clusterIds : scope.clusterIds.filter((id) => clusterIds.includes(id)));
  const failures: RecordedFailure[] = [];

  const [mesh, discovery, inventory] = await Promise.all([
    discoverMesh(cloud, settings.meshId, settings.pilotLoadBalancerId).catch((error: unknown) => {
      failures.push(recordFailure('discovery', error));
      return undefined;
    }),
    discoverClusters(cloud, clusterIds, provisioned, concurrency),
    observeInventory(cloud, settings.meshId, { concurrency }),
  ]);
  failures.push(...discovery.failures.map((failure) => recordFailure('discovery', failure)));
  const observation: Observation = { mesh, facts: discovery.facts, inventory, failures };
  if (!mesh) return { scope, observation, plan: { actions: [], known: [] } };

  const desired = desiredState({
    meshId: settings.meshId,
    clusters,
    asmVSwitches: specAsmVSwitches(target),
    mesh,
    clusterFacts: discovery.facts,
  });
  // A cluster that could not be read is left alone: never torn down for lack of facts.
  const readable =
    scope === 'all'
      ? scope
      : {
          clusterIds: scope.clusterIds.filter((id) => !discovery.failures.some((failure) => failure.clusterId === id)),
        };
  return { scope, observation, desired, plan: planReconcile(desired, inventory, readable) };
}

/**
 * Progress for steps that run side by side. The Progress display names the step last started when
 * one ends, so a step ending after another started is named again first. Which step was last
 * started is the display's, shared by every StepLines on it (the plan's steps, mesh adds and SAN
 * syncs run at once).
 */
export class StepLines {
  private static readonly current = new WeakMap<Progress, string>();

  constructor(readonly progress: Progress) {}

  begin(id: string, text: string): void {
    StepLines.current.set(this.progress, id);
    this.progress.start(text);
  }

  end(id: string, text: string, outcome: { failed?: string; detail?: string }): void {
    if (StepLines.current.get(this.progress) !== id) this.progress.start(text);
    StepLines.current.delete(this.progress);
    if (outcome.failed !== undefined) this.progress.fail(outcome.failed);
    else this.progress.succeed(outcome.detail);
  }

  note(message: string): void {
    this.progress.info(message);
  }
}

/** Progress lines for the steps of a plan. */
export function progressReporter(lines: StepLines): StepReporter {
  return {
    started: (action: Action) => lines.begin(action.id, action.description),
    finished(outcome) {
      const { action } = outcome;
      if (outcome.state === 'cancelled' && outcome.durationMs === 0) {
        lines.note(`not started (cancelled): ${action.description}`);
        return;
      }
      if (outcome.state === 'blocked' || outcome.state === 'deferred' || outcome.state === 'cancelled') {
        lines.note(`${outcome.state}: ${action.description}${outcome.detail ? ` ${outcome.detail}` : ''}`);
        return;
      }
      if (outcome.state === 'failed')
        lines.end(action.id, action.description, { failed: outcome.error?.message ?? 'failed' });
      else
        lines.end(action.id, action.description, {
          detail: outcome.state === 'started' ? `${outcome.detail ?? 'started'} (not waited for)` : outcome.detail,
        });
    },
  };
}

export interface ExecutedRun extends PlannedRun {
  report: ExecutionReport;
  /** The inventory after the steps ran. */
  inventory: Inventory;
  failures: RecordedFailure[];
}

export interface RunHooks {
  /** A cluster's API-server link became Connected in this run, with the domain its SANs need. */
  onApiServerConnected?(clusterId: string, domain: string): void;
}

/** Runs a planned run's steps, and observes again when anything changed. */
export async function executeRun(
  cloud: ProvisioningCloud,
  planned: PlannedRun,
  revision: string,
  settings: RunSettings,
  hooks: RunHooks = {},
): Promise<ExecutedRun> {
  const concurrency = settings.concurrency ?? READS_AT_ONCE;
  const observer = settings.reportCloud ?? cloud;
  const details = new DetailReads(observer);
  const report = await executePlan(
    planned.plan,
    {
      cloud,
      meshId: settings.meshId,
      specRevision: revision,
      deadline: settings.deadline,
      waits: settings.waits ?? defaultWaitPolicy,
      signal: settings.signal,
      wait: settings.wait,
    },
    {
      concurrency: STEPS_IN_FLIGHT,
      reporter: progressReporter(new StepLines(settings.progress)),
      onClusterSettled: (clusterId, ids) => {
        // The cluster's own resources: its API-server service and its two endpoints.
        const serviceId = ids.get(keyName(serviceKey('apiserver', clusterId)));
        if (serviceId) details.prefetchService(serviceId);
        for (const link of ['apiserver', 'pilot'] as const) {
          const endpointId = ids.get(keyName(endpointKey(link, clusterId)));
          if (endpointId) details.prefetchEndpoint(endpointId);
        }
      },
      onDone: (action, result) => {
        if (action.kind === 'connectEndpoint' && action.link === 'apiserver' && action.clusterId && result.domain)
          hooks.onApiServerConnected?.(action.clusterId, result.domain);
      },
    },
  );
  const failures = [
    ...planned.observation.failures,
    ...report.outcomes.flatMap((outcome) => (outcome.error ? [recordFailure(outcome.action.link, outcome.error)] : [])),
  ];
  for (const problem of planned.desired?.problems ?? []) {
    if (planned.scope === 'all' || planned.scope.clusterIds.includes(problem.clusterId)) {
      failures.push({
        area: 'discovery',
        clusterId: problem.clusterId,
        reason: 'ZonesDoNotPair',
        message: problem.message,
      });
    }
  }
  let inventory = planned.observation.inventory;
  if (planned.plan.actions.length > 0) {
    try {
      inventory = await observeInventory(observer, settings.meshId, { concurrency, details });
    } catch (error) {
      failures.push(recordFailure('discovery', error));
    }
  }
  return { ...planned, report, inventory, failures };
}

/** The domain of each cluster's API-server endpoint, for the clusters whose link is Connected. */
export function connectedDomains(inventory: Inventory, clusterIds: string[]): Map<string, string> {
  const resolved = resolveResources(inventory);
  const domains = new Map<string, string>();
  for (const clusterId of clusterIds) {
    const endpoint = resolved.endpoints.get(keyName(endpointKey('apiserver', clusterId)));
    if (endpoint?.domainName && endpoint.connectionStatus === 'Connected') domains.set(clusterId, endpoint.domainName);
  }
  return domains;
}

export interface SanRun {
  results: SanSyncResult[];
  failures: RecordedFailure[];
  /** Clusters that need a SAN and were left alone (--dry-run). */
  wouldAppend: Array<{ clusterId: string; domain: string }>;
  /** Clusters in scope whose API-server link is not Connected yet. */
  notConnected: string[];
}

/**
 * SAN sync for `clusterIds`: the facts already read decide who needs an append (so a synced
 * cluster costs no call); each append is then done, awaited, read back and verified.
 */
export async function syncSans(
  cloud: ProvisioningCloud,
  inventory: Inventory,
  facts: Record<string, ClusterFacts>,
  clusterIds: string[],
  settings: RunSettings & { dryRun?: boolean; revision: string },
): Promise<SanRun> {
  const domains = connectedDomains(inventory, clusterIds);
  const run = await syncSanDomains(cloud, domains, facts, settings);
  return { ...run, notConnected: clusterIds.filter((id) => !domains.has(id)) };
}

/** SAN sync for the clusters of `domains` (each one's Connected API-server endpoint domain). */
export async function syncSanDomains(
  cloud: ProvisioningCloud,
  domains: Map<string, string>,
  facts: Record<string, ClusterFacts>,
  settings: RunSettings & { dryRun?: boolean; revision: string },
): Promise<SanRun> {
  const run: SanRun = { results: [], failures: [], wouldAppend: [], notConnected: [] };
  const waits = settings.waits ?? defaultWaitPolicy;
  const lines = new StepLines(settings.progress);
  await Promise.all(
    [...domains].map(async ([clusterId, domain]) => {
      const known = facts[clusterId]?.certSans;
      if (known && decideSanAppend(known, [domain]).append.length === 0) {
        run.results.push({ clusterId, domain, alreadyPresent: true, before: known, after: known });
        return;
      }
      if (settings.dryRun) {
        run.wouldAppend.push({ clusterId, domain });
        return;
      }
      const step = `sync the API server certificate SANs of ${clusterId}`;
      lines.begin(`san/${clusterId}`, step);
      try {
        const result = await syncClusterSans(cloud, clusterId, domain, {
          deadline: settings.deadline,
          waits,
          signal: settings.signal,
          clientToken: clientTokenFor({
            meshId: settings.meshId,
            clusterId,
            link: 'apiserver',
            step: 'append-san',
            specRevision: settings.revision,
            parameters: { domain, before: known ?? [] },
          }),
        });
        run.results.push(result);
        facts[clusterId] = { ...(facts[clusterId] ?? { clusterId }), certSans: result.after };
        lines.end(`san/${clusterId}`, step, {
          detail: result.alreadyPresent
            ? `${domain} already listed`
            : `${domain} appended; ${result.before.length} earlier SAN(s) kept`,
        });
      } catch (error) {
        const stepError =
          error instanceof SanSyncError
            ? new StepError(`${error.step} of cluster ${clusterId}`, error, clusterId)
            : new StepError(`sync the SANs of cluster ${clusterId}`, error, clusterId);
        run.failures.push(recordFailure('san', stepError, clusterId));
        lines.end(`san/${clusterId}`, step, { failed: stepError.message });
      }
    }),
  );
  return run;
}

export interface StatusWrite {
  inventory: Inventory;
  facts: Record<string, ClusterFacts>;
  failures: RecordedFailure[];
  inProgress: boolean;
  /** The generation of the spec the run acted on. */
  generation?: number;
  extraConditions?: ConditionInput[];
  /** The mesh's view of its clusters, as read in this run (see readMesh). */
  mesh?: MeshView;
  now?: () => Date;
  advice?: Advice;
  /** The reconcile request this status answers (status.lastHandledReconcileAt). */
  handledRequest?: string;
}

/** Writes the status subresource for the spec as it is stored now. */
export async function writeRunStatus(store: ConfigStore, write: StatusWrite): Promise<AsmPvlStatus> {
  let written: AsmPvlStatus | undefined;
  await store.writeStatus((current) => {
    const clusterIds = specClusters(current).map((cluster) => cluster.clusterId);
    written = buildStatus({
      clusterIds,
      inventory: write.inventory,
      clusterFacts: write.facts,
      sanSync: current.spec.sanSync ?? 'Enabled',
      failures: write.failures.filter(
        (failure) => failure.clusterId === undefined || clusterIds.includes(failure.clusterId),
      ),
      inProgress: write.inProgress,
      problems: [],
      generation: write.generation ?? current.metadata.generation,
      previous: current.status,
      extraConditions: write.extraConditions,
      mesh: write.mesh,
      now: (write.now ?? (() => new Date()))(),
      advice: write.advice,
      handledRequest: write.handledRequest,
    });
    return written;
  });
  return written!;
}

/** The mesh's own view of its data-plane clusters, as one run read it. */
export interface MeshView {
  meshId: string;
  clusters: MeshCluster[];
}

/**
 * One read of the mesh's view of its clusters (ASM DescribeClustersInServiceMesh: one call for all
 * clusters); a failure is recorded (area `mesh`) rather than thrown, so the status still gets written.
 */
export async function readMesh(
  cloud: ProvisioningCloud,
  meshId: string,
): Promise<{ mesh?: MeshView; failures: RecordedFailure[] }> {
  try {
    return { mesh: { meshId, clusters: await cloud.describeMeshClusters(meshId) }, failures: [] };
  } catch (error) {
    return {
      failures: [
        recordFailure(
          'mesh',
          new StepError(`read the clusters of service mesh ${meshId} (ASM DescribeClustersInServiceMesh)`, error),
        ),
      ],
    };
  }
}

/** The revision of the stored object, for ClientTokens. */
export { specRevision };
