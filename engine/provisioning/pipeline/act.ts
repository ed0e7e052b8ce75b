/**
 * The act phase: run the plan's steps, add the clusters the mesh lacks beside them, and sync each
 * cluster's SANs as soon as its API-server link is Connected. It starts before the whole plan is
 * known: each cluster's steps are added as soon as that cluster's facts are in, and the whole plan
 * adds the rest. Failures of steps are recorded, not thrown; after any step the cloud is observed
 * again, so the report tells what is there now.
 */
import { READS_AT_ONCE } from '../../concurrency';
import type { ProvisioningCloud } from '../cloud-port';
import { clientTokenFor } from '../client-token';
import { StepError } from '../errors';
import { type ExecutionReport, type StepOutcome, StepRun } from '../executor';
import { DetailReads, observeInventory } from '../inventory';
import { type ClusterFacts, type Inventory, keyName, type Plan } from '../model';
import { endpointKey, resolveResources, serviceKey } from '../planner';
import { decideSanAppend, SanSyncError, type SanSyncResult, syncClusterSans } from '../san-sync';
import type { RecordedFailure } from '../status';
import { defaultWaitPolicy, WaitHeldError } from '../waits';
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

/** A run of steps for `act`: started before the whole plan is known, closed by `executeRun`. */
export interface RunSteps {
  steps: StepRun;
  /** Detail reads started as each cluster settles, for the observation after the steps. */
  details: DetailReads;
}

/** Starts a run of steps that takes each cluster's steps as they are planned. */
export function startSteps(
  cloud: ProvisioningCloud,
  revision: string,
  settings: RunSettings,
  hooks: RunHooks & { gate?: () => Promise<void> } = {},
): RunSteps {
  const details = new DetailReads(settings.reportCloud ?? cloud);
  const steps = new StepRun(
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
      gate: hooks.gate,
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
  return { steps, details };
}

// The steps in the whole plan's order, whichever started first: the lines of changes follow it.
function inPlanOrder(report: ExecutionReport, plan: Plan): ExecutionReport {
  const order = new Map(plan.actions.map((action, index) => [action.id, index]));
  const rank = (outcome: StepOutcome) => order.get(outcome.action.id) ?? order.size;
  const outcomes = [...report.outcomes].sort((a, b) => rank(a) - rank(b));
  return { ...report, outcomes, failures: outcomes.flatMap((outcome) => (outcome.error ? [outcome.error] : [])) };
}

/**
 * Adds the whole plan to the run's steps (those already added run once), waits for every step to
 * end, and observes again when anything changed.
 */
export async function executeRun(
  planned: PlannedRun,
  run: RunSteps,
  settings: RunSettings,
  observer: ProvisioningCloud,
): Promise<ExecutedRun> {
  const concurrency = settings.concurrency ?? READS_AT_ONCE;
  run.steps.add(planned.plan);
  const report = inPlanOrder(await run.steps.close(), planned.plan);
  const failures = [
    ...planned.observation.failures,
    ...report.outcomes.flatMap((outcome) => (outcome.error ? [recordFailure(outcome.action.link, outcome.error)] : [])),
    ...planProblems(planned),
  ];
  let inventory = planned.observation.inventory;
  if (report.outcomes.length > 0) {
    try {
      inventory = await observeInventory(observer, settings.meshId, { concurrency, details: run.details });
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
        if (error instanceof WaitHeldError) {
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
 * The act phase under way. Each cluster's steps are added as soon as they are planned (`add`); the
 * mesh adds go beside them (no PrivateLink step needs the mesh to list the cluster), and the SAN
 * syncs too: a cluster's as soon as its API-server link is Connected (one sync per cluster per
 * run); the rest once the steps are over. `finish` adds the whole plan and ends the phase.
 */
export class Acting {
  private readonly run: RunSteps;
  private readonly syncing: boolean;
  private readonly early = new Map<string, Promise<SanRun>>();
  /** The run's facts: filled as the clusters come in, then the whole observation's. */
  private facts: Record<string, ClusterFacts> = {};
  private checked?: Promise<void>;
  private meshAdds?: Promise<Awaited<ReturnType<typeof addToMesh>>>;

  constructor(
    private readonly context: ReconcileContext,
    private readonly settings: RunSettings,
    private readonly options: ActOptions,
  ) {
    this.syncing = settings.wait && options.sanSync === 'Enabled';
    this.run = startSteps(context.cloud, options.revision, settings, {
      gate: () => this.preflight(),
      onApiServerConnected: (clusterId, domain) => this.syncEarly(clusterId, domain),
    });
  }

  /**
   * The context's check that every write the run can make is allowed, once, before the first change
   * (the first step waits for it): a missing permission leaves nothing half-done.
   */
  preflight(): Promise<void> {
    this.checked ??= Promise.resolve().then(() => this.context.preflight?.());
    return this.checked;
  }

  /** Starts steps (one cluster's, planned from `facts`, the run's facts so far) beside those under way. */
  add(plan: Plan, facts: Record<string, ClusterFacts>): void {
    this.facts = facts;
    void this.addToMesh();
    this.run.steps.add(plan);
  }

  /** Adds the whole plan, waits for every step, the mesh adds and the SAN syncs, and tells how they ended. */
  async finish(planned: PlannedRun): Promise<Acted> {
    const { settings, options, context } = this;
    const { clusterIds, revision } = options;
    this.facts = planned.observation.facts;
    const meshAdds = this.addToMesh();
    const executed = await executeRun(planned, this.run, settings, settings.reportCloud ?? context.cloud);
    const added = await meshAdds;
    const failures: RecordedFailure[] = [...added.failures, ...executed.failures];
    const changes = [...added.added, ...executed.report.outcomes.flatMap((outcome) => changeOf(outcome) ?? [])];
    let sansAppended = false;
    let held =
      settings.wait &&
      executed.report.outcomes.some((outcome) => outcome.state === 'started' || outcome.state === 'deferred');
    if (this.syncing) {
      // An early sync under way when the run was cancelled still ends (cancelled or done) and is told.
      const runs = await Promise.all(this.early.values());
      if (!executed.report.cancelled) {
        const rest = clusterIds.filter((clusterId) => !this.early.has(clusterId));
        runs.push(await syncSans(context.cloud, executed.inventory, this.facts, rest, { ...settings, revision }));
      }
      for (const sans of runs) {
        failures.push(...sans.failures);
        const appended = [
          ...sans.results.filter((result) => !result.alreadyPresent),
          ...sans.held.filter((h) => h.sent),
        ];
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
        if (decideSanAppend(this.facts[clusterId]?.certSans ?? [], [domain]).append.length > 0) {
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
      changed: executed.report.changed || added.added.length > 0 || sansAppended,
      sansAppended,
      held,
    };
  }

  /** The mesh adds, started once with the first steps (after the preflight when there is one to add). */
  private addToMesh(): Promise<Awaited<ReturnType<typeof addToMesh>>> {
    const toAdd = this.options.membership?.toAdd ?? [];
    if (!this.meshAdds) {
      const adds = toAdd.length === 0 ? Promise.resolve() : this.preflight();
      this.meshAdds = adds.then(() => addToMesh(this.context, this.settings.meshId, toAdd));
      // A refused preflight is thrown by the run (before it finishes), not here.
      this.meshAdds.catch(() => undefined);
    }
    return this.meshAdds;
  }

  private syncEarly(clusterId: string, domain: string): void {
    if (!this.syncing || !this.options.clusterIds.includes(clusterId) || this.early.has(clusterId)) return;
    const domains = new Map([[clusterId, domain]]);
    this.early.set(
      clusterId,
      syncSanDomains(this.context.cloud, domains, this.facts, { ...this.settings, revision: this.options.revision }),
    );
  }
}
