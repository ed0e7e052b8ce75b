import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { binariesIn, type Cluster, type ClusterBinaries } from './cluster';
import { E2E_ENV } from './environment';

const BUILD_SCRIPT = join(__dirname, '..', 'tools', 'build.sh');
// The cold build takes about 7 minutes on 2 cores; a cached run well under a second.
const BUILD_TIMEOUT_MS = 45 * 60_000;

/**
 * The directory holding the pinned kube-apiserver, etcd, kubectl and helm: ASMPVL_E2E_BIN_DIR when
 * set, else what the (cached) build script prints. Its progress shows on stderr.
 */
export function pinnedBinaryDir(): string {
  const given = process.env[E2E_ENV.binDir];
  if (given) return given;
  const stdout = execFileSync('bash', [BUILD_SCRIPT], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  const binDir = stdout.trim().split('\n').pop();
  if (!binDir) throw new Error(`${BUILD_SCRIPT} printed no binary directory.`);
  return binDir;
}

export function pinnedBinaries(): ClusterBinaries {
  return binariesIn(pinnedBinaryDir());
}

/** The ASMPVL_E2E_* variables through which the harness's kubectl/helm helpers find a running cluster. */
export function clusterEnvironment(cluster: Cluster, binaries: ClusterBinaries): Record<string, string> {
  return {
    [E2E_ENV.kubeconfig]: cluster.kubeconfigPath,
    [E2E_ENV.kubectl]: binaries.kubectl,
    [E2E_ENV.helm]: binaries.helm,
    [E2E_ENV.dir]: cluster.dir,
    [E2E_ENV.server]: cluster.server,
    [E2E_ENV.binDir]: dirname(binaries.kubectl),
  };
}
