/**
 * Plugin start: `kubectl asmpvl status` as a user runs it (a fresh process every time, the bundled
 * file) against `kubectl get asmpvlconfig default -o json` on the same object, in the same run,
 * interleaved so both see the same machine. The object holds 100 clusters in spec and status.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Cluster, ClusterBinaries } from '../e2e/harness/cluster';
import { installAsmpvlCrd, kubectl, mustSucceed } from '../e2e/harness';
import { configWithClusters } from './core.bench';
import { withBenchCluster } from './sandbox';

const root = join(__dirname, '../..');
const BUNDLE = join(root, 'dist/kubectl-asmpvl.cjs');

export interface StartFigures {
  medianMs: number;
  p90Ms: number;
  minMs: number;
}

export interface PluginStartBench {
  clusters: number;
  runs: number;
  /** `node dist/kubectl-asmpvl.cjs status` */
  status: StartFigures;
  /** `kubectl asmpvl status`: kubectl finds the plugin on PATH and execs it. */
  statusThroughKubectl: StartFigures;
  /** The bundle with its V8 code cache turned off (ASMPVL_NO_COMPILE_CACHE=1): what the cache saves. */
  statusWithoutCodeCache: StartFigures;
  /** The very first run after install, before any code cache exists. */
  firstRunMs: number;
  /** `kubectl get asmpvlconfig default -o json` */
  kubectlGet: StartFigures;
  /** status median / kubectl get median. */
  ratio: number;
  ratioThroughKubectl: number;
}

function figures(samples: number[]): StartFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { medianMs: at(0.5), p90Ms: at(0.9), minMs: sorted[0]! };
}

/** Wall time of one run of `command`, from spawn to exit; throws unless it exits 0. */
function timeRun(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const elapsed = performance.now() - started;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

/** Every link of every cluster Active and Connected, as connect would leave it. */
export function availableStatus(
  config: { spec: { ackVpcEndpoint: Array<{ clusterId: string }> } },
  generation: number,
): unknown {
  const id = (prefix: string, n: number) => `${prefix}-bp1${n.toString(36).padStart(17, '0')}`;
  const domain = (endpoint: string, service: string) => `${endpoint}.${service}.cn-hangzhou.privatelink.aliyuncs.com`;
  const pilotService = id('epsrv', 0);
  const clusters = config.spec.ackVpcEndpoint.map(({ clusterId }, i) => {
    const service = id('epsrv', 1 + i);
    const endpoint = id('ep', 1 + i);
    return {
      clusterId,
      pvlEndpoint: {
        connectionStatus: 'Connected',
        domainName: domain(endpoint, service),
        id: endpoint,
        status: 'Active',
      },
      pvlEndpointService: { id: service, name: `com.aliyuncs.privatelink.cn-hangzhou.${service}`, status: 'Active' },
    };
  });
  const pilotClusters = config.spec.ackVpcEndpoint.map(({ clusterId }, i) => {
    const endpoint = id('ep', 5000 + i);
    return {
      clusterId,
      pvlEndpoint: {
        connectionStatus: 'Connected',
        domainName: domain(endpoint, pilotService),
        id: endpoint,
        status: 'Active',
      },
    };
  });
  return {
    clusters,
    pilot: {
      clusters: pilotClusters,
      pvlEndpointService: {
        id: pilotService,
        name: `com.aliyuncs.privatelink.cn-hangzhou.${pilotService}`,
        status: 'Active',
      },
    },
    // The mesh runs every cluster: without it the status is not Available and `status` exits 1.
    mesh: {
      serviceMeshId: `c${'0'.repeat(32)}`,
      clusters: config.spec.ackVpcEndpoint.map(({ clusterId }) => ({ clusterId, inMesh: true, state: 'running' })),
    },
    status: 'Available',
    observedGeneration: generation,
    conditions: [
      {
        type: 'SANSynced',
        status: 'True',
        reason: 'DomainsInCertificates',
        message: 'every cluster lists its endpoint domain',
      },
      {
        type: 'MeshReady',
        status: 'True',
        reason: 'Running',
        message: 'the service mesh reports every cluster running',
      },
    ],
  };
}

/** Starts an API server, stores the object, times the runs, and stops everything it started. */
export async function benchPluginStart(options: { runs?: number; clusters?: number } = {}): Promise<PluginStartBench> {
  const runs = options.runs ?? 30;
  const clusterCount = options.clusters ?? 100;
  const pluginDir = mkdtempSync(join(tmpdir(), 'asmpvl-bench-plugin-'));
  try {
    return await withBenchCluster((cluster, bins) => timeStarts(cluster, bins, pluginDir, runs, clusterCount));
  } finally {
    rmSync(pluginDir, { recursive: true, force: true });
  }
}

async function timeStarts(
  cluster: Cluster,
  bins: ClusterBinaries,
  pluginDir: string,
  runs: number,
  clusterCount: number,
): Promise<PluginStartBench> {
  await installAsmpvlCrd();
  const config = configWithClusters(clusterCount) as { spec: { ackVpcEndpoint: Array<{ clusterId: string }> } };
  await mustSucceed(
    kubectl(['create', '-f', '-'], { input: JSON.stringify(config) }),
    'kubectl create asmpvlconfig/default',
  );
  const status = availableStatus(config, 1);
  await mustSucceed(
    kubectl([
      'patch',
      'asmpvlconfig',
      'default',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status }),
    ]),
    'kubectl patch --subresource=status',
  );

  // kubectl finds `kubectl-asmpvl` on PATH; its `#!/usr/bin/env node` finds this same node.
  symlinkSync(BUNDLE, join(pluginDir, 'kubectl-asmpvl'));
  const env = {
    ...process.env,
    KUBECONFIG: cluster.kubeconfigPath,
    KUBECACHEDIR: join(cluster.dir, 'kube-cache'),
    // A cache directory of this run only, so the first run really has no code cache.
    XDG_CACHE_HOME: join(pluginDir, 'cache'),
    PATH: [pluginDir, dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
  };
  const firstRunMs = await timeRun(process.execPath, [BUNDLE, 'status'], env);
  const commands = {
    kubectlGet: [bins.kubectl, ['get', 'asmpvlconfig', 'default', '-o', 'json'], env],
    status: [process.execPath, [BUNDLE, 'status'], env],
    statusThroughKubectl: [bins.kubectl, ['asmpvl', 'status'], env],
    statusWithoutCodeCache: [process.execPath, [BUNDLE, 'status'], { ...env, ASMPVL_NO_COMPILE_CACHE: '1' }],
  } as const;
  type Name = keyof typeof commands;
  const samples: Record<Name, number[]> = {
    kubectlGet: [],
    status: [],
    statusThroughKubectl: [],
    statusWithoutCodeCache: [],
  };
  // Two untimed rounds fill kubectl's discovery cache and the page cache for every contestant.
  for (let round = -2; round < runs; round++) {
    for (const [name, [command, args, commandEnv]] of Object.entries(commands) as Array<
      [Name, readonly [string, readonly string[], NodeJS.ProcessEnv]]
    >) {
      const elapsed = await timeRun(command, [...args], commandEnv);
      if (round >= 0) samples[name].push(elapsed);
    }
  }
  const result = {
    clusters: clusterCount,
    runs,
    status: figures(samples.status),
    statusThroughKubectl: figures(samples.statusThroughKubectl),
    statusWithoutCodeCache: figures(samples.statusWithoutCodeCache),
    firstRunMs,
    kubectlGet: figures(samples.kubectlGet),
  };
  return {
    ...result,
    ratio: result.status.medianMs / result.kubectlGet.medianMs,
    ratioThroughKubectl: result.statusThroughKubectl.medianMs / result.kubectlGet.medianMs,
  };
}
