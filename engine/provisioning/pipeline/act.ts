/**
 * The act phase: run the plan's steps, add the clusters the mesh lacks beside them, and sync each
 * cluster's SANs as soon as its API-server link is Connected. Failures of steps are recorded, not
 * thrown; after any step the cloud is observed again, so the report tells what is there now.
 */
import { READS_AT_ONCE } from '../../concurrency';
import type { ProvisioningCloud } from '../cloud-port';
import { clientTokenFor } from '../client-token';
import { StepError } from '../errors';
import { executePlan, type ExecutionReport, type StepOutcome } from '../executor';
import { DetailReads, observeInventory } from '../inventory';
import { type ClusterFacts, type Inventory, keyName } from '../model';
import { endpointKey, resolveResources, serviceKey } from '../planner';
import { decideSanAppend, SanSyncError, type SanSyncResult, syncClusterSans } from '../san-sync';
import type { RecordedFailure } from '../status';
import { defaultWaitPolicy, isHeld } from '../waits';
import type { ReconcileContext, RunSettings } from './context';
import { recordFailure } from './failures';
import { addToMesh, type Membership } from './mesh-membership';
import { planProblems, type PlannedRun } from './plan';
import { progressReporter, StepLines } from './step-lines';

// A step spends nearly all its time waiting for the cloud (seconds to minutes per transition) and
// the cloud's pacer already bounds the calls (in flight and per action), so the step bound only
// caps memory.
const STEPS_IN_FLIGHT = 256;

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
    ...planProblems(planned),
  ];
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
  /**
   * Clusters whose SAN sync the run's hold left under way (`sent`: the append was sent, its task
   * not awaited; else the cluster was still busy with another task): the next run reads them again.
   */
  held: Array<{ clusterId: string; domain: string; sent: boolean }>;
}

export type SanSettings = RunSettings & { dryRun?: boolean; revision: string };

/**
 * SAN sync for `clusterIds`: the facts already read decide who needs an append (so a synced
 * cluster costs no call); each append is then done, awaited, read back and verified.
 */
export async function syncSans(
  cloud: ProvisioningCloud,
  inventory: Inventory,
  facts: Record<string, ClusterFacts>,
  clusterIds: string[],
  settings: SanSettings,
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
  settings: SanSettings,
): Promise<SanRun> {
  const run: SanRun = { results: [], failures: [], wouldAppend: [], notConnected: [], held: [] };
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
      let sent = false;
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
          onStep: () => {
            sent = true;
          },
        });
        run.results.push(result);
        facts[clusterId] = { ...(facts[clusterId] ?? { clusterId }), certSans: result.after };
        lines.end(`san/${clusterId}`, step, {
          detail: result.alreadyPresent
            ? `${domain} already listed`
            : `${domain} appended; ${result.before.length} earlier SAN(s) kept`,
        });
      } catch (error) {
        if (isHeld(error)) {
          run.held.push({ clusterId, domain, sent });
          lines.end(`san/${clusterId}`, step, { detail: error.message });
          return;
        }
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

// A step that only waits (its kind, or a connection already being accepted) changes nothing; every
// other step that ran made a change.
const changeOf = (outcome: StepOutcome): string | undefined =>
  (outcome.state === 'done' || outcome.state === 'started') && outcome.action.mutating
    ? outcome.action.description
    : undefined;

export interface Acted {
  executed: ExecutedRun;
  failures: RecordedFailure[];
  /** One line per change made, in the order made. */
  changes: string[];
  /** Whether the cloud or the mesh was changed. */
  changed: boolean;
  sansAppended: boolean;
  /** The run's hold ended a wait: steps (or SAN tasks) are left under way for the next run. */
  held: boolean;
}

export interface ActOptions {
  clusterIds: string[];
  membership?: Membership;
  revision: string;
  sanSync: 'Enabled' | 'Disabled';
}

/**
 * Runs the plan, the mesh adds beside it (no PrivateLink step needs the mesh to list the cluster),
 * and the SAN syncs: a cluster's as soon as its API-server link is Connected, beside the steps of
 * the other clusters (one sync per cluster per run); the rest once the steps are over.
 */
export async function act(
  context: ReconcileContext,
  planned: PlannedRun,
  settings: RunSettings,
  options: ActOptions,
): Promise<Acted> {
  const { clusterIds, revision } = options;
  const syncing = settings.wait && options.sanSync === 'Enabled';
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
  const [meshAdds, executed] = await Promise.all([
    addToMesh(context, settings.meshId, options.membership?.toAdd ?? []),
    executeRun(context.cloud, planned, revision, settings, hooks),
  ]);
  const failures: RecordedFailure[] = [...meshAdds.failures, ...executed.failures];
  const changes = [...meshAdds.added, ...executed.report.outcomes.flatMap((outcome) => changeOf(outcome) ?? [])];
  let sansAppended = false;
  let held =
    settings.wait &&
    executed.report.outcomes.some((outcome) => outcome.state === 'started' || outcome.state === 'deferred');
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
      const appended = [...sans.results.filter((result) => !result.alreadyPresent), ...sans.held.filter((h) => h.sent)];
      sansAppended ||= appended.length > 0;
      held ||= sans.held.length > 0;
      changes.push(
        ...appended.map(
          (result) => `append ${result.domain} to the API server certificate SANs of ${result.clusterId}`,
        ),
      );
    }
  } else if (options.sanSync === 'Disabled') {
    for (const [clusterId, domain] of connectedDomains(executed.inventory, clusterIds)) {
      if (decideSanAppend(planned.observation.facts[clusterId]?.certSans ?? [], [domain]).append.length > 0) {
        settings.progress.info(
          `spec.sanSync is Disabled: add ${domain} to the API server certificate SANs of ${clusterId} yourself`,
        );
      }
    }
  }
  return {
    executed,
    failures,
    changes,
    changed: executed.report.changed || meshAdds.added.length > 0 || sansAppended,
    sansAppended,
    held,
  };
}
