/**
 * The mesh's membership of the data-plane clusters, behind one small manager: observe (ASM
 * DescribeClustersInServiceMesh, one call for every cluster), create (AddClusterIntoServiceMesh, a
 * cluster already listed being no error), what "settled" means (each cluster running, or stuck on
 * a gap of ours that waiting cannot close) and the wait for it. Removing a cluster from the mesh is
 * not ours to decide: no call here does it.
 */
import type { MeshCluster } from '../../cloud/mesh';
import type { Advice } from '../advice';
import type { ProvisioningCloud } from '../cloud-port';
import { describeCause, ProvisioningInputError, StepError } from '../errors';
import { type ClusterMeshVerdict, explainVerdict, meshVerdicts } from '../mesh-verdict';
import type { ClusterFacts, Inventory } from '../model';
import type { RecordedFailure } from '../status';
import { linkViews } from '../status';
import { type Deadline, defaultWaitPolicy, pollUntil, type WaitPolicy, WaitTimeoutError } from '../waits';
import type { Progress } from '../../progress';
import { recordFailure } from './failures';
import { StepLines } from './step-lines';

/** The mesh's own view of its data-plane clusters, as one run read it. */
export interface MeshView {
  meshId: string;
  clusters: MeshCluster[];
}

/** The mesh's clusters before the run, and which of the clusters in scope it lacks. */
export interface Membership {
  before: MeshView;
  toAdd: string[];
}

const describeStep = (meshId: string) =>
  `read the clusters of service mesh ${meshId} (ASM DescribeClustersInServiceMesh)`;

/**
 * One read of the mesh's view of its clusters; a failure is recorded (area `mesh`) rather than
 * thrown, so the status still gets written.
 */
export async function readMesh(
  cloud: ProvisioningCloud,
  meshId: string,
): Promise<{ mesh?: MeshView; failures: RecordedFailure[] }> {
  try {
    return { mesh: { meshId, clusters: await cloud.describeMeshClusters(meshId) }, failures: [] };
  } catch (error) {
    return { failures: [recordFailure('mesh', new StepError(describeStep(meshId), error))] };
  }
}

/**
 * The vendor's guide starts by adding the cluster to the mesh: a cluster the mesh does not list is
 * added by the run, or, when adding is not allowed, stops it before anything changes.
 */
export async function observeMembership(
  context: { cloud: ProvisioningCloud; progress: Progress },
  meshId: string,
  clusterIds: string[],
  options: { addToMesh: boolean; dryRun?: boolean },
): Promise<Membership> {
  const { progress } = context;
  const step = describeStep(meshId);
  progress.start(step);
  let clusters: MeshCluster[];
  try {
    clusters = await context.cloud.describeMeshClusters(meshId);
  } catch (error) {
    progress.fail(describeCause(error));
    throw new StepError(step, error);
  }
  const toAdd = clusterIds.filter((clusterId) => !clusters.some((cluster) => cluster.clusterId === clusterId));
  const listed = clusterIds
    .filter((clusterId) => !toAdd.includes(clusterId))
    .map(
      (clusterId) => `${clusterId} ${clusters.find((cluster) => cluster.clusterId === clusterId)?.state ?? 'listed'}`,
    );
  progress.succeed([...listed, ...toAdd.map((clusterId) => `${clusterId} not in the mesh`)].join('; ') || 'none');
  if (toAdd.length > 0 && !options.addToMesh) {
    const names = toAdd.join(', ');
    throw new ProvisioningInputError(
      `${toAdd.length === 1 ? 'cluster' : 'clusters'} ${names} ${toAdd.length === 1 ? 'is' : 'are'} not in service mesh ${meshId}, and --no-add-to-mesh was given: nothing was changed. ` +
        `Add ${toAdd.length === 1 ? 'it' : 'them'} in the ASM console (the mesh's Kubernetes clusters page), or run connect without --no-add-to-mesh.`,
    );
  }
  for (const clusterId of toAdd)
    progress.info(
      `cluster ${clusterId} is not in service mesh ${meshId}: ${options.dryRun ? 'it would be added' : 'adding it'}`,
    );
  return { before: { meshId, clusters }, toAdd };
}

/**
 * AddClusterIntoServiceMesh for each cluster the mesh lacks, side by side (the cloud paces them);
 * a failure is recorded, not thrown. `added` names the adds made, in the order asked.
 */
export async function addToMesh(
  context: { cloud: ProvisioningCloud; progress: Progress },
  meshId: string,
  clusterIds: string[],
): Promise<{ failures: RecordedFailure[]; added: string[] }> {
  const failures: RecordedFailure[] = [];
  const added = new Map<string, string>();
  const lines = new StepLines(context.progress);
  await Promise.all(
    clusterIds.map(async (clusterId) => {
      const step = `add cluster ${clusterId} to service mesh ${meshId} (ASM AddClusterIntoServiceMesh)`;
      lines.begin(`mesh/${clusterId}`, step);
      try {
        const answer = await context.cloud.addClusterToMesh(meshId, clusterId);
        if (!answer.alreadyMember) added.set(clusterId, step);
        lines.end(`mesh/${clusterId}`, step, {
          detail: answer.alreadyMember
            ? 'it was already there'
            : `added${answer.requestId ? ` (request id ${answer.requestId})` : ''}`,
        });
      } catch (error) {
        const failure = new StepError(step, error, clusterId);
        lines.end(`mesh/${clusterId}`, step, { failed: failure.message });
        failures.push(recordFailure('mesh', failure, clusterId));
      }
    }),
  );
  return { failures, added: clusterIds.flatMap((clusterId) => added.get(clusterId) ?? []) };
}

/** What the run knows of the links, against which the mesh's view is judged. */
export interface LinksSeen {
  inventory: Inventory;
  facts: Record<string, ClusterFacts>;
}

/** The mesh's verdict on each of `clusterIds`, against what the run observed. */
export function verdictsFor(mesh: MeshView, seen: LinksSeen, clusterIds: string[]): ClusterMeshVerdict[] {
  const pilot = seen.inventory.services.find((service) => service.link === 'pilot');
  return meshVerdicts({
    clusterIds,
    meshClusters: mesh.clusters,
    links: linkViews(clusterIds, seen.inventory),
    pilotServiceActive: !pilot || pilot.status === 'Active',
    clusterFacts: seen.facts,
  });
}

/**
 * Settled: every cluster runs, is not listed at all, or lacks something of ours (a link, the SAN)
 * that waiting on the mesh would not bring.
 */
export function membershipSettled(verdicts: ClusterMeshVerdict[]): boolean {
  return verdicts.every(
    (verdict) =>
      verdict.phase === 'running' ||
      verdict.phase === 'notInMesh' ||
      (verdict.phase !== 'joining' && verdict.gaps.length > 0),
  );
}

export interface AwaitMembership {
  cloud: ProvisioningCloud;
  reportCloud: ProvisioningCloud;
  progress: Progress;
  advice: Advice;
  deadline: Deadline;
  signal: AbortSignal;
  waits?: WaitPolicy;
}

/**
 * The last word is the mesh's: wait (bounded by the deadline, when `wait`) until it runs each
 * cluster, except the ones our own observation says it cannot run yet. A converged run whose first
 * read (`reuse`) already showed them running costs no further call.
 */
export async function awaitMembership(
  context: AwaitMembership,
  options: { meshId: string; wait: boolean; sanSyncDisabled: boolean },
  seen: LinksSeen,
  clusterIds: string[],
  reuse: MeshView | undefined,
): Promise<{ mesh?: MeshView; failures: RecordedFailure[] }> {
  const { meshId } = options;
  const { progress, advice } = context;
  const verdictsOf = (clusters: MeshCluster[]) => verdictsFor({ meshId, clusters }, seen, clusterIds);
  if (reuse && verdictsOf(reuse.clusters).every((verdict) => verdict.phase === 'running'))
    return { mesh: reuse, failures: [] };
  if (!options.wait) return readMesh(context.reportCloud, meshId);
  const step = `wait for service mesh ${meshId} to report ${clusterIds.join(', ')} running (ASM DescribeClustersInServiceMesh)`;
  progress.start(step);
  let clusters: MeshCluster[];
  try {
    clusters = await pollUntil(
      () => context.cloud.describeMeshClusters(meshId),
      (seenClusters) => membershipSettled(verdictsOf(seenClusters)),
      {
        deadline: context.deadline,
        waits: context.waits ?? defaultWaitPolicy,
        signal: context.signal,
        what: `service mesh ${meshId} to report ${clusterIds.join(', ')} running`,
        describe: (found) =>
          clusterIds
            .map(
              (clusterId) =>
                `${clusterId} ${found.find((cluster) => cluster.clusterId === clusterId)?.state ?? 'not in the mesh'}`,
            )
            .join(', '),
      },
    );
  } catch (error) {
    const failure = new StepError(step, error);
    progress.fail(describeCause(error));
    if (!(error instanceof WaitTimeoutError)) return { failures: [recordFailure('mesh', failure)] };
    return {
      ...(await readMesh(context.reportCloud, meshId)),
      failures: clusterIds.map((clusterId) => recordFailure('mesh', new StepError(step, error, clusterId), clusterId)),
    };
  }
  const verdicts = verdictsOf(clusters);
  const notRunning = verdicts.filter((verdict) => verdict.phase !== 'running');
  if (notRunning.length === 0)
    progress.succeed(verdicts.map((verdict) => `${verdict.clusterId} ${verdict.state ?? 'running'}`).join(', '));
  else progress.fail(notRunning.map((verdict) => explainVerdict(verdict, meshId, advice)).join('; '));
  // With spec.sanSync Disabled the SAN is the user's to add: a cluster lacking only that is expected.
  const leftToUser = (verdict: ClusterMeshVerdict) =>
    options.sanSyncDisabled && verdict.gaps.length > 0 && verdict.gaps.every((gap) => gap.gap === 'san');
  for (const verdict of notRunning.filter(leftToUser))
    progress.info(
      `spec.sanSync is Disabled: service mesh ${meshId} will run ${verdict.clusterId} once its certificate SANs list the endpoint domain`,
    );
  const failures = notRunning
    .filter((verdict) => !leftToUser(verdict))
    .map((verdict) => ({
      area: 'mesh' as const,
      clusterId: verdict.clusterId,
      reason: 'MeshNotRunning',
      message: `service mesh ${meshId} does not run ${explainVerdict(verdict, meshId, advice)}. Next: ${advice.diagnose}.`,
    }));
  return { mesh: { meshId, clusters }, failures };
}

/** Said when a cluster's links are gone: leaving the mesh is the user's decision, not ours. */
export function leaveMeshAdvice(meshId: string, clusterId: string): string {
  return `${clusterId} stays in service mesh ${meshId}, which can no longer reach it: remove it from the mesh in the ASM console if it should leave`;
}
