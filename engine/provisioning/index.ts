/**
 * Provisioning: PrivateLink in both directions between the mesh and each ACK cluster, found by tags,
 * planned by a pure planner, executed with deadlines, reported in the status subresource.
 * Everything the plugin and the controller use is named here: the pipeline (pipeline/) with its
 * entry points `reconcile`, `dryRun`, `sanSync` and `refresh`; `refreshStatus` (refresh.ts)
 * reads the object and runs `refresh`.
 */
export { refreshStatus, type RefreshOptions } from './refresh';
export {
  dryRun,
  reconcile,
  type ReconcileContext,
  type ReconcileOutcome,
  refresh,
  sanSync,
  type SanSyncOutcome,
} from './pipeline';
export { type ProvisioningCloud, provisioningCloud } from './cloud-port';
export { clientTokenFor } from './client-token';
export { desiredState } from './desired';
export { describeCause, ProvisioningInputError, StepError } from './errors';
export { executePlan, type ExecutionReport, type StepOutcome } from './executor';
export { holdProvisioningLease } from './lease';
export type * from './model';
export { describePlan, planReconcile } from './planner';
export { connectedDomains } from './pipeline/act';
export { type MeshView } from './pipeline/mesh-membership';
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
