import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { binariesIn, type Cluster, type ClusterBinaries } from './cluster';
import { E2E_ENV, GITOPS_BIN_DIR_ENV } from './environment';

const TOOLS = join(__dirname, '..', 'tools');
// The cold build takes about 7 minutes on 2 cores; a cached run well under a second.
const BUILD_TIMEOUT_MS = 45 * 60_000;
// kstatus and argocd-health: about 1 to 6 minutes cold (module downloads and compiling
// k8s.io/apimachinery), well under a second cached.
const GITOPS_TIMEOUT_MS = 20 * 60_000;

/** Runs a (cached) build script of test/e2e/tools, its progress on stderr; the last line it prints. */
function builtDirectory(script: string, timeout: number): string {
  const stdout = execFileSync('bash', [join(TOOLS, script)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    timeout,
  });
  const binDir = stdout.trim().split('\n').pop();
  if (!binDir) throw new Error(`test/e2e/tools/${script} printed no binary directory.`);
  return binDir;
}

/**
 * The directory holding the pinned kube-apiserver, etcd, kubectl and helm: ASMPVL_E2E_BIN_DIR when
 * set, else what the (cached) build script prints. Its progress shows on stderr.
 */
export function pinnedBinaryDir(): string {
  return process.env[E2E_ENV.binDir] || builtDirectory('build.sh', BUILD_TIMEOUT_MS);
}

/**
 * The directory holding kstatus and argocd-health, the GitOps readers gitops.e2e.test.ts runs:
 * ASMPVL_E2E_GITOPS_BIN_DIR when set, else what the (cached) gitops-tools.sh prints.
 */
export function gitopsToolDir(): string {
  return process.env[GITOPS_BIN_DIR_ENV] || builtDirectory('gitops-tools.sh', GITOPS_TIMEOUT_MS);
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
