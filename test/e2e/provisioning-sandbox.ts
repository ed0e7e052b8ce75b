// What the provisioning e2e files share: the cloud emulator (in this process) with a two-cluster
// world, the bundled plugin run as a child process against the shared API server, and readers of
// what each side holds. Not a test file itself.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  type EmulatorDelays,
  type EmulatorState,
  type RamPolicy,
  type RateLimits,
  type RequestLogEntry,
  type RunningEmulator,
  startEmulator,
  TWO_CLUSTERS_WORLD,
  type World,
} from '../emulator';
import { adminKubeconfig, installAsmpvlCrd, kubectl, mustSucceed, type CommandResult } from './harness';

export const PLUGIN = join(__dirname, '..', '..', 'dist', 'kubectl-asmpvl.cjs');

/** Small delays keep the suite fast while every transition still takes real time. */
export const FAST_DELAYS: Partial<EmulatorDelays> = {
  serviceCreateMs: 300,
  serviceUpdateMs: 200,
  serviceDeleteMs: 250,
  endpointCreateMs: 400,
  endpointDeleteMs: 250,
  zoneCreateMs: 200,
  zoneDeleteMs: 200,
  connectMs: 300,
  disconnectMs: 200,
  clusterTaskMs: 400,
};

export interface StoredObject {
  metadata: { generation?: number; resourceVersion?: string; annotations?: Record<string, string> };
  spec: {
    ackVpcEndpoint?: Array<{ clusterId: string; vSwitches: Array<{ vSwitchId: string; zoneId: string }> }>;
    sanSync?: string;
  };
  status?: {
    status?: string;
    observedGeneration?: number;
    clusters?: Array<{
      clusterId: string;
      pvlEndpoint?: Record<string, string>;
      pvlEndpointService?: Record<string, string>;
    }>;
    pilot?: {
      clusters?: Array<{ clusterId: string; pvlEndpoint?: Record<string, string> }>;
      pvlEndpointService?: Record<string, string>;
    };
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      observedGeneration?: number;
    }>;
  };
}

export interface Sandbox {
  emulator: RunningEmulator;
  meshId: string;
  /** The world's two clusters: ack-hz-1 (zones j, i; one SAN already) and ack-hz-2 (zone k). */
  clusters: [string, string];
  /** Every cluster of the world, in its order (the two above in the default world). */
  allClusters: string[];
  /** What points a process (the plugin, the controller) at this sandbox: its flags... */
  processArgs: string[];
  /** ...and its environment (the emulator's access key; no KUBECONFIG or ASMPVL_MESH_ID from outside). */
  processEnv: NodeJS.ProcessEnv;
  /** Runs `kubectl asmpvl <args>` to the end. */
  plugin(args: string[], options?: { timeoutMs?: number }): Promise<CommandResult>;
  /** Starts `kubectl asmpvl <args>` and hands back the process, for killing it. */
  start(args: string[]): { child: ChildProcess; done: Promise<CommandResult> };
  /** asmpvlconfig/default as stored, or undefined. */
  object(): Promise<StoredObject | undefined>;
  /** Deletes asmpvlconfig/default and the provisioning lease. */
  deleteObject(): Promise<void>;
  /** Mutating requests the emulator saw since `since` (an index into its request log). */
  mutatingSince(since: number): RequestLogEntry[];
  inventory(): EmulatorState;
  stop(): Promise<void>;
}

/** Another world than the two-cluster fixture (benchmarks, chaos), and the cloud's per-action rate limits. */
export interface SandboxOptions {
  world?: World;
  rateLimits?: RateLimits;
  /** A RAM policy for the plugin's access key (the world's first); absent: allowed everything. */
  policy?: RamPolicy;
}

export async function startSandbox(
  delays: Partial<EmulatorDelays> = FAST_DELAYS,
  options: SandboxOptions = {},
): Promise<Sandbox> {
  await installAsmpvlCrd();
  const emulator = await startEmulator({
    world: options.world ?? TWO_CLUSTERS_WORLD,
    delays,
    rateLimits: options.rateLimits,
  });
  if (options.policy) emulator.setPolicy(emulator.credentials.accessKeyId, options.policy);
  const world = emulator.world;
  const common = [
    '--kubeconfig',
    adminKubeconfig().path,
    '--cloud-endpoint',
    emulator.url,
    '--region',
    emulator.regionId,
  ];
  const processEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credentials.accessKeySecret,
  };
  delete processEnv.KUBECONFIG;
  delete processEnv.ASMPVL_MESH_ID;
  const env: NodeJS.ProcessEnv = { ...processEnv, NO_COLOR: '1' };

  const start = (args: string[]) => {
    const child = spawn(process.execPath, [PLUGIN, ...args, ...common], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const done = new Promise<CommandResult>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) =>
        resolve({
          code: code ?? (signal === 'SIGKILL' ? 137 : 1),
          stdout: Buffer.concat(stdout).toString(),
          stderr: Buffer.concat(stderr).toString(),
        }),
      );
    });
    return { child, done };
  };

  const plugin = async (args: string[], options: { timeoutMs?: number } = {}) => {
    const { child, done } = start(args);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 100_000);
    try {
      return await done;
    } finally {
      clearTimeout(timer);
    }
  };

  const object = async () => {
    const result = await kubectl(['get', 'asmpvlconfig', 'default', '-o', 'json', '--ignore-not-found']);
    if (result.code !== 0) throw new Error(`kubectl get asmpvlconfig default failed: ${result.stderr}`);
    return result.stdout.trim() === '' ? undefined : (JSON.parse(result.stdout) as StoredObject);
  };

  const deleteObject = async () => {
    await mustSucceed(
      kubectl(['delete', 'asmpvlconfig', 'default', '--ignore-not-found', '--wait=true', '--timeout=30s']),
      'kubectl delete asmpvlconfig default',
    );
    await mustSucceed(
      kubectl(['delete', 'lease', '-n', 'kube-system', 'asmpvl-provisioning', '--ignore-not-found']),
      'kubectl delete lease',
    );
  };

  return {
    emulator,
    meshId: world.serviceMesh.serviceMeshId,
    clusters: [world.clusters[0]!.clusterId, world.clusters[1]?.clusterId ?? ''],
    allClusters: world.clusters.map((cluster) => cluster.clusterId),
    processArgs: common,
    processEnv,
    plugin,
    start,
    object,
    deleteObject,
    mutatingSince: (since) =>
      emulator
        .requests()
        .slice(since)
        .filter((entry) => entry.mutating),
    inventory: () => emulator.state(),
    stop: () => emulator.stop(),
  };
}

/** Counts of what the cloud holds, by kind and tag: what "no duplicate, no orphan" is checked on. */
export function inventorySummary(state: EmulatorState): { services: string[]; endpoints: string[] } {
  const tag = (tags: Array<{ key: string; value: string }>, key: string) =>
    tags.find((candidate) => candidate.key === key)?.value ?? '-';
  const live = <T extends { tags: Array<{ key: string; value: string }> }>(items: T[], status: (item: T) => string) =>
    items
      .filter((item) => status(item) !== 'Deleting')
      .map((item) => `${tag(item.tags, 'asmpvl.io/link')}/${tag(item.tags, 'asmpvl.io/cluster')}`)
      .sort();
  return {
    services: live(state.endpointServices, (service) => service.serviceStatus),
    endpoints: live(state.endpoints, (endpoint) => endpoint.endpointStatus),
  };
}

/** Waits until `check` holds, polling; throws with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
