/**
 * The `connect` flow: write the clusters' entries into asmpvlconfig/default (through the API server,
 * so admission applies), take the Lease, provision both directions, wait, sync the SANs, write the
 * status. The command file parses flags and prints; this holds the order of things.
 */
import { checkConfig, formatFinding } from '../../../core';
import type { ASMPvlConfig } from '../../../core';
import type { Kube, StoredConfig } from '../../kube';
import { describeCause, ProvisioningInputError, StepError } from '../errors';
import { holdProvisioningLease } from '../lease';
import type { ClusterSpec, Plan, VSwitchPlacement } from '../model';
import { describePlan } from '../planner';
import { connectedDomains, executeRun, planRun, type RunSettings, syncSans, writeRunStatus } from '../run';
import type { Session } from '../session';
import { ANNOTATION_PILOT_LOAD_BALANCER, annotationsOf, changesObject, resolveMeshId, specAsmVSwitches, specClusters, specRevision, withCluster } from '../spec-edit';
import type { AsmPvlStatus, RecordedFailure } from '../status';
import { assignByVpc, defaultClusterVSwitches, requireVpc, resolveVSwitches, type VSwitchFlag } from '../vswitches';
import { decideSanAppend } from '../san-sync';
import { defaultWaitPolicy } from '../waits';

export interface ConnectRequest {
  clusterIds: string[];
  vSwitches: VSwitchFlag[];
  asmVSwitches: VSwitchFlag[];
  meshId?: string;
  pilotLoadBalancerId?: string;
  wait: boolean;
  dryRun: boolean;
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
}

interface Entries {
  clusters: ClusterSpec[];
  asmVSwitches?: VSwitchPlacement[];
}

/** The spec entries to write: from the flags, else the spec, else the defaults (see vswitches.ts). */
async function resolveEntries(session: Session, request: ConnectRequest, current: StoredConfig | undefined, meshId: string): Promise<Entries> {
  const { port } = session;
  const needMesh = request.asmVSwitches.length > 0 || !current;
  const mesh = needMesh ? await port.describeMesh(meshId) : undefined;
  let asmVSwitches: VSwitchPlacement[] | undefined;
  if (request.asmVSwitches.length > 0) {
    const resolved = await resolveVSwitches(port, '--asm-vswitch', request.asmVSwitches, true);
    requireVpc('--asm-vswitch', resolved, mesh?.vpcId, `service mesh ${meshId}`);
    asmVSwitches = resolved.map(({ vSwitchId, zoneId }) => ({ vSwitchId, zoneId }));
  } else if (!current) {
    // A new object: the mesh's own vSwitches are where its endpoints can go.
    const resolved = await resolveVSwitches(port, 'the mesh vSwitch', (mesh?.vSwitchIds ?? []).map((vSwitchId) => ({ vSwitchId })), false);
    asmVSwitches = resolved.map(({ vSwitchId, zoneId }) => ({ vSwitchId, zoneId }));
  }
  const asmSide = asmVSwitches ?? specAsmVSwitches(current);

  const details = await Promise.all(request.clusterIds.map((clusterId) => port.describeCluster(clusterId)));
  const given = await resolveVSwitches(port, '--vswitch', request.vSwitches, true);
  const assigned = assignByVpc(given, details);
  const existing = specClusters(current);
  const clusters: ClusterSpec[] = [];
  for (const detail of details) {
    const mine = assigned.get(detail.clusterId);
    if (mine) {
      requireVpc('--vswitch', given.filter((vSwitch) => mine.some((placement) => placement.vSwitchId === vSwitch.vSwitchId)), detail.vpcId, `cluster ${detail.clusterId}`);
      clusters.push({ clusterId: detail.clusterId, vSwitches: mine });
      continue;
    }
    const inSpec = existing.find((cluster) => cluster.clusterId === detail.clusterId);
    if (inSpec) {
      clusters.push(inSpec);
      continue;
    }
    const own = await resolveVSwitches(port, `the vSwitch of cluster ${detail.clusterId}`, detail.vSwitchIds.map((vSwitchId) => ({ vSwitchId })), false);
    clusters.push({ clusterId: detail.clusterId, vSwitches: defaultClusterVSwitches(detail.clusterId, own, asmSide) });
  }
  return { clusters, asmVSwitches };
}

function applyEntries(current: ASMPvlConfig | undefined, entries: Entries, meshId: string, pilotLoadBalancerId: string | undefined): ASMPvlConfig {
  let next = current;
  for (const cluster of entries.clusters) next = withCluster(next, { cluster, asmVSwitches: entries.asmVSwitches, meshId, pilotLoadBalancerId });
  return next!;
}

/** What `connect --dry-run` prints: the spec change, the plan, and the SANs it would append. */
async function dryRunText(session: Session, stored: StoredConfig, settings: RunSettings, clusterIds: string[], changed: boolean): Promise<{ lines: string[]; plan: Plan; failures: RecordedFailure[] }> {
  const planned = await planRun(session.port, stored, { clusterIds }, settings);
  const lines = [changed ? 'spec: asmpvlconfig/default would be updated (the API server accepted it in a dry run)' : 'spec: asmpvlconfig/default already holds these clusters', ...describePlan(planned.plan)];
  const domains = connectedDomains(planned.observation.inventory, clusterIds);
  for (const clusterId of clusterIds) {
    const domain = domains.get(clusterId);
    const sans = planned.observation.facts[clusterId]?.certSans ?? [];
    if (!domain) lines.push(`then: append the new API-server endpoint's domain to the certificate SANs of ${clusterId}`);
    else if (decideSanAppend(sans, [domain]).append.length > 0) lines.push(`then: append ${domain} to the certificate SANs of ${clusterId}`);
  }
  for (const problem of planned.desired?.problems ?? []) lines.push(`problem: ${problem.message}`);
  return { lines, plan: planned.plan, failures: planned.observation.failures };
}

/** Runs `connect` end to end. Throws only for what stops it before provisioning starts. */
export async function connect(kube: Kube, session: Session, request: ConnectRequest): Promise<ConnectOutcome> {
  const { progress } = session;
  const current = await kube.getConfig();
  const meshId = resolveMeshId(request.meshId, request.env, current);
  const pilotLoadBalancerId = request.pilotLoadBalancerId ?? annotationsOf(current)[ANNOTATION_PILOT_LOAD_BALANCER];
  const settings: RunSettings = { meshId, pilotLoadBalancerId, deadline: session.deadline, waits: defaultWaitPolicy, signal: session.signal, wait: request.wait, progress, reportCloud: session.reportPort };

  const reading = `read clusters ${request.clusterIds.join(', ')} and their vSwitches`;
  progress.start(reading);
  let entries: Entries;
  try {
    entries = await resolveEntries(session, request, current, meshId);
  } catch (error) {
    progress.fail(describeCause(error));
    throw error instanceof ProvisioningInputError ? error : new StepError(reading, error);
  }
  progress.succeed(entries.clusters.map((cluster) => `${cluster.clusterId}: ${cluster.vSwitches.map((vSwitch) => `${vSwitch.vSwitchId} (${vSwitch.zoneId})`).join(', ')}`).join('; '));

  // The webhook's own checks, run here too: a clear message even where no webhook is installed.
  const check = checkConfig(applyEntries(current, entries, meshId, request.pilotLoadBalancerId));
  for (const warning of check.warnings) progress.info(`warning: ${formatFinding(warning)}`);
  if (check.errors.length > 0) throw new ProvisioningInputError(`the spec would be invalid:\n  ${check.errors.map(formatFinding).join('\n  ')}`);

  let stored = current;
  const changed = !current || changesObject(current, check.object as ASMPvlConfig);
  if (changed) {
    progress.start(request.dryRun ? 'check the spec change with the API server (dry run)' : 'write the clusters into asmpvlconfig/default');
    stored = await kube.updateSpec((fresh) => applyEntries(fresh, entries, meshId, request.pilotLoadBalancerId), { dryRun: request.dryRun });
    progress.succeed(request.dryRun ? 'accepted' : `generation ${stored.metadata.generation ?? '?'}`);
  }
  if (request.dryRun) {
    const text = await dryRunText(session, stored!, settings, request.clusterIds, changed);
    return { config: stored!, planText: text.lines, failures: text.failures, cancelled: false, changed: false };
  }

  const lease = await holdProvisioningLease(kube, { deadline: session.deadline, progress, signal: session.signal });
  try {
    const fresh = (await kube.getConfig()) ?? stored!;
    return await provision(kube, session, fresh, settings, request.clusterIds);
  } finally {
    await lease.release();
  }
}

/** Plans, executes, syncs SANs and writes the status, for `clusterIds` of the stored spec. */
export async function provision(kube: Kube, session: Session, config: StoredConfig, settings: RunSettings, clusterIds: string[]): Promise<ConnectOutcome> {
  const { progress } = session;
  const revision = specRevision(config);
  const generation = config.metadata.generation;
  const planned = await planRun(session.port, config, { clusterIds }, settings);
  const steps = planned.plan.actions.length;
  progress.info(steps === 0 ? 'the cloud already matches the spec: nothing to change' : `${steps} step(s) to run`);
  if (steps > 0) {
    await writeRunStatus(kube, { inventory: planned.observation.inventory, facts: planned.observation.facts, failures: [], inProgress: true, generation });
  }
  const executed = await executeRun(session.port, planned, revision, settings);
  const failures = [...executed.failures];
  const sanSync = config.spec.sanSync ?? 'Enabled';
  if (settings.wait && !executed.report.cancelled && sanSync === 'Enabled') {
    const sans = await syncSans(session.port, executed.inventory, planned.observation.facts, clusterIds, { ...settings, revision });
    failures.push(...sans.failures);
  } else if (sanSync === 'Disabled') {
    for (const [clusterId, domain] of connectedDomains(executed.inventory, clusterIds)) {
      if (decideSanAppend(planned.observation.facts[clusterId]?.certSans ?? [], [domain]).append.length > 0) {
        progress.info(`spec.sanSync is Disabled: add ${domain} to the API server certificate SANs of ${clusterId} yourself`);
      }
    }
  }
  const status = await writeRunStatus(kube, {
    inventory: executed.inventory,
    facts: planned.observation.facts,
    failures,
    inProgress: !settings.wait || executed.report.cancelled,
    generation,
  });
  const relevant = failures.filter((failure) => failure.clusterId === undefined || clusterIds.includes(failure.clusterId));
  return { config: { ...config, status }, status, failures: relevant, cancelled: executed.report.cancelled, changed: executed.report.changed };
}
