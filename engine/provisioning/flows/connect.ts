/**
 * The `connect` flow: check that the clusters are in the mesh, write their entries into
 * asmpvlconfig/default (through the API server, so admission applies), take the Lease, add the
 * clusters missing from the mesh, provision both directions, wait, sync the SANs, wait for the mesh
 * to run the clusters, write the status. The command file parses flags and prints; this holds the
 * order of things.
 */
import { checkConfig, formatFinding } from '../../../core';
import type { ASMPvlConfig } from '../../../core';
import type { Kube, StoredConfig } from '../../kube';
import type { MeshCluster } from '../../cloud/mesh';
import { describeCause, ProvisioningInputError, StepError } from '../errors';
import { type ClusterMeshVerdict, explainVerdict, meshVerdicts } from '../mesh-verdict';
import { holdProvisioningLease } from '../lease';
import type { ClusterSpec, Plan, VSwitchPlacement } from '../model';
import { describePlan } from '../planner';
import {
  connectedDomains,
  type ExecutedRun,
  executeRun,
  type MeshView,
  planRun,
  readMesh,
  recordFailure,
  type RunSettings,
  syncSans,
  writeRunStatus,
} from '../run';
import type { Session } from '../session';
import {
  ANNOTATION_PILOT_LOAD_BALANCER,
  annotationsOf,
  changesObject,
  resolveMeshId,
  specAsmVSwitches,
  specClusters,
  specRevision,
  withCluster,
} from '../spec-edit';
import { type AsmPvlStatus, linkViews, type RecordedFailure } from '../status';
import { assignByVpc, defaultClusterVSwitches, requireVpc, resolveVSwitches, type VSwitchFlag } from '../vswitches';
import { decideSanAppend } from '../san-sync';
import { defaultWaitPolicy, pollUntil, WaitTimeoutError } from '../waits';

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
  session: Session,
  request: ConnectRequest,
  current: StoredConfig | undefined,
  meshId: string,
): Promise<Entries> {
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
    const resolved = await resolveVSwitches(
      port,
      'the mesh vSwitch',
      (mesh?.vSwitchIds ?? []).map((vSwitchId) => ({ vSwitchId })),
      false,
    );
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
      requireVpc(
        '--vswitch',
        given.filter((vSwitch) => mine.some((placement) => placement.vSwitchId === vSwitch.vSwitchId)),
        detail.vpcId,
        `cluster ${detail.clusterId}`,
      );
      clusters.push({ clusterId: detail.clusterId, vSwitches: mine });
      continue;
    }
    const inSpec = existing.find((cluster) => cluster.clusterId === detail.clusterId);
    if (inSpec) {
      clusters.push(inSpec);
      continue;
    }
    const own = await resolveVSwitches(
      port,
      `the vSwitch of cluster ${detail.clusterId}`,
      detail.vSwitchIds.map((vSwitchId) => ({ vSwitchId })),
      false,
    );
    clusters.push({ clusterId: detail.clusterId, vSwitches: defaultClusterVSwitches(detail.clusterId, own, asmSide) });
  }
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
  session: Session,
  stored: StoredConfig,
  settings: RunSettings,
  clusterIds: string[],
  changed: boolean,
  toAdd: string[],
): Promise<{ lines: string[]; plan: Plan; failures: RecordedFailure[] }> {
  const planned = await planRun(session.port, stored, { clusterIds }, settings);
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

/** Runs `connect` end to end. Throws only for what stops it before provisioning starts. */
export async function connect(kube: Kube, session: Session, request: ConnectRequest): Promise<ConnectOutcome> {
  const { progress } = session;
  const current = await kube.getConfig();
  const meshId = resolveMeshId(request.meshId, request.env, current);
  const pilotLoadBalancerId = request.pilotLoadBalancerId ?? annotationsOf(current)[ANNOTATION_PILOT_LOAD_BALANCER];
  const settings: RunSettings = {
    meshId,
    pilotLoadBalancerId,
    deadline: session.deadline,
    waits: defaultWaitPolicy,
    signal: session.signal,
    wait: request.wait,
    progress,
    reportCloud: session.reportPort,
  };

  const reading = `read clusters ${request.clusterIds.join(', ')} and their vSwitches`;
  progress.start(reading);
  let entries: Entries;
  try {
    entries = await resolveEntries(session, request, current, meshId);
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

  const membership = await checkMembership(session, meshId, request);

  // The webhook's own checks, run here too: a clear message even where no webhook is installed.
  const check = checkConfig(applyEntries(current, entries, meshId, request.pilotLoadBalancerId));
  for (const warning of check.warnings) progress.info(`warning: ${formatFinding(warning)}`);
  if (check.errors.length > 0)
    throw new ProvisioningInputError(`the spec would be invalid:\n  ${check.errors.map(formatFinding).join('\n  ')}`);

  let stored = current;
  const changed = !current || changesObject(current, check.object as ASMPvlConfig);
  if (changed) {
    progress.start(
      request.dryRun
        ? 'check the spec change with the API server (dry run)'
        : 'write the clusters into asmpvlconfig/default',
    );
    stored = await kube.updateSpec((fresh) => applyEntries(fresh, entries, meshId, request.pilotLoadBalancerId), {
      dryRun: request.dryRun,
    });
    progress.succeed(request.dryRun ? 'accepted' : `generation ${stored.metadata.generation ?? '?'}`);
  }
  if (request.dryRun) {
    const text = await dryRunText(session, stored!, settings, request.clusterIds, changed, membership.toAdd);
    return { config: stored!, planText: text.lines, failures: text.failures, cancelled: false, changed: false };
  }

  const lease = await holdProvisioningLease(kube, { deadline: session.deadline, progress, signal: session.signal });
  try {
    const fresh = (await kube.getConfig()) ?? stored!;
    return await provision(kube, session, fresh, settings, request.clusterIds, membership);
  } finally {
    await lease.release();
  }
}

/** The mesh's clusters before the run, and which of the clusters to connect it lacks. */
export interface Membership {
  before: MeshView;
  toAdd: string[];
}

/**
 * The vendor's guide starts by adding the cluster to the mesh: a cluster the mesh does not list is
 * added by this run, or, with --no-add-to-mesh, stops it before anything changes.
 */
async function checkMembership(session: Session, meshId: string, request: ConnectRequest): Promise<Membership> {
  const { progress } = session;
  const step = `read the clusters of service mesh ${meshId} (ASM DescribeClustersInServiceMesh)`;
  progress.start(step);
  let clusters: MeshCluster[];
  try {
    clusters = await session.port.describeMeshClusters(meshId);
  } catch (error) {
    progress.fail(describeCause(error));
    throw new StepError(step, error);
  }
  const toAdd = request.clusterIds.filter((clusterId) => !clusters.some((cluster) => cluster.clusterId === clusterId));
  const listed = request.clusterIds
    .filter((clusterId) => !toAdd.includes(clusterId))
    .map(
      (clusterId) => `${clusterId} ${clusters.find((cluster) => cluster.clusterId === clusterId)?.state ?? 'listed'}`,
    );
  progress.succeed([...listed, ...toAdd.map((clusterId) => `${clusterId} not in the mesh`)].join('; '));
  if (toAdd.length > 0 && !request.addToMesh) {
    const names = toAdd.join(', ');
    throw new ProvisioningInputError(
      `${toAdd.length === 1 ? 'cluster' : 'clusters'} ${names} ${toAdd.length === 1 ? 'is' : 'are'} not in service mesh ${meshId}, and --no-add-to-mesh was given: nothing was changed. ` +
        `Add ${toAdd.length === 1 ? 'it' : 'them'} in the ASM console (the mesh's Kubernetes clusters page), or run connect without --no-add-to-mesh.`,
    );
  }
  for (const clusterId of toAdd)
    progress.info(
      `cluster ${clusterId} is not in service mesh ${meshId}: ${request.dryRun ? 'it would be added' : 'adding it'}`,
    );
  return { before: { meshId, clusters }, toAdd };
}

/** AddClusterIntoServiceMesh for each cluster the mesh lacks; a failure is recorded, not thrown. */
async function addToMesh(session: Session, meshId: string, clusterIds: string[]): Promise<RecordedFailure[]> {
  const failures: RecordedFailure[] = [];
  for (const clusterId of clusterIds) {
    const step = `add cluster ${clusterId} to service mesh ${meshId} (ASM AddClusterIntoServiceMesh)`;
    session.progress.start(step);
    try {
      const added = await session.port.addClusterToMesh(meshId, clusterId);
      session.progress.succeed(
        added.alreadyMember
          ? 'it was already there'
          : `added${added.requestId ? ` (request id ${added.requestId})` : ''}`,
      );
    } catch (error) {
      const failure = new StepError(step, error, clusterId);
      session.progress.fail(failure.message);
      failures.push(recordFailure('mesh', failure, clusterId));
    }
  }
  return failures;
}

/**
 * The last word is the mesh's: wait (bounded by --timeout) until it runs each cluster, except the
 * ones our own observation says it cannot run yet (a link or the SAN missing: waiting would not
 * help). A converged run whose first read already showed them running costs no further call.
 */
async function awaitMesh(
  session: Session,
  settings: RunSettings,
  executed: ExecutedRun,
  facts: ExecutedRun['observation']['facts'],
  clusterIds: string[],
  reuse: MeshView | undefined,
  sanSyncDisabled: boolean,
): Promise<{ mesh?: MeshView; failures: RecordedFailure[] }> {
  const { meshId } = settings;
  const verdictsOf = (clusters: MeshCluster[]) => verdictsFor({ meshId, clusters }, executed, facts, clusterIds);
  const settled = (clusters: MeshCluster[]) =>
    verdictsOf(clusters).every(
      (verdict) =>
        verdict.phase === 'running' ||
        verdict.phase === 'notInMesh' ||
        (verdict.phase !== 'joining' && verdict.gaps.length > 0),
    );
  if (reuse && verdictsOf(reuse.clusters).every((verdict) => verdict.phase === 'running'))
    return { mesh: reuse, failures: [] };
  if (!settings.wait) return readMesh(settings.reportCloud ?? session.port, meshId);
  const step = `wait for service mesh ${meshId} to report ${clusterIds.join(', ')} running (ASM DescribeClustersInServiceMesh)`;
  session.progress.start(step);
  let clusters: MeshCluster[];
  try {
    clusters = await pollUntil(() => session.port.describeMeshClusters(meshId), settled, {
      deadline: settings.deadline,
      waits: settings.waits ?? defaultWaitPolicy,
      signal: settings.signal,
      what: `service mesh ${meshId} to report ${clusterIds.join(', ')} running`,
      describe: (seen) =>
        clusterIds
          .map(
            (clusterId) =>
              `${clusterId} ${seen.find((cluster) => cluster.clusterId === clusterId)?.state ?? 'not in the mesh'}`,
          )
          .join(', '),
    });
  } catch (error) {
    const failure = new StepError(step, error);
    session.progress.fail(describeCause(error));
    if (!(error instanceof WaitTimeoutError)) return { failures: [recordFailure('mesh', failure)] };
    return {
      ...(await readMesh(settings.reportCloud ?? session.port, meshId)),
      failures: clusterIds.map((clusterId) => recordFailure('mesh', new StepError(step, error, clusterId), clusterId)),
    };
  }
  const verdicts = verdictsOf(clusters);
  const notRunning = verdicts.filter((verdict) => verdict.phase !== 'running');
  if (notRunning.length === 0)
    session.progress.succeed(
      verdicts.map((verdict) => `${verdict.clusterId} ${verdict.state ?? 'running'}`).join(', '),
    );
  else session.progress.fail(notRunning.map((verdict) => explainVerdict(verdict, meshId)).join('; '));
  // With spec.sanSync Disabled the SAN is the user's to add: a cluster lacking only that is expected.
  const leftToUser = (verdict: ClusterMeshVerdict) =>
    sanSyncDisabled && verdict.gaps.length > 0 && verdict.gaps.every((gap) => gap.gap === 'san');
  for (const verdict of notRunning.filter(leftToUser))
    session.progress.info(
      `spec.sanSync is Disabled: service mesh ${meshId} will run ${verdict.clusterId} once its certificate SANs list the endpoint domain`,
    );
  const failures = notRunning
    .filter((verdict) => !leftToUser(verdict))
    .map((verdict) => ({
      area: 'mesh' as const,
      clusterId: verdict.clusterId,
      reason: 'MeshNotRunning',
      message: `service mesh ${meshId} does not run ${explainVerdict(verdict, meshId)}. Next: kubectl asmpvl doctor names what is missing.`,
    }));
  return { mesh: { meshId, clusters }, failures };
}

/** Plans, executes, syncs SANs and writes the status, for `clusterIds` of the stored spec. */
export async function provision(
  kube: Kube,
  session: Session,
  config: StoredConfig,
  settings: RunSettings,
  clusterIds: string[],
  membership: Membership,
): Promise<ConnectOutcome> {
  const { progress } = session;
  const revision = specRevision(config);
  const generation = config.metadata.generation;
  const failures: RecordedFailure[] = await addToMesh(session, settings.meshId, membership.toAdd);
  const planned = await planRun(session.port, config, { clusterIds }, settings);
  const steps = planned.plan.actions.length;
  progress.info(steps === 0 ? 'the cloud already matches the spec: nothing to change' : `${steps} step(s) to run`);
  if (steps > 0) {
    await writeRunStatus(kube, {
      inventory: planned.observation.inventory,
      facts: planned.observation.facts,
      failures: [],
      inProgress: true,
      generation,
    });
  }
  const executed = await executeRun(session.port, planned, revision, settings);
  failures.push(...executed.failures);
  const sanSync = config.spec.sanSync ?? 'Enabled';
  let sansAppended = false;
  if (settings.wait && !executed.report.cancelled && sanSync === 'Enabled') {
    const sans = await syncSans(session.port, executed.inventory, planned.observation.facts, clusterIds, {
      ...settings,
      revision,
    });
    failures.push(...sans.failures);
    sansAppended = sans.results.some((result) => !result.alreadyPresent);
  } else if (sanSync === 'Disabled') {
    for (const [clusterId, domain] of connectedDomains(executed.inventory, clusterIds)) {
      if (decideSanAppend(planned.observation.facts[clusterId]?.certSans ?? [], [domain]).append.length > 0) {
        progress.info(
          `spec.sanSync is Disabled: add ${domain} to the API server certificate SANs of ${clusterId} yourself`,
        );
      }
    }
  }
  // Nothing changed since the first read of the mesh: that read still tells the truth.
  const unchanged = membership.toAdd.length === 0 && steps === 0 && !sansAppended;
  const linkFailures = failures.some(
    (failure) => failure.clusterId === undefined || clusterIds.includes(failure.clusterId),
  );
  const meshRead = executed.report.cancelled
    ? await readMesh(settings.reportCloud ?? session.port, settings.meshId)
    : await awaitMesh(
        session,
        { ...settings, wait: settings.wait && !linkFailures },
        executed,
        planned.observation.facts,
        clusterIds,
        unchanged ? membership.before : undefined,
        sanSync === 'Disabled',
      );
  failures.push(...meshRead.failures);
  const status = await writeRunStatus(kube, {
    inventory: executed.inventory,
    facts: planned.observation.facts,
    mesh: meshRead.mesh,
    failures,
    inProgress: !settings.wait || executed.report.cancelled,
    generation,
  });
  const relevant = failures.filter(
    (failure) => failure.clusterId === undefined || clusterIds.includes(failure.clusterId),
  );
  const verdicts = meshRead.mesh
    ? verdictsFor(meshRead.mesh, executed, planned.observation.facts, clusterIds)
    : undefined;
  return {
    config: { ...config, status },
    status,
    failures: relevant,
    cancelled: executed.report.cancelled,
    changed: executed.report.changed || membership.toAdd.length > 0,
    meshVerdicts: verdicts,
  };
}

/** The mesh's verdict on each of `clusterIds`, against what the run observed. */
function verdictsFor(
  mesh: MeshView,
  executed: ExecutedRun,
  facts: ExecutedRun['observation']['facts'],
  clusterIds: string[],
): ClusterMeshVerdict[] {
  const pilot = executed.inventory.services.find((service) => service.link === 'pilot');
  return meshVerdicts({
    clusterIds,
    meshClusters: mesh.clusters,
    links: linkViews(clusterIds, executed.inventory),
    pilotServiceActive: !pilot || pilot.status === 'Active',
    clusterFacts: facts,
  });
}
