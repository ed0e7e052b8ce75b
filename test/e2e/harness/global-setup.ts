import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { binariesIn, startCluster, type Cluster } from './cluster';
import { E2E_ENV } from './environment';

// The teardown runs in this same process and finds the cluster here.
export const CLUSTER_KEY = Symbol.for('asmpvl.e2e.cluster');
export const SIGNAL_HANDLERS_KEY = Symbol.for('asmpvl.e2e.signalHandlers');

type GlobalWithCluster = typeof globalThis & {
  [CLUSTER_KEY]?: Cluster;
  [SIGNAL_HANDLERS_KEY]?: Array<[NodeJS.Signals, () => void]>;
};

const BUILD_SCRIPT = join(__dirname, '..', 'tools', 'build.sh');
// The cold build takes about 7 minutes on 2 cores; a cached run well under a second.
const BUILD_TIMEOUT_MS = 45 * 60_000;

/**
 * Jest global setup of the e2e project: starts one API server for the whole run and publishes
 * it to the test files through the ASMPVL_E2E_* variables (see environment.ts).
 */
export default async function globalSetup(): Promise<void> {
  const binDir = process.env[E2E_ENV.binDir] || buildBinaries();
  const binaries = binariesIn(binDir);
  const started = Date.now();
  const cluster = await startCluster(binaries);
  process.stderr.write(`\nasmpvl e2e: API server ready at ${cluster.server} in ${((Date.now() - started) / 1000).toFixed(1)} s (${cluster.dir})\n`);
  (globalThis as GlobalWithCluster)[CLUSTER_KEY] = cluster;
  stopOnSignals(cluster);
  Object.assign(process.env, {
    [E2E_ENV.kubeconfig]: cluster.kubeconfigPath,
    [E2E_ENV.kubectl]: binaries.kubectl,
    [E2E_ENV.helm]: binaries.helm,
    [E2E_ENV.dir]: cluster.dir,
    [E2E_ENV.server]: cluster.server,
    [E2E_ENV.binDir]: binDir,
  });
}

/** Runs the (cached) build and returns the directory it prints; its progress shows on stderr. */
function buildBinaries(): string {
  const stdout = execFileSync('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  const binDir = stdout.trim().split('\n').pop();
  if (!binDir) throw new Error(`${BUILD_SCRIPT} printed no binary directory.`);
  return binDir;
}

// Ctrl-C or a CI cancellation must not leave etcd and kube-apiserver running: stop them, then
// exit with the signal's conventional code.
function stopOnSignals(cluster: Cluster): void {
  const handlers: Array<[NodeJS.Signals, () => void]> = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => {
    const handler = () => {
      process.stderr.write(`\nasmpvl e2e: ${signal}, stopping the API server\n`);
      void cluster.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129));
    };
    process.once(signal, handler);
    return [signal, handler];
  });
  (globalThis as GlobalWithCluster)[SIGNAL_HANDLERS_KEY] = handlers;
}

/** Used by the teardown. */
export function takeCluster(): { cluster: Cluster | undefined; handlers: Array<[NodeJS.Signals, () => void]> } {
  const global = globalThis as GlobalWithCluster;
  const result = { cluster: global[CLUSTER_KEY], handlers: global[SIGNAL_HANDLERS_KEY] ?? [] };
  delete global[CLUSTER_KEY];
  delete global[SIGNAL_HANDLERS_KEY];
  return result;
}
