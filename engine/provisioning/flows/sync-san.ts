/**
 * The `sync-san` flow: for each connected cluster asked for (all of the spec by default), make its
 * API server certificate list its API-server endpoint's domain, append only, then rewrite the
 * status. Respects `spec.sanSync: Disabled` by refusing to touch anything.
 */
import type { StoredConfig } from '../../kube/store';
import { ProvisioningInputError } from '../errors';
import { sanSync } from '../pipeline';
import type { SanRun } from '../pipeline/act';
import { ANNOTATION_RECONCILE_REQUEST, reconcileRequestToken } from '../controller-protocol';
import type { FlowContext } from './context';
import { awaitController, failuresInStatus } from './delegate';
import { resolveMeshId, specClusters } from '../spec-edit';
import type { AsmPvlStatus, RecordedFailure } from '../status';

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
      san: { results: [], failures: [], wouldAppend: [], notConnected: [], held: [] },
      failures: failuresInStatus(config.status, clusterIds),
      status: config.status,
    };
  }
  const lease = request.dryRun ? undefined : await context.holdLease();
  try {
    const synced = await sanSync(context, current, clusterIds, { meshId, dryRun: request.dryRun });
    return {
      config: synced.status ? { ...current, status: synced.status } : current,
      san: synced.san,
      failures: synced.failures,
      status: synced.status,
    };
  } finally {
    await lease?.release();
  }
}
