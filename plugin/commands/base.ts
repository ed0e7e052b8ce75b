import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import type { Cloud, createCloud } from '../../engine/cloud';
import { ExitCode } from '../exit-codes';
import type { Kube, KubeSettings } from '../../engine/kube';
import type { ConfigReader } from '../../engine/kube/direct';

import { parseDuration } from '../../core/duration';
import { BODIES_LEVEL, REQUEST_LOG_LEVEL, requestLogLines } from '../request-log';

export { parseDuration };

/** Accepts what parseDuration reads, for a `--timeout`-style option. */
export const isDuration = t.makeValidator<unknown, string>({
  test: (value, state): value is string => {
    if (typeof value === 'string' && parseDuration(value) !== undefined) return true;
    state?.errors?.push(`${state.p ?? '.'}: expected a duration like 30s, 5m or 1h (got ${JSON.stringify(value)})`);
    return false;
  },
});

/**
 * Flags every command that talks to a cluster or the cloud shares, named as kubectl users expect.
 * Clients are made lazily, and the heavy modules (client-node, the cloud SDKs) are loaded only by
 * the commands that use them, so `validate` and `--help` start fast.
 */
export abstract class ClusterCommand extends Command {
  kubeconfig = Option.String('--kubeconfig', {
    description: 'Path to the kubeconfig of the ASM instance (default: KUBECONFIG, then ~/.kube/config)',
  });
  kubeContext = Option.String('--context', { description: 'The kubeconfig context to use' });
  kubeCluster = Option.String('--cluster', { description: "The kubeconfig cluster to use instead of the context's" });
  kubeUser = Option.String('--user', { description: "The kubeconfig user to use instead of the context's" });
  server = Option.String('-s,--server', { description: "The API server URL, instead of the kubeconfig's" });
  token = Option.String('--token', {
    description: "Bearer token for the API server, instead of the kubeconfig user's",
  });
  certificateAuthority = Option.String('--certificate-authority', {
    description: "CA file to check the API server's certificate with",
  });
  insecureSkipTlsVerify = Option.Boolean('--insecure-skip-tls-verify', false, {
    description: "Do not check the API server's certificate (insecure)",
  });
  impersonate = Option.String('--as', { description: 'User to impersonate for the Kubernetes API' });
  impersonateGroups = Option.Array('--as-group', { description: 'Group to impersonate (with --as)' });
  namespace = Option.String('-n,--namespace', {
    description:
      'Namespace of the provisioning Lease (default kube-system); the ASMPvlConfig is cluster-scoped, so nothing else uses it',
  });
  requestTimeout = Option.String('--request-timeout', '30s', {
    description: 'Wall time of one Kubernetes API request, e.g. 5s or 1m; 0 for none',
    validator: isDuration,
  });
  region = Option.String('--region', {
    description: 'Alibaba Cloud region, e.g. cn-hangzhou (default: ALIBABA_CLOUD_REGION_ID)',
  });
  profile = Option.String('--profile', {
    description:
      'Alibaba Cloud CLI profile to take credentials from (default: ALIBABA_CLOUD_PROFILE or the default chain)',
  });
  cloudEndpoint = Option.String('--cloud-endpoint', {
    description: 'Send every cloud API call to this URL instead (e.g. a local emulator); also ASMPVL_CLOUD_ENDPOINT',
  });
  allowInsecureCloudEndpoint = Option.Boolean('--allow-insecure-cloud-endpoint', false, {
    description: 'Allow an http:// --cloud-endpoint off this host (credentials then travel in clear text)',
  });
  clusterRole = Option.Array('--cluster-role', {
    description:
      "<cluster-id>=<role-arn>: act in that cluster's account through this RAM role (STS AssumeRole), for clusters in another account than the mesh; repeat per cluster; also ASMPVL_CLUSTER_ROLES",
  });
  verbose = Option.Counter('-v,--verbose', 0, {
    description:
      'More detail: -v each cloud call with its request id; -v=6 each Kubernetes API request, -v=7 its headers, -v=8 its bodies (secrets redacted), as kubectl logs them',
  });

  private kubeClient?: Kube;

  /** The Kubernetes client for the chosen kubeconfig and context. */
  async kube(): Promise<Kube> {
    if (!this.kubeClient) {
      const { Kube } = await import('../../engine/kube');
      this.kubeClient = Kube.connect(this.kubeSettings());
    }
    return this.kubeClient;
  }

  /**
   * What reads asmpvlconfig/default: a direct HTTPS read when the kubeconfig allows one (no
   * client-node to load: a faster `status`), else the client (engine/kube/direct-read.ts).
   */
  async configReader(): Promise<ConfigReader> {
    const { DirectConfigReader, directReadUnsupported, resolveKubeconfig } = await import('../../engine/kube/direct');
    const settings = this.kubeSettings();
    const resolved = resolveKubeconfig(settings);
    const env = this.context.env;
    const proxy = [env.HTTPS_PROXY, env.https_proxy, env.ALL_PROXY].some(
      (value) => value !== undefined && value !== '',
    );
    if (directReadUnsupported(resolved, proxy)) return this.kube();
    return new DirectConfigReader(resolved, settings, () => this.kube());
  }

  /** kubectl's flags and environment, as the Kubernetes client takes them. */
  protected kubeSettings(): KubeSettings {
    return {
      kubeconfig: this.kubeconfig,
      kubeconfigEnv: this.context.env.KUBECONFIG,
      home: this.context.env.HOME ?? this.context.env.USERPROFILE,
      context: this.kubeContext,
      cluster: this.kubeCluster,
      user: this.kubeUser,
      namespace: this.namespace,
      server: this.server,
      token: this.token,
      certificateAuthority: this.certificateAuthority,
      insecureSkipTlsVerify: this.insecureSkipTlsVerify,
      impersonateUser: this.impersonate,
      impersonateGroups: this.impersonateGroups,
      requestTimeoutMs: parseDuration(this.requestTimeout) ?? 30_000,
      requestLog: this.requestLog(),
    };
  }

  /** kubectl's request log at -v=6 and up, on stderr. */
  private requestLog(): KubeSettings['requestLog'] {
    if (this.verbose < REQUEST_LOG_LEVEL) return undefined;
    const level = this.verbose;
    const stderr = this.context.stderr;
    return {
      onRequest: (event) => stderr.write(requestLogLines(event, level, new Date(), process.pid)),
      bodies: level >= BODIES_LEVEL,
    };
  }

  /** The cloud clients, all pointed at the same endpoint and sharing one credential chain. */
  async cloud(onCall?: Parameters<typeof createCloud>[0]['onCall']): Promise<Cloud> {
    const { createCloud, describeCloudTarget, resolveCloudSettings } = await import('../../engine/cloud');
    const settings = resolveCloudSettings(
      {
        region: this.region,
        profile: this.profile,
        cloudEndpoint: this.cloudEndpoint,
        allowInsecureCloudEndpoint: this.allowInsecureCloudEndpoint,
        clusterRoles: this.clusterRole,
      },
      this.context.env,
    );
    if (this.verbose > 0) this.context.stderr.write(`${describeCloudTarget(settings)}\n`);
    return createCloud({ ...settings, onCall });
  }

  /** Prints a failure as `error: …` (never a stack trace) and returns the exit code for it. */
  protected report(error: unknown): number {
    const message = error instanceof Error ? error.message : String(error);
    this.context.stderr.write(`error: ${message}\n`);
    if (this.verbose > 1 && error instanceof Error && error.stack) this.context.stderr.write(`${error.stack}\n`);
    return ExitCode.Failed;
  }
}
