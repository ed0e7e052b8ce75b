/**
 * Holding the provisioning Lease for a run: two `connect` runs at once would both create endpoint
 * services, so a run waits (up to its deadline) for another to finish. A holder that was killed on
 * this machine is recognised at once (its process is gone); any other expires after the TTL.
 */
import { hostname } from 'node:os';
import type { HeldLease, Kube } from '../kube';
import { localHolderPid } from '../kube/holder';
import type { Progress } from '../progress';
import { systemClock } from '../clock';
import { type Deadline, pollUntil, type WaitPolicy } from './waits';

/** Renewed every third of it; a killed run on another machine blocks others this long at most. */
export const LEASE_TTL_SECONDS = 30;

/** A holder running in this host's pid namespace whose process is gone (engine/kube/holder.ts). */
export function isHolderGone(holder: string, host: string, alive: (pid: number) => boolean): boolean {
  const pid = localHolderPid(holder, host);
  return pid !== undefined && !alive(pid);
}

function isBusy(error: unknown): boolean {
  return (error as { status?: unknown }).status === 409;
}

/** Takes the Lease, waiting while another run holds it; throws the last refusal at the deadline. */
export async function holdProvisioningLease(
  kube: Kube,
  options: {
    deadline: Deadline;
    progress: Progress;
    signal?: AbortSignal;
    /** Whether a process of this machine is alive (the caller asks the process table). */
    processAlive: (pid: number) => boolean;
  },
): Promise<HeldLease> {
  const { acquireProvisioningLease } = await import('../kube');
  let told = false;
  let lastRefusal: unknown;
  const waits: WaitPolicy = {
    clock: systemClock,
    initialMs: 1_000,
    lateFraction: 0,
    maxIntervalMs: 1_000,
    perWaitMs: Number.POSITIVE_INFINITY,
  };
  const held = await pollUntil(
    async () => {
      try {
        return await acquireProvisioningLease(kube, {
          ttlSeconds: LEASE_TTL_SECONDS,
          isHolderGone: (holder) => isHolderGone(holder, hostname(), options.processAlive),
        });
      } catch (error) {
        if (!isBusy(error)) throw error;
        lastRefusal = error;
        if (!told) options.progress.info(`waiting: ${(error as Error).message}`);
        told = true;
        return undefined;
      }
    },
    (lease) => lease !== undefined,
    {
      deadline: options.deadline,
      waits,
      signal: options.signal,
      what: 'the provisioning lease',
      describe: () => (lastRefusal as Error | undefined)?.message ?? '',
    },
  );
  return held!;
}
