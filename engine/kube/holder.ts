/**
 * Who holds the provisioning Lease, kept apart from the Lease client (engine/kube/lease.ts) so that
 * judging a holder loads no Kubernetes client.
 */
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

// Created once per process. Host and pid alone are not unique: containers and CI runners share host
// names and each counts pids from 1, so two live runs could write the same identity and each take the
// other's Lease for its own.
const PROCESS_SUFFIX = `r${randomBytes(6).toString('hex')}`;

/** The pid namespace this process counts pids in (its inode), or `unknown` where /proc does not say. */
function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The identity written into the Lease: which process, in which pid namespace, on which host, plus a
 * random suffix unique to this process: `kubectl-asmpvl@host/pid/pidns.r1a2b3c4d5e6`.
 */
export function holderIdentity(): string {
  return `kubectl-asmpvl@${hostname()}/${process.pid}/${pidNamespace()}.${PROCESS_SUFFIX}`;
}

/**
 * The pid of a holder that runs in this host's pid namespace (so its pid can be checked here), or
 * undefined for any other holder: another machine, another container with the same host name, a
 * controller. Identities of the old form (`host/pid`, before the suffix) are read as they were written.
 */
export function localHolderPid(holder: string, host = hostname(), namespace = pidNamespace()): number | undefined {
  const current = /^kubectl-asmpvl@(.+)\/(\d+)\/([^/.]+)\.r[0-9a-f]+$/.exec(holder);
  if (current)
    return current[1] === host && current[3] === namespace && namespace !== 'unknown' ? Number(current[2]) : undefined;
  const old = /^kubectl-asmpvl@(.+)\/(\d+)$/.exec(holder);
  return old && old[1] === host ? Number(old[2]) : undefined;
}
