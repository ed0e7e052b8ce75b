/**
 * Provisioning at scale: one `kubectl asmpvl connect <id>...` (the bundled plugin, a child process)
 * for 1, 10 and 100 clusters against the cloud emulator with its default delays (activations take
 * seconds) and per-action rate limits on, and a real API server. Each size gets a fresh world and
 * a fresh object; the connect is then run a second time on the converged system.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_DELAYS, type EmulatorDelays, makeWorld, type RateLimits, type RequestLogEntry } from '../emulator';
import { installAsmpvlCrd } from '../e2e/harness/asmpvl';
import { kubectl } from '../e2e/harness/commands';
import { inventorySummary, type Sandbox, startSandbox } from '../e2e/provisioning-sandbox';
import { withBenchCluster } from './sandbox';

/**
 * The cloud's flow control as the bench assumes it (the real limits are not published): writes
 * 10 calls a second per action, reads 20. The emulator refuses the excess with Throttling.User.
 */
export const CLOUD_RATE_LIMITS: RateLimits = {
  '*': 20,
  CreateVpcEndpointService: 10,
  CreateVpcEndpoint: 10,
  EnableVpcEndpointConnection: 10,
  AddZoneToVpcEndpoint: 10,
  ModifyCluster: 10,
  AddClusterIntoServiceMesh: 10,
};

export interface ProvisioningRow {
  clusters: number;
  wallMs: number;
  /** The emulator's own delays along the longest chain the cloud enforces (see criticalPathMs). */
  criticalPathMs: number;
  /** The chain the plugin follows by design (SANs only once the link is Connected). */
  pluginChainMs: number;
  /** Admitted writes of the busiest action divided by its rate limit: what no client can beat. */
  rateFloorMs: number;
  /** max(critical path, rate floor). */
  lowerBoundMs: number;
  /** wall / lower bound. */
  overhead: number;
  callsPerCluster: number;
  mutatingPerCluster: number;
  /** Answers the cloud refused with throttling (rate limit), all retried by the plugin. */
  throttled: number;
  /** Throttling error text reached the user, or the run failed. */
  failed: boolean;
  secondRunMs: number;
  secondRunCalls: number;
  secondRunMutating: number;
  /** Exactly one service per cluster + the Pilot one, two endpoints per cluster. */
  inventoryExact: boolean;
}

export interface ProvisioningBench {
  delays: EmulatorDelays;
  rateLimits: RateLimits;
  rows: ProvisioningRow[];
}

/**
 * The shortest time any client could take, from the emulator's delays. Per cluster, two chains run
 * side by side, each gated by what the cloud refuses before it: an endpoint needs an Active
 * service (IncorrectStatus.VpcEndpointService), a connection can be accepted only once the endpoint
 * is Active, and a SAN append needs only the endpoint's domain, known when CreateVpcEndpoint
 * answers. So: service create, then the longer of (endpoint create + connection) and the cluster
 * task of the SAN append. When the run adds clusters to the mesh, the mesh's join delay runs from
 * the add, which could be sent first, so it only bounds from below.
 */
export function criticalPathMs(delays: EmulatorDelays, joinsMesh: boolean): number {
  const links = delays.serviceCreateMs + Math.max(delays.endpointCreateMs + delays.connectMs, delays.clusterTaskMs);
  return joinsMesh ? Math.max(links, delays.meshJoinMs) : links;
}

/** The plugin's chain: SANs are appended only for a Connected link (a SAN for a link that never comes up would be left behind). */
export function pluginChainMs(delays: EmulatorDelays, joinsMesh: boolean): number {
  const links = delays.serviceCreateMs + delays.endpointCreateMs + delays.connectMs + delays.clusterTaskMs;
  return joinsMesh ? Math.max(links, delays.meshJoinMs) : links;
}

export function rateFloorMs(entries: RequestLogEntry[], limits: RateLimits): number {
  const admitted = new Map<string, number>();
  for (const entry of entries) {
    if (!entry.mutating || entry.faults?.includes('rate-limit')) continue;
    admitted.set(entry.action, (admitted.get(entry.action) ?? 0) + 1);
  }
  let floor = 0;
  for (const [action, count] of admitted) {
    const limit = limits[action] ?? limits['*'];
    // The first `limit` calls fit in the first second's window.
    if (limit) floor = Math.max(floor, (Math.ceil(count / limit) - 1) * 1000);
  }
  return floor;
}

async function timeConnect(
  sandbox: Sandbox,
  clusterIds: string[],
): Promise<{ ms: number; code: number; stderr: string }> {
  const started = performance.now();
  const result = await sandbox.plugin(['connect', ...clusterIds, '--mesh-id', sandbox.meshId, '--timeout', '15m'], {
    timeoutMs: 20 * 60_000,
  });
  return { ms: performance.now() - started, code: result.code, stderr: result.stderr };
}

async function benchSize(clusters: number, delays: EmulatorDelays): Promise<ProvisioningRow> {
  const sandbox = await startSandbox(delays, {
    world: makeWorld({ clusters, seed: clusters }),
    rateLimits: CLOUD_RATE_LIMITS,
  });
  try {
    await sandbox.deleteObject();
    const ids = sandbox.allClusters;
    const first = await timeConnect(sandbox, ids);
    const firstLog = sandbox.emulator.requests();
    const failed = first.code !== 0 || /error:/.test(first.stderr);
    if (failed)
      console.error(
        `connect of ${clusters} cluster(s) exited ${first.code}:\n${first.stderr.split('\n').slice(-15).join('\n')}`,
      );
    const summary = inventorySummary(sandbox.inventory());
    const inventoryExact =
      summary.services.length === clusters + 1 &&
      summary.endpoints.length === 2 * clusters &&
      new Set(summary.services).size === summary.services.length &&
      new Set(summary.endpoints).size === summary.endpoints.length;
    const second = await timeConnect(sandbox, ids);
    const secondLog = sandbox.emulator.requests().slice(firstLog.length);
    const joinsMesh = firstLog.some((entry) => entry.action === 'AddClusterIntoServiceMesh');
    const critical = criticalPathMs(delays, joinsMesh);
    const floor = rateFloorMs(firstLog, CLOUD_RATE_LIMITS);
    const lowerBound = Math.max(critical, floor);
    return {
      clusters,
      wallMs: first.ms,
      criticalPathMs: critical,
      pluginChainMs: pluginChainMs(delays, joinsMesh),
      rateFloorMs: floor,
      lowerBoundMs: lowerBound,
      overhead: first.ms / lowerBound,
      callsPerCluster: firstLog.length / clusters,
      mutatingPerCluster: firstLog.filter((entry) => entry.mutating).length / clusters,
      throttled: firstLog.filter((entry) => entry.faults?.includes('rate-limit')).length,
      failed: failed || second.code !== 0 || /Throttling/.test(first.stderr + second.stderr),
      secondRunMs: second.ms,
      secondRunCalls: secondLog.length,
      secondRunMutating: secondLog.filter((entry) => entry.mutating).length,
      inventoryExact,
    };
  } finally {
    await sandbox.deleteObject().catch(() => undefined);
    await sandbox.stop();
  }
}

/** Runs each size against one API server, a fresh emulator world per size. */
export async function benchProvisioning(
  options: { sizes?: number[]; delays?: Partial<EmulatorDelays> } = {},
): Promise<ProvisioningBench> {
  const delays = { ...DEFAULT_DELAYS, ...options.delays };
  const sizes = options.sizes ?? [1, 10, 100];
  const rows = await withBenchCluster(async () => {
    // A new API server's first write of a new kind takes ~2 s (seen with kubectl too), once per
    // server: pay it here, not inside the first row, which it would make ~2 s slower than a user sees.
    await installAsmpvlCrd();
    await kubectl(['create', '--dry-run=server', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'istio.alibabacloud.com/v1beta1',
        kind: 'ASMPvlConfig',
        metadata: { name: 'default' },
      }),
    });
    const measured: ProvisioningRow[] = [];
    for (const clusters of sizes) measured.push(await benchSize(clusters, delays));
    return measured;
  });
  return { delays, rateLimits: CLOUD_RATE_LIMITS, rows };
}
