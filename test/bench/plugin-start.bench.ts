/**
 * Plugin start: the plugin as a user runs it (a fresh process every time), as the self-contained
 * executable (SEA) and as the bundled file on Node, against kubectl on the same machine, in the
 * same run, interleaved so that every contestant sees the same machine: `status` against
 * `kubectl get asmpvlconfig default -o json` on an object of 100 clusters in spec and status,
 * `validate -f` on that object's manifest, and `--version` against `kubectl version --client`.
 * Also which sections of the plugin each command loaded (scripts/build.mjs), the code cache's
 * effect, and the first run after install.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Cluster, ClusterBinaries } from '../e2e/harness/cluster';
import { installAsmpvlCrd, kubectl, mustSucceed, patchStatus } from '../e2e/harness';
import { configWithClusters } from './core.bench';
import { withBenchCluster } from './sandbox';

const root = join(__dirname, '../..');
const BUNDLE = join(root, 'dist/kubectl-asmpvl.cjs');
const HOST_PLATFORM = `${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
const SEA = join(root, 'dist', `sea-${HOST_PLATFORM}`, 'kubectl-asmpvl');

export interface StartFigures {
  medianMs: number;
  p90Ms: number;
  minMs: number;
}

/** One contestant: what ran, its figures, and the plugin sections it loaded (none for kubectl). */
export interface StartRow {
  name: string;
  command: string;
  figures: StartFigures;
  sections?: string;
}

export interface PluginStartBench {
  clusters: number;
  runs: number;
  rows: StartRow[];
  /** The very first `status` after install, before any code cache exists (SEA). */
  firstRunMs: number;
  /** Seconds `npm run package:plugin` took for this machine's executable, when the bench had to build it. */
  seaBuildSeconds?: number;
  /** Ratios of medians. */
  ratios: {
    statusSeaToKubectlGet: number;
    statusBundleToKubectlGet: number;
    statusThroughKubectlToKubectlGet: number;
    versionSeaToKubectlVersion: number;
    versionBundleToKubectlVersion: number;
    validateSeaToKubectlGet: number;
  };
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

/** The sections a plugin command line loads, as the launcher reports them (ASMPVL_DEBUG_SECTIONS). */
function sectionsLoaded(command: string, args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(command, args, { env: { ...env, ASMPVL_DEBUG_SECTIONS: '1' }, encoding: 'utf8' });
  return /asmpvl sections: (.*)/.exec(result.stderr)?.[1] ?? '?';
}

/** This machine's executable, built by package-plugin.mjs when missing or older than the bundle. */
function ensureSea(): number | undefined {
  if (existsSync(SEA) && statSync(SEA).mtimeMs >= statSync(BUNDLE).mtimeMs) return undefined;
  const started = performance.now();
  execFileSync(process.execPath, [join(root, 'scripts/package-plugin.mjs'), `--platforms=${HOST_PLATFORM}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return (performance.now() - started) / 1000;
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
  const seaBuildSeconds = ensureSea();
  const pluginDir = mkdtempSync(join(tmpdir(), 'asmpvl-bench-plugin-'));
  try {
    const result = await withBenchCluster((cluster, bins) => timeStarts(cluster, bins, pluginDir, runs, clusterCount));
    return { ...result, seaBuildSeconds };
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
  await patchStatus(availableStatus(config, 1));
  const manifest = join(pluginDir, 'asmpvlconfig.json');
  writeFileSync(manifest, JSON.stringify(config));

  // kubectl finds `kubectl-asmpvl` on PATH: the executable, as krew installs it.
  const binDir = join(pluginDir, 'bin');
  execFileSync('mkdir', ['-p', binDir]);
  symlinkSync(SEA, join(binDir, 'kubectl-asmpvl'));
  const env = {
    ...process.env,
    KUBECONFIG: cluster.kubeconfigPath,
    KUBECACHEDIR: join(cluster.dir, 'kube-cache'),
    // A cache directory of this run only, so the first run really has no code cache.
    XDG_CACHE_HOME: join(pluginDir, 'cache'),
    PATH: [binDir, dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
  };
  const node = process.execPath;
  const firstRunMs = await timeRun(SEA, ['status'], env);
  const contestants: Array<{
    name: string;
    command: string;
    run: [string, string[], NodeJS.ProcessEnv];
    plugin: boolean;
  }> = [
    {
      name: 'kubectlGet',
      command: 'kubectl get asmpvlconfig default -o json',
      run: [bins.kubectl, ['get', 'asmpvlconfig', 'default', '-o', 'json'], env],
      plugin: false,
    },
    { name: 'statusSea', command: 'kubectl-asmpvl status (SEA)', run: [SEA, ['status'], env], plugin: true },
    {
      name: 'statusBundle',
      command: 'node dist/kubectl-asmpvl.cjs status',
      run: [node, [BUNDLE, 'status'], env],
      plugin: true,
    },
    {
      name: 'statusThroughKubectl',
      command: 'kubectl asmpvl status (SEA through kubectl)',
      run: [bins.kubectl, ['asmpvl', 'status'], env],
      plugin: false,
    },
    {
      name: 'statusSeaNoCache',
      command: 'kubectl-asmpvl status (SEA), no code cache',
      run: [SEA, ['status'], { ...env, ASMPVL_NO_COMPILE_CACHE: '1' }],
      plugin: true,
    },
    {
      name: 'validateSea',
      command: `kubectl-asmpvl validate -f (SEA, ${clusterCount} clusters)`,
      run: [SEA, ['validate', '-f', manifest], env],
      plugin: true,
    },
    {
      name: 'validateBundle',
      command: 'node dist/kubectl-asmpvl.cjs validate -f',
      run: [node, [BUNDLE, 'validate', '-f', manifest], env],
      plugin: true,
    },
    {
      name: 'kubectlVersion',
      command: 'kubectl version --client',
      run: [bins.kubectl, ['version', '--client'], env],
      plugin: false,
    },
    { name: 'versionSea', command: 'kubectl-asmpvl --version (SEA)', run: [SEA, ['--version'], env], plugin: true },
    {
      name: 'versionBundle',
      command: 'node dist/kubectl-asmpvl.cjs --version',
      run: [node, [BUNDLE, '--version'], env],
      plugin: true,
    },
  ];
  const samples = new Map<string, number[]>(contestants.map((c) => [c.name, []]));
  // Two untimed rounds fill kubectl's discovery cache, the code caches and the page cache for every contestant.
  for (let round = -2; round < runs; round++) {
    for (const { name, run } of contestants) {
      const elapsed = await timeRun(run[0], run[1], run[2]);
      if (round >= 0) samples.get(name)!.push(elapsed);
    }
  }
  const rows: StartRow[] = contestants.map(({ name, command, run, plugin }) => ({
    name,
    command,
    figures: figures(samples.get(name)!),
    sections: plugin ? sectionsLoaded(run[0], run[1], run[2]) : undefined,
  }));
  const median = (name: string) => rows.find((row) => row.name === name)!.figures.medianMs;
  return {
    clusters: clusterCount,
    runs,
    rows,
    firstRunMs,
    ratios: {
      statusSeaToKubectlGet: median('statusSea') / median('kubectlGet'),
      statusBundleToKubectlGet: median('statusBundle') / median('kubectlGet'),
      statusThroughKubectlToKubectlGet: median('statusThroughKubectl') / median('kubectlGet'),
      versionSeaToKubectlVersion: median('versionSea') / median('kubectlVersion'),
      versionBundleToKubectlVersion: median('versionBundle') / median('kubectlVersion'),
      validateSeaToKubectlGet: median('validateSea') / median('kubectlGet'),
    },
  };
}

/** Prints the section's table, for `npm run bench` and for a run of this file alone. */
export function printPluginStart(
  result: PluginStartBench,
  table: (rows: Array<Record<string, string | number>>) => string,
): void {
  console.log(
    table(
      result.rows.map((row) => ({
        command: row.command,
        'median ms': row.figures.medianMs,
        'p90 ms': row.figures.p90Ms,
        'min ms': row.figures.minMs,
        sections: row.sections ?? '',
      })),
    ),
  );
  console.log(
    `runs: ${result.runs} each, interleaved; first status after install (no code cache yet): ${result.firstRunMs.toFixed(0)} ms${
      result.seaBuildSeconds === undefined ? '' : `; SEA built for this run in ${result.seaBuildSeconds.toFixed(0)} s`
    }`,
  );
  const r = result.ratios;
  console.log(
    `ratios of medians: status SEA / kubectl get ${r.statusSeaToKubectlGet.toFixed(2)} (goal <= 1.0); bundle ${r.statusBundleToKubectlGet.toFixed(2)}; through kubectl ${r.statusThroughKubectlToKubectlGet.toFixed(2)}; --version SEA / kubectl version --client ${r.versionSeaToKubectlVersion.toFixed(2)}, bundle ${r.versionBundleToKubectlVersion.toFixed(2)}; validate -f SEA / kubectl get ${r.validateSeaToKubectlGet.toFixed(2)}`,
  );
}

if (require.main === module) {
  const runs = Number(process.env.ASMPVL_BENCH_RUNS ?? 30);
  void benchPluginStart({ runs }).then((result) => {
    const table = (rows: Array<Record<string, string | number>>) =>
      rows
        .map((row) =>
          Object.values(row)
            .map((v) => (typeof v === 'number' ? v.toFixed(1) : v))
            .join('  '),
        )
        .join('\n');
    printPluginStart(result, table);
  });
}
