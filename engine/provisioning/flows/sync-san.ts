/**
 * The `sync-san` flow: for each connected cluster asked for (all of the spec by default), make its
 * API server certificate list its API-server endpoint's domain, append only, then rewrite the
 * status. Respects `spec.sanSync: Disabled` by refusing to touch anything.
 */
import { READS_AT_ONCE } from '../../concurrency';
import type { StoredConfig } from '../../kube/store';
import { discoverClusters } from '../discovery';
import { ProvisioningInputError } from '../errors';
import { observeInventory } from '../inventory';
import { type SanRun, syncSans } from '../pipeline/act';
import type { RunSettings } from '../pipeline/context';
import { recordFailure } from '../pipeline/failures';
import { readMesh } from '../pipeline/mesh-membership';
import { writeRunStatus } from '../pipeline/report';
import { ANNOTATION_RECONCILE_REQUEST, reconcileRequestToken } from '../controller-protocol';
import type { FlowContext } from './context';
import { awaitController, failuresInStatus } from './delegate';
import { resolveMeshId, specClusters, specRevision } from '../spec-edit';
import type { AsmPvlStatus, RecordedFailure } from '../status';
import { defaultWaitPolicy } from '../waits';

export interface SyncSanRequest {
  /** Empty: every cluster of the spec. */
  clusterIds: string[];
  dryRun: boolean;
  meshId?: string;
  env: NodeJS.ProcessEnv;
}

export interface SyncSanOutcome {
  config: StoredConfig;
  san: SanRun;
  failures: RecordedFailure[];
  status?: AsmPvlStatus;
}

export async function syncSanFlow(context: FlowContext, request: SyncSanRequest): Promise<SyncSanOutcome> {
  const { store } = context;
  const session = { ...context, port: context.cloud, reportPort: context.reportCloud };
  const current = await store.getConfig();
  if (!current)
    throw new ProvisioningInputError(
      'asmpvlconfig/default does not exist: connect a cluster first (kubectl asmpvl connect <clusterId>)',
    );
  const meshId = resolveMeshId(request.meshId, request.env, current);
  if ((current.spec.sanSync ?? 'Enabled') === 'Disabled') {
    throw new ProvisioningInputError(
      'spec.sanSync is Disabled on asmpvlconfig/default: sync-san leaves the SANs to you. Set it to Enabled to let the plugin append the endpoint domains.',
    );
  }
  const specIds = specClusters(current).map((cluster) => cluster.clusterId);
  const unknown = request.clusterIds.filter((id) => !specIds.includes(id));
  if (unknown.length > 0)
    throw new ProvisioningInputError(
      `${unknown.join(', ')}: not in asmpvlconfig/default; connect it first (kubectl asmpvl connect <clusterId>)`,
    );
  const clusterIds = request.clusterIds.length > 0 ? request.clusterIds : specIds;
  const settings: RunSettings & { dryRun: boolean; revision: string } = {
    meshId,
    deadline: session.deadline,
    waits: defaultWaitPolicy,
    signal: session.signal,
    wait: true,
    progress: session.progress,
    dryRun: request.dryRun,
    revision: specRevision(current),
  };

  if (context.controller && !request.dryRun) {
    // The controller appends the SANs on every reconcile: ask for one and wait for its answer.
    const token = reconcileRequestToken();
    await store.updateMetadata((metadata) => ({
      ...metadata,
      annotations: { ...(metadata.annotations ?? {}), [ANNOTATION_RECONCILE_REQUEST]: token },
    }));
    const config = await awaitController(context, context.controller, token);
    return {
      config,
      san: { results: [], failures: [], wouldAppend: [], notConnected: [] },
      failures: failuresInStatus(config.status, clusterIds),
      status: config.status,
    };
  }
  const lease = request.dryRun ? undefined : await context.holdLease();
  try {
    const [discovery, inventory] = await Promise.all([
      discoverClusters(session.port, specIds, new Set(), READS_AT_ONCE),
      observeInventory(session.port, meshId, { concurrency: READS_AT_ONCE }),
    ]);
    const san = await syncSans(session.port, inventory, discovery.facts, clusterIds, settings);
    const discoveryFailures = discovery.failures.map((failure) => recordFailure('discovery', failure));
    const failures = [...discoveryFailures, ...san.failures].filter(
      (failure) => failure.clusterId === undefined || clusterIds.includes(failure.clusterId),
    );
    if (request.dryRun) return { config: current, san, failures };
    // After the SANs changed, the mesh's verdict may have too: one read for the status.
    const meshRead = await readMesh(session.reportPort, meshId);
    const status = await writeRunStatus(store, {
      inventory,
      facts: discovery.facts,
      mesh: meshRead.mesh,
      failures: [...discoveryFailures, ...san.failures, ...meshRead.failures],
      inProgress: false,
      generation: current.metadata.generation,
      advice: context.advice,
    });
    return { config: { ...current, status }, san, failures, status };
  } finally {
    await lease?.release();
  }
}
