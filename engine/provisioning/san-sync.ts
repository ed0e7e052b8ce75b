/**
 * SAN sync: every connected cluster's API server certificate lists the domain of its API-server
 * endpoint (status.clusters[].pvlEndpoint.domainName), or the control plane's TLS check against
 * that API server fails.
 *
 * Append only. ACK's ModifyCluster is sent with `action: append`, never `overwrite`; the list is
 * read back once the cluster task ends and must hold every SAN that was there before plus the
 * domain. `disconnect` never removes SANs: ModifyCluster has no precondition, so an `overwrite`
 * computed from a read could drop a SAN someone appended in between; a leftover SAN names a
 * deleted endpoint's domain, which embeds the endpoint's unique id and is never handed out again.
 */
import type { ClusterTask } from '../cloud/ack';
import type { ProvisioningCloud } from './cloud-port';
import { type Deadline, pollUntil, type WaitPolicy } from './waits';

/** DNS names compare without regard to case. */
function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export interface SanDecision {
  /** What to send with `action: append`; empty when nothing is missing. */
  append: string[];
  /** What the certificate must list afterwards: every SAN there now, then the appended ones. */
  expected: string[];
}

/** What to append so that `existing` also lists every one of `domains`. Pure; never drops anything. */
export function decideSanAppend(existing: readonly string[], domains: readonly string[]): SanDecision {
  const append: string[] = [];
  for (const domain of domains) {
    const name = domain.trim();
    if (name === '') continue;
    if (existing.some((san) => sameName(san, name)) || append.some((san) => sameName(san, name))) continue;
    append.push(name.toLowerCase());
  }
  return { append, expected: [...existing, ...append] };
}

export interface SanVerdict {
  ok: boolean;
  /** SANs that were there before and are gone. */
  dropped: string[];
  /** Domains that should be there and are not. */
  missing: string[];
}

/** Whether `after` is a superset of `before` and lists every domain. */
export function verifySans(
  before: readonly string[],
  after: readonly string[],
  domains: readonly string[],
): SanVerdict {
  const has = (name: string) => after.some((san) => sameName(san, name));
  const dropped = before.filter((san) => !has(san));
  const missing = domains.filter((domain) => domain.trim() !== '' && !has(domain.trim()));
  return { ok: dropped.length === 0 && missing.length === 0, dropped, missing };
}

/** Why a cluster's SANs could not be synced, for a person. */
export class SanSyncError extends Error {
  override readonly name = 'SanSyncError';
  constructor(
    readonly clusterId: string,
    readonly step: string,
    message: string,
    readonly requestId?: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export interface SanSyncResult {
  clusterId: string;
  domain: string;
  /** Already listed: nothing was sent. */
  alreadyPresent: boolean;
  before: string[];
  after: string[];
  taskId?: string;
  requestId?: string;
}

export interface SanSyncOptions {
  deadline: Deadline;
  waits: WaitPolicy;
  signal?: AbortSignal;
  /** A deterministic ClientToken for the ModifyCluster call. */
  clientToken: string;
  onStep?: (step: string) => void;
}

// While a cluster task (say, an earlier SAN update) runs, the cluster is `updating` and refuses
// another change: wait for it to be running first. With `settled`, the first look may be the
// run's own earlier read of the cluster (discovery's); every further look, and the read-back after
// ModifyCluster, asks ACK again.
async function runningClusterSans(
  cloud: ProvisioningCloud,
  clusterId: string,
  options: SanSyncOptions,
  settled: boolean,
): Promise<string[]> {
  let fresh = !settled;
  const detail = await pollUntil(
    () => {
      const read = cloud.describeCluster(clusterId, { fresh });
      fresh = true;
      return read;
    },
    (cluster) => cluster.state !== 'updating',
    {
      ...options,
      what: `cluster ${clusterId} to finish its running task (state updating)`,
      describe: (cluster) => `state ${cluster.state ?? 'unknown'}`,
    },
  );
  if (detail.state !== undefined && detail.state !== 'running') {
    throw new SanSyncError(
      clusterId,
      'read the API server certificate SANs',
      `cluster ${clusterId} is ${detail.state}; SANs can be changed only on a running cluster. Fix the cluster in the ACK console, then run sync-san again.`,
    );
  }
  return detail.apiServerCertSans;
}

/**
 * Makes `clusterId`'s API server certificate list `domain`: reads the SANs, appends the domain if
 * missing (the API server restarts), waits for the cluster task, reads back and verifies.
 */
export async function syncClusterSans(
  cloud: ProvisioningCloud,
  clusterId: string,
  domain: string,
  options: SanSyncOptions,
): Promise<SanSyncResult> {
  const before = await runningClusterSans(cloud, clusterId, options, true);
  const decision = decideSanAppend(before, [domain]);
  if (decision.append.length === 0) return { clusterId, domain, alreadyPresent: true, before, after: before };

  options.onStep?.(`append ${domain} to the API server certificate SANs of ${clusterId} (the API server restarts)`);
  const appended = await cloud.appendCertSans(clusterId, decision.append, options.clientToken);
  if (appended.taskId) {
    const task = await pollUntil(
      () => cloud.describeTask(appended.taskId!),
      (candidate) => candidate.state !== 'running',
      {
        ...options,
        what: `ACK task ${appended.taskId} (SANs of ${clusterId})`,
        describe: (candidate: ClusterTask) => `state ${candidate.state ?? 'unknown'}`,
      },
    );
    if (task.state !== 'success') {
      const reason = task.error
        ? `${task.error.code ?? ''} ${task.error.message ?? ''}`.trim()
        : `ended ${task.state ?? 'without a state'}`;
      throw new SanSyncError(
        clusterId,
        'update the API server certificate SANs',
        `ACK task ${task.taskId} for cluster ${clusterId} failed: ${reason} (request id ${appended.requestId ?? 'unknown'}). Check the cluster's events in the ACK console, then run sync-san again.`,
        appended.requestId,
      );
    }
  }
  const after = await runningClusterSans(cloud, clusterId, options, false);
  const verdict = verifySans(before, after, [domain]);
  if (!verdict.ok) {
    const parts = [
      verdict.missing.length > 0 ? `${verdict.missing.join(', ')} is still missing` : '',
      verdict.dropped.length > 0 ? `${verdict.dropped.join(', ')} disappeared (was there before)` : '',
    ].filter(Boolean);
    throw new SanSyncError(
      clusterId,
      'verify the API server certificate SANs',
      `after the update, cluster ${clusterId}'s SANs do not hold up: ${parts.join('; ')}. Nothing more was changed; check the SANs in the ACK console.`,
      appended.requestId,
    );
  }
  return {
    clusterId,
    domain,
    alreadyPresent: false,
    before,
    after,
    taskId: appended.taskId,
    requestId: appended.requestId,
  };
}
