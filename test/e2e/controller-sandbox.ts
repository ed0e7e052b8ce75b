// The controller as the Deployment runs it, but as a local process: dist/asmpvl-controller.cjs with
// --kubeconfig pointing at the shared API server and --cloud-endpoint at the emulator. Not a test file.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { kubectl, mustSucceed } from './harness';
import type { Sandbox } from './provisioning-sandbox';
import type { World } from '../emulator';

export const CONTROLLER = join(__dirname, '..', '..', 'dist', 'asmpvl-controller.cjs');
export const LEASE_NAMESPACE = 'kube-system';
export const LEASE_NAME = 'asmpvl-controller-e2e';
/** The Lease of a second install, for the tests where two controllers meet on one object. */
export const OTHER_LEASE_NAME = 'asmpvl-controller-e2e-other';

export interface RunningController {
  child: ChildProcess;
  /** The health/metrics port it reported. */
  port: number;
  /** Every JSON log line so far. */
  logs(): Array<Record<string, unknown>>;
  metrics(): Promise<string>;
  /** One counter or gauge value from /metrics, summed over the label sets that match `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** SIGTERM and wait for the exit (SIGKILL after 20 s). */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

export interface ControllerOptions {
  resyncPeriod?: string;
  leaderElect?: boolean;
  extraArgs?: string[];
  /** Another build of the controller bundle (a benchmark's baseline); default dist/asmpvl-controller.cjs. */
  bundle?: string;
}

/** Starts the bundled controller against the sandbox's emulator and the shared API server. */
export async function startController(sandbox: Sandbox, options: ControllerOptions = {}): Promise<RunningController> {
  const args = [
    options.bundle ?? CONTROLLER,
    ...sandbox.processArgs,
    '--resync-period',
    options.resyncPeriod ?? '10m',
    `--leader-elect=${options.leaderElect ?? true}`,
    '--leader-election-namespace',
    LEASE_NAMESPACE,
    '--leader-election-id',
    LEASE_NAME,
    '--lease-duration',
    '4s',
    '--renew-deadline',
    '3s',
    '--retry-period',
    '500ms',
    '--health-port',
    '0',
    '--bind-address',
    '127.0.0.1',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, { env: sandbox.processEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ msg: part });
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const started = lines.find((line) => line.msg === 'asmpvl-controller starting');
      if (started) {
        clearInterval(timer);
        resolve(Number(started.health));
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`asmpvl-controller exited with ${code} before it started: ${stderr}`));
    });
  });
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const stop = async () => {
    if (child.exitCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return {
    child,
    port,
    logs: () => lines,
    metrics,
    metric: async (name, labels = {}) => metricValue(await metrics(), name, labels),
    stop,
    kill: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Sums the samples of `name` whose labels include `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? ([0-9.e+-]+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      (match[2] ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => {
          const [key, value] = pair.split('=');
          return [key, value?.replace(/^"|"$/g, '')];
        }),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

/** The object a user applies: the sandbox world's clusters, with the mesh id annotated. */
export function configFor(sandbox: Sandbox, clusterIds: string[], deletionPolicy = 'Delete'): string {
  return configForWorld(sandbox.emulator.world, clusterIds, deletionPolicy);
}

/** The object a user applies for `clusterIds` of an emulated world: each cluster's vSwitches in the mesh's zones. */
export function configForWorld(world: World, clusterIds: string[], deletionPolicy = 'Delete'): string {
  const mesh = world.serviceMesh;
  const zoneOf = (vSwitchId: string) => world.vSwitches.find((candidate) => candidate.vSwitchId === vSwitchId)!.zoneId;
  const asmZones = new Set(mesh.vSwitchIds.map(zoneOf));
  const clusters = clusterIds.map((clusterId) => {
    const cluster = world.clusters.find((candidate) => candidate.clusterId === clusterId)!;
    const vSwitches = cluster.vSwitchIds
      .filter((vSwitchId) => asmZones.has(zoneOf(vSwitchId)))
      .map((vSwitchId) => ({ vSwitchId, zoneId: zoneOf(vSwitchId) }));
    return { clusterId, vSwitches };
  });
  return JSON.stringify({
    apiVersion: 'istio.alibabacloud.com/v1beta1',
    kind: 'ASMPvlConfig',
    metadata: { name: 'default', annotations: { 'asmpvl.io/mesh-id': mesh.serviceMeshId } },
    spec: {
      ackVpcEndpoint: clusters,
      asmVpcEndpoint: { vSwitches: mesh.vSwitchIds.map((vSwitchId) => ({ vSwitchId, zoneId: zoneOf(vSwitchId) })) },
      deletionPolicy,
    },
  });
}

/** kubectl apply of `json`. */
export async function apply(json: string): Promise<void> {
  await mustSucceed(kubectl(['apply', '-f', '-'], { input: json }), 'kubectl apply');
}

/** An Event about asmpvlconfig/default, as the API server returns it. */
export interface ConfigEventObject {
  metadata: { name: string; namespace: string };
  type: string;
  reason: string;
  message: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
}

/** The Event objects recorded about asmpvlconfig/default, in every namespace. */
export async function configEventObjects(): Promise<ConfigEventObject[]> {
  const result = await mustSucceed(
    kubectl([
      'get',
      'events',
      '-A',
      '--field-selector',
      'involvedObject.kind=ASMPvlConfig,involvedObject.name=default',
      '-o',
      'json',
    ]),
    'kubectl get events',
  );
  return (JSON.parse(result.stdout) as { items: ConfigEventObject[] }).items;
}

/** The Events recorded about asmpvlconfig/default: `type/reason: message`. */
export async function eventsOfConfig(): Promise<string[]> {
  return (await configEventObjects()).map((event) => `${event.type}/${event.reason}: ${event.message}`);
}

/** Deletes the controller's Lease and the object (finalizer included: a test's leftovers must not block the next). */
export async function resetControllerState(): Promise<void> {
  await kubectl(['delete', 'lease', '-n', LEASE_NAMESPACE, LEASE_NAME, OTHER_LEASE_NAME, '--ignore-not-found']);
  await kubectl(['patch', 'asmpvlconfig', 'default', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  await kubectl(['delete', 'asmpvlconfig', 'default', '--ignore-not-found', '--wait=true', '--timeout=30s']);
  await kubectl(['delete', 'events', '-n', 'default', '--all']);
}
