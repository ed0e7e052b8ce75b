/**
 * The report phase: the status subresource, written from what the run observed and did. Every
 * status a run writes goes through here: "started" before the first cloud call, "in progress"
 * before the first change, the final one, and the one a run that stopped early leaves behind.
 */
import type { ConfigStore } from '../../kube/store';
import type { Advice } from '../advice';
import { describeCause, needsChange } from '../errors';
import type { ClusterFacts, Inventory } from '../model';
import { specClusters } from '../spec-edit';
import {
  type AsmPvlStatus,
  buildStatus,
  type ConditionInput,
  failedRunStatus,
  type RecordedFailure,
  startedConditions,
} from '../status';
import type { StoredConfig } from '../../kube/store';
import type { MeshView } from './mesh-membership';

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

/**
 * kstatus reads a spec the status does not answer yet as InProgress only once it says so: said
 * before the first cloud call, not minutes later with the first computed status.
 */
export async function reportStarted(store: ConfigStore, config: StoredConfig): Promise<void> {
  if (config.status?.observedGeneration === config.metadata.generation) return;
  await store.writeStatus((current) => ({
    ...(current.status ?? {}),
    conditions: startedConditions(current.status, current.metadata.generation, new Date()),
  }));
}

/**
 * A run that stopped before it could compute a status says why in the status (Ready False, and
 * Stalled or Reconciling), so neither a person nor a GitOps tool reads the run as still under way.
 */
export async function reportStopped(store: ConfigStore, error: unknown): Promise<void> {
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
