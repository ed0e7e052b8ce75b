import { startCluster, type Cluster } from './cluster';
import { GITOPS_BIN_DIR_ENV } from './environment';
import { clusterEnvironment, gitopsToolDir, pinnedBinaries } from './pinned';

// The teardown runs in this same process and finds the cluster here.
export const CLUSTER_KEY = Symbol.for('asmpvl.e2e.cluster');
export const SIGNAL_HANDLERS_KEY = Symbol.for('asmpvl.e2e.signalHandlers');

type GlobalWithCluster = typeof globalThis & {
  [CLUSTER_KEY]?: Cluster;
  [SIGNAL_HANDLERS_KEY]?: Array<[NodeJS.Signals, () => void]>;
};

/**
 * Jest global setup of the e2e project: starts one API server for the whole run and publishes
 * it to the test files through the ASMPVL_E2E_* variables (see environment.ts).
 */
export default async function globalSetup(): Promise<void> {
  const binaries = pinnedBinaries();
  // Built here, like the cluster's binaries, so a clean machine's first run needs nothing else.
  const gitopsBinDir = gitopsToolDir();
  const started = Date.now();
  const cluster = await startCluster(binaries);
  process.stderr.write(
    `\nasmpvl e2e: API server ready at ${cluster.server} in ${((Date.now() - started) / 1000).toFixed(1)} s (${cluster.dir})\n`,
  );
  (globalThis as GlobalWithCluster)[CLUSTER_KEY] = cluster;
  stopOnSignals(cluster);
  Object.assign(process.env, clusterEnvironment(cluster, binaries), { [GITOPS_BIN_DIR_ENV]: gitopsBinDir });
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
