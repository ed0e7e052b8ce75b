/**
 * The SAN task manager: a cluster's API server certificate SANs, and the ACK cluster task that
 * appends to them (ModifyCluster with `action: append`, never `overwrite`). A cluster takes the
 * change only while `running`; while a task runs it is `updating` and is waited for; any other
 * state is an error for a person. The append carries a deterministic ClientToken, so a run resumed
 * after a kill gets the task already started instead of a second one.
 */
import type { ClusterTask, SanAppendResult } from '../../cloud/ack';
import { pollUntil } from '../waits';
import type { ManagerContext } from './manager';

/** What a cluster's and a task's states mean. */
export const SAN_TASK_STATES = {
  /** The only cluster state in which the SANs can be changed. */
  clusterReady: 'running',
  /** A cluster task (an earlier SAN update, say) runs: wait for it to end. */
  clusterBusy: 'updating',
  /** A task still under way. */
  taskRunning: 'running',
  /** The only end of a task that means the SANs were changed. */
  taskSucceeded: 'success',
} as const;

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

/** The run's cloud, clock and deadline; a SAN task has no --no-wait form. */
export type SanTaskContext = Omit<ManagerContext, 'wait'>;

export class SanTaskManager {
  constructor(private readonly context: SanTaskContext) {}

  /**
   * The SANs of a running cluster, once any task under way has ended. With `settled`, the first
   * look may be the run's own earlier read of the cluster (discovery's); every further look asks
   * ACK again, as does every look without it (the read-back after an append).
   */
  async observe(clusterId: string, options: { settled: boolean }): Promise<string[]> {
    const { cloud } = this.context;
    let fresh = !options.settled;
    const detail = await pollUntil(
      () => {
        const read = cloud.describeCluster(clusterId, { fresh });
        fresh = true;
        return read;
      },
      (cluster) => cluster.state !== SAN_TASK_STATES.clusterBusy,
      {
        ...this.context,
        what: `cluster ${clusterId} to finish its running task (state updating)`,
        describe: (cluster) => `state ${cluster.state ?? 'unknown'}`,
      },
    );
    if (detail.state !== undefined && detail.state !== SAN_TASK_STATES.clusterReady) {
      throw new SanSyncError(
        clusterId,
        'read the API server certificate SANs',
        `cluster ${clusterId} is ${detail.state}; SANs can be changed only on a running cluster. Fix the cluster in the ACK console, then run sync-san again.`,
      );
    }
    return detail.apiServerCertSans;
  }

  /**
   * Appends `sans` (the API server restarts) and waits for the cluster task to end; a task that
   * ends other than in success is an error naming the request.
   */
  async create(clusterId: string, sans: string[], clientToken: string): Promise<SanAppendResult> {
    const appended = await this.context.cloud.appendCertSans(clusterId, sans, clientToken);
    if (appended.taskId) await this.settled(clusterId, appended.taskId, appended.requestId);
    return appended;
  }

  private async settled(clusterId: string, taskId: string, requestId: string | undefined): Promise<void> {
    const task = await pollUntil(
      () => this.context.cloud.describeTask(taskId),
      (candidate) => candidate.state !== SAN_TASK_STATES.taskRunning,
      {
        ...this.context,
        what: `ACK task ${taskId} (SANs of ${clusterId})`,
        describe: (candidate: ClusterTask) => `state ${candidate.state ?? 'unknown'}`,
      },
    );
    if (task.state === SAN_TASK_STATES.taskSucceeded) return;
    const reason = task.error
      ? `${task.error.code ?? ''} ${task.error.message ?? ''}`.trim()
      : `ended ${task.state ?? 'without a state'}`;
    throw new SanSyncError(
      clusterId,
      'update the API server certificate SANs',
      `ACK task ${task.taskId} for cluster ${clusterId} failed: ${reason} (request id ${requestId ?? 'unknown'}). Check the cluster's events in the ACK console, then run sync-san again.`,
      requestId,
    );
  }
}
