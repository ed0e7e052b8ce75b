/**
 * asmpvl-controller: the plugin's reconcile, run continuously. Parses its flags, opens the Kubernetes
 * store and the cloud, serves health and metrics, and hands the rest to the manager. The process
 * edge: the only place that reads the environment, installs signal handlers and exits.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { parseDuration } from '../core/duration';
import { type CloudCallEvent, createCloud, resolveCloudSettings } from '../engine/cloud';
import { Kube } from '../engine/kube';
import { readControllerLease } from '../engine/kube/controller-lease';
import { KubeStore } from '../engine/kube/store';
import { CONTROLLER_ADVICE } from '../engine/provisioning/advice';
import { provisioningCloud, RunReads } from '../engine/provisioning/cloud-port';
import { processPacer } from '../engine/cloud/pacing';
import { Manager } from './manager';
import { ControllerMetrics, startHealthServer } from './metrics';
import { CONTROLLER_MANAGER, Reconciler } from './reconciler';

const USAGE = `Usage: asmpvl-controller [flags]

Reconciles asmpvlconfig/default continuously: provisions PrivateLink both ways, repairs drift,
cleans up on deletion. Flags:
  --kubeconfig PATH                  kubeconfig (default: in a pod its service account, else KUBECONFIG, else ~/.kube/config)
  --context NAME                     kubeconfig context
  --region ID                        cloud region (else ALIBABA_CLOUD_REGION_ID)
  --cloud-endpoint URL               one endpoint for every cloud API (tests; else ASMPVL_CLOUD_ENDPOINT)
  --mesh-id ID                       service mesh id (else ASMPVL_MESH_ID, else the object's asmpvl.io/mesh-id)
  --resync-period DURATION           reconcile at least this often (default 10m)
  --reconcile-timeout DURATION       deadline of one reconcile (default 15m)
  --leader-elect[=false]             elect one leader among replicas (default true)
  --leader-election-namespace NS     Lease namespace (default: POD_NAMESPACE, else in a pod its own namespace,
                                     else the kubeconfig context's; required when none of these is set)
  --leader-election-id NAME          Lease name (default asmpvl-controller)
  --lease-duration, --renew-deadline, --retry-period DURATION   (default 15s, 10s, 2s)
  --health-port PORT                 /healthz, /readyz, /metrics (default 8081)
  --bind-address ADDR                (default 0.0.0.0)
  --log-level info|debug             (default info)
Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET (and SECURITY_TOKEN), or RRSA (ALIBABA_CLOUD_ROLE_ARN,
ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE).
`;

class UsageError extends Error {}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function podNamespace(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`--${flag} ${text}: expected a duration like 30s, 5m or 1h`);
  return ms;
}

// Kubernetes components take booleans as --flag=true / --flag=false; parseArgs takes --flag / --no-flag.
function booleanForms(argv: string[]): string[] {
  return argv.map((arg) => {
    const match = /^--(leader-elect)=(true|false)$/.exec(arg);
    if (!match) return arg;
    return match[2] === 'true' ? `--${match[1]}` : `--no-${match[1]}`;
  });
}

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
    args: booleanForms(argv),
    strict: true,
    allowNegative: true,
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      region: { type: 'string' },
      'cloud-endpoint': { type: 'string' },
      'mesh-id': { type: 'string' },
      'resync-period': { type: 'string', default: '10m' },
      'reconcile-timeout': { type: 'string', default: '15m' },
      'leader-elect': { type: 'boolean', default: true },
      'leader-election-namespace': { type: 'string' },
      'leader-election-id': { type: 'string', default: 'asmpvl-controller' },
      'lease-duration': { type: 'string', default: '15s' },
      'renew-deadline': { type: 'string', default: '10s' },
      'retry-period': { type: 'string', default: '2s' },
      'health-port': { type: 'string', default: '8081' },
      'bind-address': { type: 'string', default: '0.0.0.0' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const port = Number(values['health-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--health-port ${values['health-port']}: expected a port number`);
  if (!['info', 'debug', 'warn'].includes(values['log-level']))
    throw new UsageError(`--log-level ${values['log-level']}: expected info, debug or warn`);
  return {
    help: values.help ?? false,
    kubeconfig: values.kubeconfig,
    context: values.context,
    region: values.region,
    cloudEndpoint: values['cloud-endpoint'],
    meshId: values['mesh-id'],
    resyncMs: duration('resync-period', values['resync-period']),
    reconcileTimeout: values['reconcile-timeout'],
    reconcileTimeoutMs: duration('reconcile-timeout', values['reconcile-timeout']),
    leaderElect: values['leader-elect'],
    leaseNamespace: values['leader-election-namespace'] ?? (process.env.POD_NAMESPACE || undefined),
    leaseName: values['leader-election-id'],
    leaseDurationMs: duration('lease-duration', values['lease-duration']),
    renewDeadlineMs: duration('renew-deadline', values['renew-deadline']),
    retryPeriodMs: duration('retry-period', values['retry-period']),
    healthPort: port,
    bindAddress: values['bind-address'],
    logLevel: values['log-level'],
  };
}

async function main(): Promise<number> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = pino({ level: flags.logLevel, base: { component: CONTROLLER_MANAGER } });
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
  const cloudSettings = resolveCloudSettings({ region: flags.region, cloudEndpoint: flags.cloudEndpoint }, process.env);
  const metrics = new ControllerMetrics();
  // One pacer for the controller's whole life: every reconcile spends the same per-action quota.
  const pacing = processPacer(process.env);
  const onCall = (event: CloudCallEvent) => {
    metrics.cloudCalls.inc({ product: event.product, action: event.action, outcome: event.error?.code ?? 'ok' });
  };
  const progress = {
    start: (step: string) => log.debug({ step }, 'step'),
    succeed: (detail?: string) => log.debug({ detail }, 'step done'),
    fail: (detail: string) => log.info({ detail }, 'step failed'),
    info: (message: string) => log.debug({}, message),
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
      const cloud = createCloud({ ...cloudSettings, onCall, pacing, signal });
      const reportCloud = createCloud({ ...cloudSettings, onCall, pacing });
      return new Reconciler({
        store,
        env: process.env,
        meshId: flags.meshId,
        leaseRef,
        progress,
        onDrift: (drift) => log.info({ drift }, 'drift found: full reconcile'),
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
  const server = await startHealthServer(
    metrics,
    { healthy: () => true, ready: () => manager.ready },
    { host: flags.bindAddress, port: flags.healthPort },
  );
  const address = server.address();
  log.info(
    {
      identity,
      lease: flags.leaderElect ? leaseRef : 'none',
      health: typeof address === 'object' ? address?.port : address,
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
        server.close();
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
