/**
 * `status --refresh`: the status rewritten from what the cloud holds, changing nothing there.
 */
import type { AccountClouds, Cloud } from '../cloud';
import { READS_AT_ONCE } from '../concurrency';
import type { ConfigStore } from '../kube/store';
import type { Advice } from './advice';
import { provisioningCloud } from './cloud-port';
import { discoverClusters } from './discovery';
import { ProvisioningInputError } from './errors';
import { observeInventory } from './inventory';
import { recordFailure } from './pipeline/failures';
import { readMesh } from './pipeline/mesh-membership';
import { writeRunStatus } from './pipeline/report';
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
