/**
 * The controller's command line, in the words kubebuilder scaffolds use (--health-probe-bind-address,
 * --metrics-bind-address, --leader-elect, --leader-election-namespace, --zap-log-level), with the
 * flags of earlier releases (--health-port, --bind-address, --log-level) kept as aliases. Pure: argv
 * and the environment in, settings out, a UsageError for anything it cannot use.
 */
import { parseArgs } from 'node:util';
import { parseDuration } from '../core/duration';
import { LOG_LEVELS, type LogLevel } from './logging';

export const USAGE = `Usage: asmpvl-controller [flags]

Reconciles asmpvlconfig/default continuously: provisions PrivateLink both ways, repairs drift,
cleans up on deletion. Flags:
  --kubeconfig PATH                    kubeconfig (default: in a pod its service account, else KUBECONFIG, else ~/.kube/config)
  --context NAME                       kubeconfig context
  --region ID                          cloud region (else ALIBABA_CLOUD_REGION_ID)
  --cloud-endpoint URL                 one endpoint for every cloud API (tests; else ASMPVL_CLOUD_ENDPOINT)
  --cluster-role ID=ARN                act in cluster ID's account through RAM role ARN (STS AssumeRole), for
                                       clusters in another account than the mesh; repeat per cluster
                                       (else ASMPVL_CLUSTER_ROLES, the same pairs separated by commas)
  --allow-insecure-cloud-endpoint      allow an http:// --cloud-endpoint off this host (credentials in clear text)
  --mesh-id ID                         service mesh id (else ASMPVL_MESH_ID, else the object's asmpvl.io/mesh-id)
  --resync-period DURATION             reconcile at least this often (default 10m)
  --reconcile-timeout DURATION         deadline of one reconcile (default 15m)
  --max-reconcile-wait DURATION        longest one reconcile waits on any one resource (to settle, a SAN task
                                       to end) before it stops waiting and requeues; a change to the object
                                       ends the waits at once (default 30s)
  --leader-elect[=false]               elect one leader among replicas (default true)
  --leader-election-namespace NS       Lease namespace (default: POD_NAMESPACE, else in a pod its own namespace,
                                       else the kubeconfig context's; required when none of these is set)
  --leader-election-id NAME            Lease name (default asmpvl-controller)
  --lease-duration, --renew-deadline, --retry-period DURATION   (default 15s, 10s, 2s)
  --health-probe-bind-address ADDR     /healthz, /readyz ([host]:port, default :8081)
  --metrics-bind-address ADDR          /metrics ([host]:port; default: on the probe address; 0 turns it off)
  --zap-log-level LEVEL                debug, info, warn or error (default info)
  --health-port PORT, --bind-address HOST, --log-level LEVEL   the same, as earlier releases spelled them
Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET (and SECURITY_TOKEN), or RRSA (ALIBABA_CLOUD_ROLE_ARN,
ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE).
`;

export class UsageError extends Error {}

/** Where a server listens; `host` undefined means every address (IPv4 and IPv6). */
export interface BindAddress {
  host?: string;
  port: number;
}

export interface ControllerFlags {
  help: boolean;
  kubeconfig?: string;
  context?: string;
  region?: string;
  cloudEndpoint?: string;
  /** `--cluster-role <cluster-id>=<role-arn>`, repeated: clusters in another account than the mesh. */
  clusterRoles: string[];
  /** An http:// cloud endpoint off this host is accepted only when the user says so. */
  allowInsecureCloudEndpoint: boolean;
  meshId?: string;
  resyncMs: number;
  reconcileTimeout: string;
  reconcileTimeoutMs: number;
  maxReconcileWaitMs: number;
  leaderElect: boolean;
  /** Undefined when neither the flag nor POD_NAMESPACE says: the caller looks further. */
  leaseNamespace?: string;
  leaseName: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  health: BindAddress;
  /** Undefined: served on the probe address. `false`: not served. */
  metrics?: BindAddress | false;
  logLevel: LogLevel;
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`--${flag} ${text}: expected a duration like 30s, 5m or 1h`);
  return ms;
}

function port(flag: string, text: string): number {
  const value = Number(text);
  if (text === '' || !Number.isInteger(value) || value < 0 || value > 65535)
    throw new UsageError(`--${flag} ${text}: expected a port number (0 to 65535)`);
  return value;
}

/** `[host]:port` as Go's net.Listen takes it (`:8081`, `127.0.0.1:0`, `[::1]:8080`). */
export function parseBindAddress(flag: string, text: string): BindAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--${flag} ${text}: expected [host]:port, e.g. :8081 or 127.0.0.1:8081`);
  const host = match[1] ?? match[2];
  return { ...(host ? { host } : {}), port: port(flag, match[3]!) };
}

function logLevel(flag: string, text: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(text)) return text as LogLevel;
  throw new UsageError(`--${flag} ${text}: expected ${LOG_LEVELS.join(', ')}`);
}

// Kubernetes components take booleans as --flag=true / --flag=false; parseArgs takes --flag / --no-flag.
function booleanForms(argv: string[]): string[] {
  return argv.map((arg) => {
    const match = /^--(leader-elect)=(true|false)$/.exec(arg);
    if (!match) return arg;
    return match[2] === 'true' ? `--${match[1]}` : `--no-${match[1]}`;
  });
}

/** The settings `argv` asks for; `env` gives POD_NAMESPACE. */
export function parseFlags(argv: string[], env: Record<string, string | undefined>): ControllerFlags {
  const { values } = parseArgs({
    args: booleanForms(argv),
    strict: true,
    allowNegative: true,
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      region: { type: 'string' },
      'cloud-endpoint': { type: 'string' },
      'cluster-role': { type: 'string', multiple: true },
      'allow-insecure-cloud-endpoint': { type: 'boolean', default: false },
      'mesh-id': { type: 'string' },
      'resync-period': { type: 'string', default: '10m' },
      'reconcile-timeout': { type: 'string', default: '15m' },
      'max-reconcile-wait': { type: 'string', default: '30s' },
      'leader-elect': { type: 'boolean', default: true },
      'leader-election-namespace': { type: 'string' },
      'leader-election-id': { type: 'string', default: 'asmpvl-controller' },
      'lease-duration': { type: 'string', default: '15s' },
      'renew-deadline': { type: 'string', default: '10s' },
      'retry-period': { type: 'string', default: '2s' },
      'health-probe-bind-address': { type: 'string' },
      'metrics-bind-address': { type: 'string' },
      'zap-log-level': { type: 'string' },
      'health-port': { type: 'string' },
      'bind-address': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const probe = values['health-probe-bind-address'];
  const oldHost = values['bind-address'];
  const oldPort = values['health-port'];
  const health: BindAddress = probe
    ? parseBindAddress('health-probe-bind-address', probe)
    : { host: oldHost ?? '0.0.0.0', port: oldPort === undefined ? 8081 : port('health-port', oldPort) };
  const metricsText = values['metrics-bind-address'];
  const metrics =
    metricsText === undefined
      ? undefined
      : metricsText === '0'
        ? (false as const)
        : parseBindAddress('metrics-bind-address', metricsText);
  const level = values['zap-log-level'] ?? values['log-level'] ?? 'info';
  return {
    help: values.help ?? false,
    kubeconfig: values.kubeconfig,
    context: values.context,
    region: values.region,
    cloudEndpoint: values['cloud-endpoint'],
    clusterRoles: values['cluster-role'] ?? [],
    allowInsecureCloudEndpoint: values['allow-insecure-cloud-endpoint'],
    meshId: values['mesh-id'],
    resyncMs: duration('resync-period', values['resync-period']),
    reconcileTimeout: values['reconcile-timeout'],
    reconcileTimeoutMs: duration('reconcile-timeout', values['reconcile-timeout']),
    maxReconcileWaitMs: duration('max-reconcile-wait', values['max-reconcile-wait']),
    leaderElect: values['leader-elect'],
    leaseNamespace: values['leader-election-namespace'] ?? (env.POD_NAMESPACE || undefined),
    leaseName: values['leader-election-id'],
    leaseDurationMs: duration('lease-duration', values['lease-duration']),
    renewDeadlineMs: duration('renew-deadline', values['renew-deadline']),
    retryPeriodMs: duration('retry-period', values['retry-period']),
    health,
    metrics,
    logLevel: logLevel(values['zap-log-level'] !== undefined ? 'zap-log-level' : 'log-level', level),
  };
}
