/**
 * `status --refresh`: the status rewritten from what the cloud holds, changing nothing there.
 */
import type { AccountClouds, Cloud } from '../cloud';
import type { ConfigStore } from '../kube/store';
import type { Advice } from './advice';
import { provisioningCloud } from './cloud-port';
import { ProvisioningInputError } from './errors';
import { refresh } from './pipeline';
import { resolveMeshId } from './spec-edit';
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
 * Reads asmpvlconfig/default and runs the pipeline's observe and report phases over it (see
 * pipeline/index.ts refresh), returning the new status.
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
  return refresh({ store, cloud: provisioningCloud(cloud), advice: options.advice }, config, {
    meshId,
    concurrency: options.concurrency,
  });
}
