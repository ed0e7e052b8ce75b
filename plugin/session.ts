/**
 * The plugin's process runtime for one provisioning command: cloud clients, the per-action pacer,
 * and Ctrl-C / SIGTERM handling. The engine gets the Session it opens.
 */
import type { CloudCallEvent } from '../engine/cloud';
import { provisioningCloud, RunReads } from '../engine/provisioning/cloud-port';
import type { CallCount, Session } from '../engine/provisioning/session';
import { processPacer } from '../engine/cloud/pacing';
import { FIELD_MANAGER, type Kube } from '../engine/kube/kube';
import { CLI_ADVICE } from '../engine/provisioning/advice';
import type { FlowContext } from '../engine/provisioning/flows/context';
import type { Progress } from './progress';

export interface SessionOptions {
  region?: string;
  profile?: string;
  cloudEndpoint?: string;
  allowInsecureCloudEndpoint?: boolean;
  /** `--cluster-role <cluster-id>=<role-arn>` pairs. */
  clusterRoles?: string[];
  /** -v: one line per cloud call; -vv: also the retries' errors. */
  verbose: number;
  timeoutMs: number;
  timeoutLabel: string;
  progress: Progress;
  /** Where -v lines go. */
  log: NodeJS.WritableStream;
}

/** Opens the cloud for one run; Ctrl-C or SIGTERM cancels it (the command then writes status and exits). */
export async function openSession(options: SessionOptions): Promise<Session> {
  const { createAccountClouds, describeCloudTarget, resolveCloudSettings } = await import('../engine/cloud');
  const controller = new AbortController();
  const count: CallCount = { calls: 0, mutating: 0 };
  // One pacer for both clouds of the run: they spend the same per-action quota.
  const pacing = processPacer(process.env);
  const onCall = (event: CloudCallEvent) => {
    count.calls += 1;
    if (event.mutating) count.mutating += 1;
    if (options.verbose > 0) {
      const outcome = event.error
        ? `${event.error.code}${event.retryInMs !== undefined ? `, retry in ${event.retryInMs} ms` : ''}`
        : 'ok';
      options.log.write(
        `cloud: ${event.product} ${event.action} #${event.attempt} ${event.durationMs} ms ${outcome}${event.requestId ? ` (request id ${event.requestId})` : ''}\n`,
      );
    }
  };
  const settings = {
    ...resolveCloudSettings(
      {
        region: options.region,
        profile: options.profile,
        cloudEndpoint: options.cloudEndpoint,
        allowInsecureCloudEndpoint: options.allowInsecureCloudEndpoint,
        clusterRoles: options.clusterRoles,
      },
      process.env,
    ),
    onCall,
    pacing,
  };
  if (options.verbose > 0) options.log.write(`${describeCloudTarget(settings)}\n`);
  const accounts = createAccountClouds({ ...settings, signal: controller.signal });
  const reportAccounts = createAccountClouds(settings);
  const cancel = (signal: NodeJS.Signals) => {
    // A second Ctrl-C means now: the next run takes over the Lease of this (dead) process at once.
    if (controller.signal.aborted) process.exit(130);
    options.progress.info(`${signal}: stopping after the steps under way; run the command again to continue`);
    controller.abort();
  };
  const onInterrupt = () => cancel('SIGINT');
  const onTerminate = () => cancel('SIGTERM');
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  // One run, one answer to each settled read, whichever port asks (cloud-port.ts RunReads).
  const reads = new RunReads();
  return {
    meshClients: accounts.mesh,
    accounts,
    cloud: provisioningCloud(accounts, { reads }),
    reportCloud: provisioningCloud(reportAccounts, { reads }),
    deadline: { at: Date.now() + options.timeoutMs, label: `--timeout ${options.timeoutLabel}` },
    signal: controller.signal,
    progress: options.progress,
    count,
    close: () => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
    },
  };
}

/** The flags of a cluster command a session needs (ClusterCommand has them). */
export interface SessionFlags {
  region?: string;
  profile?: string;
  cloudEndpoint?: string;
  allowInsecureCloudEndpoint?: boolean;
  clusterRole?: string[];
  verbose: number;
}

/** A session from a command's flags: progress on `stderr` (a spinner on a terminal, lines otherwise). */
export async function openCommandSession(
  flags: SessionFlags,
  stderr: NodeJS.WritableStream & { isTTY?: boolean },
  timeout: { ms: number; label: string },
): Promise<Session> {
  const { createProgress } = await import('./progress');
  return openSession({
    region: flags.region,
    profile: flags.profile,
    cloudEndpoint: flags.cloudEndpoint,
    allowInsecureCloudEndpoint: flags.allowInsecureCloudEndpoint,
    clusterRoles: flags.clusterRole,
    verbose: flags.verbose,
    timeoutMs: timeout.ms,
    timeoutLabel: timeout.label,
    progress: createProgress(stderr),
    log: stderr,
  });
}

/**
 * The context a plugin flow runs with: the session's cloud and deadline, the store over `kube`, the
 * CLI's wording of next steps, and the provisioning Lease that serialises plugin runs.
 */
export async function flowContext(kube: Kube, session: Session): Promise<FlowContext> {
  const { KubeStore } = await import('../engine/kube/store');
  const { holdProvisioningLease } = await import('../engine/provisioning/lease');
  const { findController } = await import('../engine/kube/controller-lease');
  const deadline = { ...session.deadline, resume: CLI_ADVICE.resume };
  return {
    store: new KubeStore(kube, FIELD_MANAGER),
    cloud: session.cloud,
    reportCloud: session.reportCloud,
    deadline,
    signal: session.signal,
    progress: session.progress,
    advice: CLI_ADVICE,
    holdLease: () =>
      holdProvisioningLease(kube, { deadline, progress: session.progress, signal: session.signal, processAlive }),
    controller: await findController(kube, await kube.getConfig()),
    preflight: async () => {
      const { deniedWrites } = await import('../engine/cloud/permissions');
      const { actionsOf, GOVERNED_ACTIONS } = await import('../engine/cloud/catalogue');
      const { describeCause, ProvisioningInputError } = await import('../engine/provisioning/errors');
      session.progress.start('check the RAM permissions of every write (DryRun, changing nothing)');
      const mutating = session.count.mutating;
      // Across accounts each identity is checked for its own side's writes.
      const { accounts } = session;
      const checks = accounts.crossAccount
        ? [
            { cloud: accounts.mesh, entries: actionsOf('mesh') },
            ...accounts.roles().map((role) => ({ cloud: role.cloud, entries: actionsOf('cluster') })),
          ]
        : [{ cloud: accounts.mesh, entries: GOVERNED_ACTIONS }];
      const denied = (
        await Promise.all(checks.map((check) => deniedWrites(check.cloud.permissions, check.entries)))
      ).flat();
      // DryRun writes change nothing: they are not the run's changes.
      session.count.mutating = mutating;
      if (denied.length === 0) {
        session.progress.succeed('allowed');
        return;
      }
      session.progress.fail(`${denied.length} denied`);
      throw new ProvisioningInputError(
        `nothing was changed: these credentials may not make ${denied.length === 1 ? 'a write' : 'writes'} the run needs:\n  ${denied.map((error) => describeCause(error)).join('\n  ')}`,
      );
    },
  };
}

/** Whether a process of this machine is alive: a killed run's Lease is taken over at once. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
