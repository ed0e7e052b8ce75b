/**
 * The `connect` flow: check that the clusters are in the mesh, write their entries into
 * asmpvlconfig/default (through the API server, so admission applies), take the Lease, add the
 * clusters missing from the mesh, provision both directions, wait, sync the SANs, wait for the mesh
 * to run the clusters, write the status. The command file parses flags and prints; this holds the
 * order of things.
 */
import { checkConfig, formatFinding } from '../../../core';
import type { ASMPvlConfig } from '../../../core';
import type { StoredConfig } from '../../kube/store';
import { describeCause, ProvisioningInputError, StepError } from '../errors';
import type { ClusterMeshVerdict } from '../mesh-verdict';
import type { ClusterSpec, Plan, VSwitchPlacement } from '../model';
import { describePlan } from '../planner';
import { dryRun, reconcile } from '../pipeline';
import { connectedDomains } from '../pipeline/act';
import type { ReconcileContext } from '../pipeline/context';
import { observeMembership } from '../pipeline/mesh-membership';
import { warmClusterDiscovery } from '../discovery';
import { type ControllerPresence, reconcileRequestToken, withReconcileRequest } from '../controller-protocol';
import type { FlowContext } from './context';
import { awaitController, failuresInStatus } from './delegate';
import {
  ANNOTATION_PILOT_LOAD_BALANCER,
  annotationsOf,
  changesObject,
  resolveMeshId,
  specAsmVSwitches,
  specClusters,
  withCluster,
} from '../spec-edit';
import type { AsmPvlStatus, RecordedFailure } from '../status';
import { assignByVpc, defaultClusterVSwitches, requireVpc, resolveVSwitches, type VSwitchFlag } from '../vswitches';
import { decideSanAppend } from '../san-sync';

export interface ConnectRequest {
  clusterIds: string[];
  vSwitches: VSwitchFlag[];
  asmVSwitches: VSwitchFlag[];
  meshId?: string;
  pilotLoadBalancerId?: string;
  wait: boolean;
  dryRun: boolean;
  /** False with --no-add-to-mesh: a cluster not in the mesh stops the run before anything changes. */
  addToMesh: boolean;
  env: NodeJS.ProcessEnv;
}

export interface ConnectOutcome {
  config: StoredConfig;
  /** Printed instead of provisioning with --dry-run. */
  planText?: string[];
  status?: AsmPvlStatus;
  /** Failures that concern the clusters connected (or everything). */
  failures: RecordedFailure[];
  cancelled: boolean;
  changed: boolean;
  /** The mesh's verdict on each cluster connected, as last read (absent with --dry-run or when unread). */
  meshVerdicts?: ClusterMeshVerdict[];
}

interface Entries {
  clusters: ClusterSpec[];
  asmVSwitches?: VSwitchPlacement[];
}

/** The spec entries to write: from the flags, else the spec, else the defaults (see vswitches.ts). */
async function resolveEntries(
  context: ReconcileContext,
  request: ConnectRequest,
  current: StoredConfig | undefined,
  meshId: string,
): Promise<Entries> {
  const { cloud } = context;
  const needMesh = request.asmVSwitches.length > 0 || !current;
  const mesh = needMesh ? await cloud.describeMesh(meshId) : undefined;
  let asmVSwitches: VSwitchPlacement[] | undefined;
  if (request.asmVSwitches.length > 0) {
    const resolved = await resolveVSwitches(cloud, '--asm-vswitch', request.asmVSwitches, true);
    requireVpc('--asm-vswitch', resolved, mesh?.vpcId, `service mesh ${meshId}`);
    asmVSwitches = resolved.map(({ vSwitchId, zoneId }) => ({ vSwitchId, zoneId }));
  } else if (!current) {
    // A new object: the mesh's own vSwitches are where its endpoints can go.
    const resolved = await resolveVSwitches(
      cloud,
      'the mesh vSwitch',
      (mesh?.vSwitchIds ?? []).map((vSwitchId) => ({ vSwitchId })),
      false,
    );
    asmVSwitches = resolved.map(({ vSwitchId, zoneId }) => ({ vSwitchId, zoneId }));
  }
  const asmSide = asmVSwitches ?? specAsmVSwitches(current);

  // Each cluster's later reads (its VPC's vSwitches, its API server load balancer) start as soon as
  // its detail is in: different actions, each paced at its own limit, so they overlap.
  const existing = specClusters(current);
  const [details, given] = await Promise.all([
    Promise.all(
      request.clusterIds.map(async (clusterId) => {
        const detail = await cloud.describeCluster(clusterId);
        // Its own vSwitches are resolved only for a new cluster given no --vswitch.
        const resolvesOwn =
          request.vSwitches.length === 0 && !existing.some((cluster) => cluster.clusterId === clusterId);
        if (resolvesOwn && detail.vpcId && detail.vSwitchIds.length > 1)
          cloud.listVpcVSwitches(detail.vpcId).catch(() => undefined);
        warmClusterDiscovery(cloud, clusterId);
        return detail;
      }),
    ),
    resolveVSwitches(cloud, '--vswitch', request.vSwitches, true),
  ]);
  const assigned = assignByVpc(given, details);
  // Side by side: each cluster's own vSwitches are separate reads, paced by the cloud.
  const clusters = await Promise.all(
    details.map(async (detail): Promise<ClusterSpec> => {
      const mine = assigned.get(detail.clusterId);
      if (mine) {
        requireVpc(
          '--vswitch',
          given.filter((vSwitch) => mine.some((placement) => placement.vSwitchId === vSwitch.vSwitchId)),
          detail.vpcId,
          `cluster ${detail.clusterId}`,
        );
        return { clusterId: detail.clusterId, vSwitches: mine };
      }
      const inSpec = existing.find((cluster) => cluster.clusterId === detail.clusterId);
      if (inSpec) return inSpec;
      const own = await resolveVSwitches(
        cloud,
        `the vSwitch of cluster ${detail.clusterId}`,
        detail.vSwitchIds.map((vSwitchId) => ({ vSwitchId })),
        false,
        detail.vpcId,
      );
      return { clusterId: detail.clusterId, vSwitches: defaultClusterVSwitches(detail.clusterId, own, asmSide) };
    }),
  );
  return { clusters, asmVSwitches };
}

function applyEntries(
  current: ASMPvlConfig | undefined,
  entries: Entries,
  meshId: string,
  pilotLoadBalancerId: string | undefined,
): ASMPvlConfig {
  let next = current;
  for (const cluster of entries.clusters)
    next = withCluster(next, { cluster, asmVSwitches: entries.asmVSwitches, meshId, pilotLoadBalancerId });
  return next!;
}

/** What `connect --dry-run` prints: the spec change, the plan, and the SANs it would append. */
async function dryRunText(
  context: ReconcileContext,
  stored: StoredConfig,
  settings: { meshId: string; pilotLoadBalancerId?: string },
  clusterIds: string[],
  changed: boolean,
  toAdd: string[],
): Promise<{ lines: string[]; plan: Plan; failures: RecordedFailure[] }> {
  const planned = await dryRun(context.cloud, stored, { clusterIds }, settings);
  const lines = [
    changed
      ? 'spec: asmpvlconfig/default would be updated (the API server accepted it in a dry run)'
      : 'spec: asmpvlconfig/default already holds these clusters',
    ...toAdd.map(
      (clusterId) => `add cluster ${clusterId} to service mesh ${settings.meshId} (ASM AddClusterIntoServiceMesh)`,
    ),
    ...describePlan(planned.plan),
  ];
  const domains = connectedDomains(planned.observation.inventory, clusterIds);
  for (const clusterId of clusterIds) {
    const domain = domains.get(clusterId);
    const sans = planned.observation.facts[clusterId]?.certSans ?? [];
    if (!domain)
      lines.push(`then: append the new API-server endpoint's domain to the certificate SANs of ${clusterId}`);
    else if (decideSanAppend(sans, [domain]).append.length > 0)
      lines.push(`then: append ${domain} to the certificate SANs of ${clusterId}`);
  }
  for (const problem of planned.desired?.problems ?? []) lines.push(`problem: ${problem.message}`);
  return { lines, plan: planned.plan, failures: planned.observation.failures };
}

/** Runs `connect` end to end: resolve the entries, edit the spec, reconcile the clusters connected. */
export async function connect(context: FlowContext, request: ConnectRequest): Promise<ConnectOutcome> {
  const { progress, store } = context;
  const current = await store.getConfig();
  const meshId = resolveMeshId(request.meshId, request.env, current);
  const pilotLoadBalancerId = request.pilotLoadBalancerId ?? annotationsOf(current)[ANNOTATION_PILOT_LOAD_BALANCER];
  const settings = { meshId, pilotLoadBalancerId };

  const reading = `read clusters ${request.clusterIds.join(', ')} and their vSwitches`;
  progress.start(reading);
  let entries: Entries;
  try {
    entries = await resolveEntries(context, request, current, meshId);
  } catch (error) {
    progress.fail(describeCause(error));
    throw error instanceof ProvisioningInputError ? error : new StepError(reading, error);
  }
  progress.succeed(
    entries.clusters
      .map(
        (cluster) =>
          `${cluster.clusterId}: ${cluster.vSwitches.map((vSwitch) => `${vSwitch.vSwitchId} (${vSwitch.zoneId})`).join(', ')}`,
      )
      .join('; '),
  );

  const membership = await observeMembership(context, meshId, request.clusterIds, {
    addToMesh: request.addToMesh,
    dryRun: request.dryRun,
  });

  // The webhook's own checks, run here too: a clear message even where no webhook is installed.
  const check = checkConfig(applyEntries(current, entries, meshId, request.pilotLoadBalancerId));
  for (const warning of check.warnings) progress.info(`warning: ${formatFinding(warning)}`);
  if (check.errors.length > 0)
    throw new ProvisioningInputError(`the spec would be invalid:\n  ${check.errors.map(formatFinding).join('\n  ')}`);

  let stored = current;
  const changed = !current || changesObject(current, check.object as ASMPvlConfig);
  if (context.controller && !request.dryRun) return delegated(context, context.controller, request, entries, meshId);
  if (changed) {
    progress.start(
      request.dryRun
        ? 'check the spec change with the API server (dry run)'
        : 'write the clusters into asmpvlconfig/default',
    );
    stored = await store.updateSpec((fresh) => applyEntries(fresh, entries, meshId, request.pilotLoadBalancerId), {
      dryRun: request.dryRun,
    });
    progress.succeed(request.dryRun ? 'accepted' : `generation ${stored.metadata.generation ?? '?'}`);
  }
  if (request.dryRun) {
    const text = await dryRunText(context, stored!, settings, request.clusterIds, changed, membership.toAdd);
    return { config: stored!, planText: text.lines, failures: text.failures, cancelled: false, changed: false };
  }

  const lease = await context.holdLease();
  try {
    const fresh = (await store.getConfig()) ?? stored!;
    const outcome = await reconcile(
      context,
      fresh,
      { clusterIds: request.clusterIds },
      { meshId, pilotLoadBalancerId, wait: request.wait, addToMesh: request.addToMesh, awaitMesh: true, membership },
    );
    return {
      config: outcome.config,
      status: outcome.status,
      failures: outcome.failures,
      cancelled: outcome.cancelled,
      changed: outcome.changed,
      meshVerdicts: outcome.meshVerdicts,
    };
  } finally {
    await lease.release();
  }
}

/** With a controller running: write the entries and a reconcile request in one update, and wait for its status. */
async function delegated(
  context: FlowContext,
  controller: ControllerPresence,
  request: ConnectRequest,
  entries: Entries,
  meshId: string,
): Promise<ConnectOutcome> {
  const { progress, store } = context;
  const token = reconcileRequestToken();
  progress.start('write the clusters into asmpvlconfig/default, for asmpvl-controller');
  const stored = await store.updateSpec((fresh) =>
    withReconcileRequest(applyEntries(fresh, entries, meshId, request.pilotLoadBalancerId), token),
  );
  progress.succeed(`generation ${stored.metadata.generation ?? '?'}`);
  const config = await awaitController(context, controller, token);
  return {
    config,
    status: config.status,
    failures: failuresInStatus(config.status, request.clusterIds),
    cancelled: false,
    changed: true,
  };
}
