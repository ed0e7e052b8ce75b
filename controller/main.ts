/**
 * asmpvl-controller: the plugin's reconcile, run continuously. Parses its flags, opens the Kubernetes
 * store and the cloud, serves health and metrics, and hands the rest to the manager. The process
 * edge: the only place that reads the environment, installs signal handlers and exits.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import type { Server } from 'node:http';
import { type CloudCallEvent, createAccountClouds, resolveCloudSettings } from '../engine/cloud';
import { Kube } from '../engine/kube';
import { readControllerLease } from '../engine/kube/controller-lease';
import { KubeStore } from '../engine/kube/store';
import { CONTROLLER_ADVICE } from '../engine/provisioning/advice';
import { provisioningCloud, RunReads } from '../engine/provisioning/cloud-port';
import { processPacer } from '../engine/cloud/pacing';
import { parseFlags, USAGE } from './flags';
import { controllerLogger, currentLogger } from './logging';
import { Manager } from './manager';
import { ControllerMetrics, startServer } from './metrics';
import { CONTROLLER_MANAGER, Reconciler } from './reconciler';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function podNamespace(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = controllerLogger(flags.logLevel);
  // A library's runtime warning (a deprecation) is a log line like any other, not stray stderr text.
  process.removeAllListeners('warning');
  process.on('warning', (warning) =>
    log.warn({ warning: warning.name, code: (warning as { code?: string }).code }, warning.message),
  );
  // Unique per process: two replicas on one node (or two CI runners sharing a host name) never share an identity.
  const identity = `${process.env.POD_NAME ?? hostname()}_${randomUUID().slice(0, 8)}`;
  const inCluster =
    !flags.kubeconfig && process.env.KUBERNETES_SERVICE_HOST !== undefined && existsSync(SERVICE_ACCOUNT);
  const kube = inCluster
    ? Kube.inCluster({ requestTimeoutMs: 30_000 })
    : Kube.connect({
        kubeconfig: flags.kubeconfig,
        kubeconfigEnv: process.env.KUBECONFIG,
        home: homedir(),
        context: flags.context,
        requestTimeoutMs: 30_000,
      });
  kube.fieldManager = CONTROLLER_MANAGER;
  // As controller-runtime does: outside a cluster, with no namespace to put the Lease in, ask for one.
  const leaseNamespace = flags.leaseNamespace ?? (inCluster ? podNamespace() : kube.contextNamespace);
  if (flags.leaderElect && !leaseNamespace) {
    process.stderr.write(
      'error: no namespace for the leader-election Lease: not running in a pod and the kubeconfig context names none; ' +
        'pass --leader-election-namespace NS (a namespace that exists), or --leader-elect=false for a single replica\n',
    );
    return 2;
  }
  const store = new KubeStore(kube, CONTROLLER_MANAGER);
  const cloudSettings = resolveCloudSettings(
    {
      region: flags.region,
      cloudEndpoint: flags.cloudEndpoint,
      allowInsecureCloudEndpoint: flags.allowInsecureCloudEndpoint,
      clusterRoles: flags.clusterRoles,
    },
    process.env,
  );
  const metrics = new ControllerMetrics();
  // One pacer for the controller's whole life: every reconcile spends the same per-action quota.
  const pacing = processPacer(process.env);
  const onCall = (event: CloudCallEvent) => {
    metrics.cloudCalls.inc({ product: event.product, action: event.action, outcome: event.error?.code ?? 'ok' });
  };
  // Step reports are written by the reconcile under way, so they carry its object and reconcileID.
  const progress = {
    start: (step: string) => currentLogger(log).debug({ step }, 'step'),
    succeed: (detail?: string) => currentLogger(log).debug({ detail }, 'step done'),
    fail: (detail: string) => currentLogger(log).info({ detail }, 'step failed'),
    info: (message: string) => currentLogger(log).debug({}, message),
  };
  const leaseRef = `${leaseNamespace ?? 'default'}/${flags.leaseName}`;
  const manager = new Manager({
    kubeConfig: kube.config,
    server: kube.server,
    resyncMs: flags.resyncMs,
    backoff: { initialMs: 2_000, maxMs: 5 * 60_000 },
    metrics,
    log,
    leaderElection: flags.leaderElect
      ? {
          namespace: leaseNamespace!,
          name: flags.leaseName,
          identity,
          leaseDurationMs: flags.leaseDurationMs,
          renewDeadlineMs: flags.renewDeadlineMs,
          retryPeriodMs: flags.retryPeriodMs,
        }
      : undefined,
    reconcilerFor: (signal) => {
      // One cloud per leadership term: losing the Lease or SIGTERM cancels the calls under way.
      // A cluster with a role is reached through it (STS AssumeRole on the controller's own credentials).
      const cloud = createAccountClouds({ ...cloudSettings, onCall, pacing, signal });
      const reportCloud = createAccountClouds({ ...cloudSettings, onCall, pacing });
      return new Reconciler({
        store,
        env: process.env,
        meshId: flags.meshId,
        leaseRef,
        progress,
        waitHoldMs: flags.maxReconcileWaitMs,
        onDrift: (drift) => currentLogger(log).info({ drift }, 'drift found: full reconcile'),
        readControllerLease: (config) => readControllerLease(kube, config),
        openRun: () => {
          const reads = new RunReads();
          return {
            cloud: provisioningCloud(cloud, { reads }),
            reportCloud: provisioningCloud(reportCloud, { reads }),
            deadline: {
              at: Date.now() + flags.reconcileTimeoutMs,
              label: `the reconcile deadline (--reconcile-timeout ${flags.reconcileTimeout})`,
              resume: CONTROLLER_ADVICE.resume,
            },
            signal,
          };
        },
      });
    },
  });
  const health = { healthy: () => true, ready: () => manager.ready };
  const servers = [
    await startServer({ health, ...(flags.metrics === undefined ? { metrics } : {}) }, flags.health),
    ...(flags.metrics ? [await startServer({ metrics }, flags.metrics)] : []),
  ];
  const portOf = (server: Server | undefined) => {
    const address = server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  };
  log.info(
    {
      identity,
      lease: flags.leaderElect ? leaseRef : 'none',
      health: portOf(servers[0]),
      metrics: flags.metrics === false ? 'off' : portOf(servers.at(-1)),
    },
    'asmpvl-controller starting',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping: no new work, cancelling the reconcile under way, releasing the Lease');
    void manager
      .stop()
      .catch((error: unknown) => log.error({ err: String(error) }, 'stop failed'))
      .finally(() => {
        for (const server of servers) server.close();
        log.info({}, 'stopped');
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await manager.start();
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
