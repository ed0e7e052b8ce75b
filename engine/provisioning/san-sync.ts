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
import type { ProvisioningCloud } from './cloud-port';
import { SanSyncError, SanTaskManager } from './managers/san-tasks';
import type { Deadline, WaitPolicy } from './waits';

export { SanSyncError } from './managers/san-tasks';

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
  const sanTasks = new SanTaskManager({
    cloud,
    deadline: options.deadline,
    waits: options.waits,
    signal: options.signal,
  });
  const before = await sanTasks.observe(clusterId, { settled: true });
  const decision = decideSanAppend(before, [domain]);
  if (decision.append.length === 0) return { clusterId, domain, alreadyPresent: true, before, after: before };

  options.onStep?.(`append ${domain} to the API server certificate SANs of ${clusterId} (the API server restarts)`);
  const appended = await sanTasks.create(clusterId, decision.append, options.clientToken);
  const after = await sanTasks.observe(clusterId, { settled: false });
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
