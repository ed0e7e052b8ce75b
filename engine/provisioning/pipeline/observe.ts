/**
 * The observe phase: what the cloud holds and what discovery finds, for the spec a run converges
 * to. Reads only; a cluster or mesh that cannot be read is a recorded failure, not the end of the run.
 */
import type { ASMPvlConfig } from '../../../core';
import { withCallPriority } from '../../cloud/pacing';
import { READS_AT_ONCE } from '../../concurrency';
import type { ProvisioningCloud } from '../cloud-port';
import { discoverClusters, discoverMesh } from '../discovery';
import { observeInventory } from '../inventory';
import type { ClusterFacts, Inventory, MeshFacts, PlanScope } from '../model';
import { specClusters } from '../spec-edit';
import type { RecordedFailure } from '../status';
import { recordFailure } from './failures';

// Above the steps' priorities (0 and 1): a read every plan waits for.
const GLOBAL_READS_FIRST = 2;

/** What the cloud holds and what discovery found, with whatever could not be read. */
export interface Observation {
  mesh?: MeshFacts;
  facts: Record<string, ClusterFacts>;
  inventory: Inventory;
  failures: RecordedFailure[];
  /** Clusters whose facts could not be read: never torn down for lack of facts. */
  unreadable: string[];
}

export interface ObserveSettings {
  meshId: string;
  pilotLoadBalancerId?: string;
  /** Reads in flight at once (default READS_AT_ONCE). */
  concurrency?: number;
}

/** One cluster's facts are in, with the reads every plan needs: the mesh and our resources. */
export interface ClusterObserved {
  clusterId: string;
  mesh: MeshFacts;
  inventory: Inventory;
  /** The run's facts, filled as the clusters come in: the observation's `facts` in the end. */
  facts: Record<string, ClusterFacts>;
}

/**
 * Discovers and observes for `target` (the spec to converge to). Clusters in `scope` get their API
 * server load balancer looked up; the others only their detail. `onCluster` is told of each cluster
 * in scope as soon as its facts, the mesh and our resources are in (never when the mesh is
 * unreadable), before the observation is answered.
 */
export async function observe(
  cloud: ProvisioningCloud,
  target: ASMPvlConfig,
  scope: PlanScope,
  settings: ObserveSettings,
  onCluster?: (observed: ClusterObserved) => void,
): Promise<Observation> {
  const concurrency = settings.concurrency ?? READS_AT_ONCE;
  const clusterIds = specClusters(target).map((cluster) => cluster.clusterId);
  const provisioned = new Set(scope === 'all' ? clusterIds : scope.clusterIds.filter((id) => clusterIds.includes(id)));
  const failures: RecordedFailure[] = [];
  // Every cluster's plan waits for the mesh and our resources, so their reads go before the
  // clusters' own reads of the same action (the Pilot load balancer is looked up like each API
  // server's) that wait for a turn.
  const meshRead = withCallPriority(GLOBAL_READS_FIRST, () =>
    discoverMesh(cloud, settings.meshId, settings.pilotLoadBalancerId),
  ).catch((error: unknown) => {
    failures.push(recordFailure('discovery', error));
    return undefined;
  });
  const inventoryRead = withCallPriority(GLOBAL_READS_FIRST, () =>
    observeInventory(cloud, settings.meshId, { concurrency }),
  );
  const globalReads = Promise.all([meshRead, inventoryRead]);
  // An unreadable inventory fails the observation below, whether or not a cluster waited for it.
  globalReads.catch(() => undefined);
  const told: Array<Promise<void>> = [];
  const tell = (clusterId: string, facts: Record<string, ClusterFacts>) => {
    if (!onCluster || !provisioned.has(clusterId)) return;
    told.push(
      globalReads.then(
        ([mesh, inventory]) => {
          if (mesh) onCluster({ clusterId, mesh, inventory, facts });
        },
        () => undefined,
      ),
    );
  };
  const [mesh, discovery, inventory] = await Promise.all([
    meshRead,
    discoverClusters(cloud, clusterIds, provisioned, concurrency, tell),
    inventoryRead,
  ]);
  await Promise.all(told);
  failures.push(...discovery.failures.map((failure) => recordFailure('discovery', failure)));
  return {
    mesh,
    facts: discovery.facts,
    inventory,
    failures,
    unreadable: discovery.failures.flatMap((failure) => failure.clusterId ?? []),
  };
}

/**
 * The facts a status needs and no plan: each cluster's detail and SANs (no load balancer lookup),
 * and our resources by tag. Used where nothing is provisioned (a SAN sync, a status refresh).
 */
export async function observeForStatus(
  cloud: ProvisioningCloud,
  target: ASMPvlConfig,
  meshId: string,
  concurrency = READS_AT_ONCE,
): Promise<Observation> {
  const clusterIds = specClusters(target).map((cluster) => cluster.clusterId);
  const [discovery, inventory] = await Promise.all([
    discoverClusters(cloud, clusterIds, new Set(), concurrency),
    observeInventory(cloud, meshId, { concurrency }),
  ]);
  return {
    facts: discovery.facts,
    inventory,
    failures: discovery.failures.map((failure) => recordFailure('discovery', failure)),
    unreadable: discovery.failures.flatMap((failure) => failure.clusterId ?? []),
  };
}
