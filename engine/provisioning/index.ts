/**
 * Provisioning: PrivateLink in both directions between the mesh and each ACK cluster, found by tags,
 * planned by a pure planner, executed with deadlines, reported in the status subresource.
 *
 * ```ts
 * const status = await refreshStatus(kube, cloud);            // status --refresh
 * ```
 */
import type { AccountClouds, Cloud } from '../cloud';
import { READS_AT_ONCE } from '../concurrency';
import type { ConfigStore } from '../kube/store';
import type { Advice } from './advice';
import { provisioningCloud } from './cloud-port';
import { discoverClusters } from './discovery';
import { ProvisioningInputError } from './errors';
import { observeInventory } from './inventory';
import { readMesh, recordFailure, writeRunStatus } from './run';
import { resolveMeshId, specClusters } from './spec-edit';
import type { AsmPvlStatus } from './status';

export interface RefreshOptions {
  /** Else ASMPVL_MESH_ID, else the object's `asmpvl.io/mesh-id` annotation. */
  meshId?: string;
  env?: NodeJS.ProcessEnv;
  /** Reads in flight at once (default READS_AT_ONCE, 64). */
  concurrency?: number;
  advice?: Advice;
}

/**
 * Reads the cloud (our resources by tags, each cluster's SANs, the mesh's view of its clusters), rewrites the status subresource of
 * asmpvlconfig/default from it, and returns the new status. Changes nothing in the cloud and takes
 * no lease: the status write is optimistic, so it never overwrites a concurrent one.
 */
export async function refreshStatus(
  store: ConfigStore,
  cloud: Cloud | AccountClouds,
  options: RefreshOptions = {},
): Promise<AsmPvlStatus> {
  const config = await store.getConfig();
  if (!config)
    throw new ProvisioningInputError(
      'asmpvlconfig/default does not exist: create it with kubectl asmpvl connect <clusterId> --asm-vswitch vsw-…',
    );
  const meshId = resolveMeshId(options.meshId, options.env ?? {}, config);
  const port = provisioningCloud(cloud);
  const concurrency = options.concurrency ?? READS_AT_ONCE;
  const clusterIds = specClusters(config).map((cluster) => cluster.clusterId);
  const [discovery, inventory, meshRead] = await Promise.all([
    discoverClusters(port, clusterIds, new Set(), concurrency),
    observeInventory(port, meshId, { concurrency }),
    readMesh(port, meshId),
  ]);
  return writeRunStatus(store, {
    inventory,
    facts: discovery.facts,
    mesh: meshRead.mesh,
    failures: [...discovery.failures.map((failure) => recordFailure('discovery', failure)), ...meshRead.failures],
    inProgress: false,
    generation: config.metadata.generation,
    advice: options.advice,
  });
}

export { type ProvisioningCloud, provisioningCloud } from './cloud-port';
export { clientTokenFor } from './client-token';
export { desiredState } from './desired';
export { describeCause, ProvisioningInputError, StepError } from './errors';
export { executePlan, type ExecutionReport, type StepOutcome } from './executor';
export { holdProvisioningLease } from './lease';
export type * from './model';
export { describePlan, planReconcile } from './planner';
export {
  connectedDomains,
  executeRun,
  type MeshView,
  planRun,
  readMesh,
  type RunSettings,
  syncSans,
  writeRunStatus,
} from './run';
export {
  type ClusterMeshVerdict,
  explainVerdict,
  MESH_CONDITION,
  MESH_GAP_LABELS,
  meshCondition,
  type MeshGap,
  meshVerdicts,
} from './mesh-verdict';
export { decideSanAppend, verifySans } from './san-sync';
export {
  ANNOTATION_MESH_ID,
  ANNOTATION_PILOT_LOAD_BALANCER,
  changesObject,
  checkClusterId,
  MESH_ID_ENV,
  parseVSwitchFlag,
  resolveMeshId,
  specClusters,
  specRevision,
  withCluster,
  withoutCluster,
} from './spec-edit';
export { type AsmPvlStatus, buildStatus, CONDITION_TYPES, linkViews, type OverallStatus } from './status';
export { defaultWaitPolicy, type Deadline } from './waits';
