import { type Cluster, type ClusterBinaries, startCluster } from '../e2e/harness/cluster';
import { E2E_ENV } from '../e2e/harness/environment';
import { clusterEnvironment, pinnedBinaries } from '../e2e/harness/pinned';

/**
 * Runs `body` against a fresh local API server and always stops it. The harness's kubectl/helm
 * helpers read the same environment variables as in an e2e run, so they are set for the duration.
 */
export async function withBenchCluster<T>(
  body: (cluster: Cluster, binaries: ClusterBinaries) => Promise<T>,
): Promise<T> {
  const binaries = pinnedBinaries();
  const cluster = await startCluster(binaries);
  const saved = { ...process.env };
  Object.assign(process.env, clusterEnvironment(cluster, binaries));
  try {
    return await body(cluster, binaries);
  } finally {
    for (const key of Object.values(E2E_ENV)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await cluster.stop();
  }
}
