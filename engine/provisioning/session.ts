/**
 * What a provisioning run holds: the cloud clients (cancelled by Ctrl-C or SIGTERM), a count of
 * the calls made, the deadline, and the progress display. The caller opens it (plugin/session.ts).
 */
import type { AccountClouds, Cloud } from '../cloud';
import type { Progress } from '../progress';
import type { ProvisioningCloud } from './cloud-port';
import type { Deadline } from './waits';

export interface CallCount {
  /** HTTP requests made, retries included. */
  calls: number;
  /** Of which to actions that change something. */
  mutating: number;
}

export interface Session {
  /** The mesh account's clients. */
  meshClients: Cloud;
  /** Every account's clients: the mesh's and one per cluster role. */
  accounts: AccountClouds;
  /** What a run provisions through (every account behind one port); cancelled by Ctrl-C / SIGTERM. */
  cloud: ProvisioningCloud;
  /**
   * Never cancelled: after a Ctrl-C the run still reads what the cloud holds and writes it to the
   * status, so the status tells the truth about where it stopped.
   */
  reportCloud: ProvisioningCloud;
  deadline: Deadline;
  signal: AbortSignal;
  progress: Progress;
  count: CallCount;
  /** Removes the signal handlers. */
  close(): void;
}
