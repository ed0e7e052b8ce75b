import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { binariesIn, type Cluster, type ClusterBinaries, startCluster } from '../e2e/harness/cluster';
import { E2E_ENV } from '../e2e/harness/environment';

const root = join(__dirname, '../..');

/** The pinned kube-apiserver/etcd/kubectl/helm: given by ASMPVL_E2E_BIN_DIR, else built (cached) by the e2e build script. */
export function benchBinaries(): ClusterBinaries {
  const given = process.env[E2E_ENV.binDir];
  if (given) return binariesIn(given);
  const printed = execFileSync('bash', [join(root, 'test/e2e/tools/build.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  return binariesIn(printed.trim().split('\n').pop()!);
}

/**
 * Runs `body` against a fresh local API server and always stops it. The harness's kubectl/helm
 * helpers read the same environment variables as in an e2e run, so they are set for the duration.
 */
export async function withBenchCluster<T>(body: (cluster: Cluster, binaries: ClusterBinaries) => Promise<T>): Promise<T> {
  const binaries = benchBinaries();
  const cluster = await startCluster(binaries);
  const saved = { ...process.env };
  Object.assign(process.env, {
    [E2E_ENV.kubeconfig]: cluster.kubeconfigPath,
    [E2E_ENV.kubectl]: binaries.kubectl,
    [E2E_ENV.helm]: binaries.helm,
    [E2E_ENV.dir]: cluster.dir,
    [E2E_ENV.server]: cluster.server,
    [E2E_ENV.binDir]: dirname(binaries.kubectl),
  });
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
