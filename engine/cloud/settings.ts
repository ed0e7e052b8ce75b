/**
 * Where the clients' settings come from: flags first, then the environment. One setting,
 * `cloudEndpoint`, points every product at another endpoint (the emulator in tests).
 */
import Credential, {
  CLIProfileCredentialsProvider,
  Config as CredentialConfig,
  type CredentialsProvider,
} from '@alicloud/credentials';
import type { CloudTimeouts } from './context';
import { CloudSettingsError, parseClusterRoles } from './setting-values';
import type { CallPacing } from './pacing';
import type { CloudCallHook, RetryClock, RetryPolicy } from './retry';

export { CloudSettingsError, parseClusterRoles };

/** An AccessKey pair, optionally with an STS token. */
export interface StaticCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface CloudSettings {
  /** `cn-hangzhou`; flag `--region`, env ALIBABA_CLOUD_REGION_ID. */
  region: string;
  /** A profile of the Alibaba Cloud CLI config (~/.aliyun/config.json); flag `--profile`, env ALIBABA_CLOUD_PROFILE. */
  profile?: string;
  /**
   * One URL for every product instead of their public hosts, e.g. `http://127.0.0.1:18080`;
   * flag `--cloud-endpoint`, env ASMPVL_CLOUD_ENDPOINT.
   */
  cloudEndpoint?: string;
  /**
   * Explicit credentials. Without them: a profile when one is named, else the default chain
   * (environment, OIDC/RRSA, CLI profile, credentials file, ECS instance RAM role, credentials URI).
   */
  credentials?: StaticCredentials | CredentialsProvider;
  timeouts?: Partial<CloudTimeouts>;
  retry?: Partial<RetryPolicy>;
  /** Told after every attempt of every call (count calls, show progress). */
  onCall?: CloudCallHook;
  /** Aborting it (Ctrl-C) stops waiting between retries. */
  signal?: AbortSignal;
  /** For tests: a fake clock makes retries instant. */
  clock?: RetryClock;
  /** Each attempt at its action's rate limit (pacing.ts); share one between the clouds of one process. */
  pacing?: CallPacing;
  /**
   * Cluster id → the ARN of a RAM role of the cluster's account, for clusters in another account
   * than the mesh; flag `--cluster-role <id>=<arn>` (repeated), env ASMPVL_CLUSTER_ROLES (the same
   * pairs, separated by commas). The settings' own credentials act for the mesh and assume each role.
   */
  clusterRoles?: Readonly<Record<string, string>>;
}

export const cloudEnvironment = {
  region: 'ALIBABA_CLOUD_REGION_ID',
  profile: 'ALIBABA_CLOUD_PROFILE',
  cloudEndpoint: 'ASMPVL_CLOUD_ENDPOINT',
  clusterRoles: 'ASMPVL_CLUSTER_ROLES',
} as const;

/** The flags a command passes; any of them may be absent. */
export interface CloudFlags {
  region?: string;
  profile?: string;
  cloudEndpoint?: string;
  /** `--allow-insecure-cloud-endpoint`: the user knowingly sends signed calls over plain HTTP off this host. */
  allowInsecureCloudEndpoint?: boolean;
  /** `--cluster-role <cluster-id>=<role-arn>`, repeated. */
  clusterRoles?: readonly string[];
}

/** Region, profile, endpoint and cluster roles from flags, falling back to the environment. */
export function resolveCloudSettings(
  flags: CloudFlags,
  env: NodeJS.ProcessEnv,
): Pick<CloudSettings, 'region' | 'profile' | 'cloudEndpoint' | 'clusterRoles'> {
  const region = nonEmpty(flags.region) ?? nonEmpty(env[cloudEnvironment.region]);
  if (!region) {
    throw new CloudSettingsError(
      '--region',
      `no region: pass --region (e.g. cn-hangzhou) or set ${cloudEnvironment.region}`,
    );
  }
  const cloudEndpoint = nonEmpty(flags.cloudEndpoint) ?? nonEmpty(env[cloudEnvironment.cloudEndpoint]);
  if (cloudEndpoint !== undefined) checkEndpointTransport(cloudEndpoint, flags.allowInsecureCloudEndpoint === true);
  const clusterRoles =
    flags.clusterRoles && flags.clusterRoles.length > 0
      ? parseClusterRoles(flags.clusterRoles, '--cluster-role')
      : parseClusterRoles(
          (env[cloudEnvironment.clusterRoles] ?? '').split(',').filter((pair) => pair.trim() !== ''),
          cloudEnvironment.clusterRoles,
        );
  return {
    region,
    profile: nonEmpty(flags.profile) ?? nonEmpty(env[cloudEnvironment.profile]),
    cloudEndpoint,
    ...(Object.keys(clusterRoles).length > 0 ? { clusterRoles } : {}),
  };
}

/** 127.0.0.0/8, ::1 and localhost: plain HTTP to this host never leaves it (the emulator in tests). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Every call carries the AccessKey id, a signature and, with STS credentials, the security token in its
 * headers: over plain HTTP to another host anyone on the path can read and replay them. So an http://
 * endpoint off this host is refused unless the user says, by a flag, that they mean it.
 */
function checkEndpointTransport(value: string, allowInsecure: boolean): void {
  const { endpoint, protocol } = parseCloudEndpoint(value);
  if (protocol === 'https' || allowInsecure) return;
  const hostname = new URL(`http://${endpoint}`).hostname;
  if (isLoopbackHost(hostname)) return;
  throw new CloudSettingsError(
    '--cloud-endpoint',
    `"${value}" is plain HTTP to ${hostname}: every cloud call would carry your AccessKey id, signature and STS token in clear text. Use https://, or pass --allow-insecure-cloud-endpoint if this host is yours and the network is trusted`,
  );
}

/** Where cloud calls go, in words for doctor and -v. */
export function describeCloudTarget(settings: Pick<CloudSettings, 'region' | 'cloudEndpoint'>): string {
  if (settings.cloudEndpoint === undefined)
    return `cloud calls go to the public Alibaba Cloud endpoints of ${settings.region} over HTTPS`;
  const { endpoint, protocol } = parseCloudEndpoint(settings.cloudEndpoint);
  const clear = protocol === 'http' ? ' (plain HTTP: credentials in clear text)' : '';
  return `cloud calls go to ${protocol}://${endpoint}${clear}, set by --cloud-endpoint or ${cloudEnvironment.cloudEndpoint}`;
}

// Region ids: `cn-hangzhou`, `ap-southeast-1`, `cn-shanghai-finance-1`.
const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;

export function checkRegion(region: string): string {
  if (REGION_PATTERN.test(region)) return region;
  throw new CloudSettingsError('--region', `"${region}" is not a region id (like cn-hangzhou or ap-southeast-1)`);
}

/** The host[:port] and protocol an SDK Config takes, from the cloudEndpoint URL. */
export interface EndpointOverride {
  endpoint: string;
  protocol: 'http' | 'https';
}

/**
 * Parses `http://127.0.0.1:18080` or `https://host`; a bare `host:port` means https. A path,
 * query or credentials in the URL would be silently dropped by the SDK, so they are refused.
 */
export function parseCloudEndpoint(value: string): EndpointOverride {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CloudSettingsError('--cloud-endpoint', `"${value}" is not a URL (like http://127.0.0.1:18080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CloudSettingsError('--cloud-endpoint', `"${value}" must be http:// or https://`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    throw new CloudSettingsError(
      '--cloud-endpoint',
      `"${value}" must be scheme://host[:port] only, with no path, query or credentials`,
    );
  }
  return { endpoint: url.host, protocol: url.protocol === 'http:' ? 'http' : 'https' };
}

/**
 * Thrown when no credential can be had (empty chain, missing profile, unreachable instance
 * metadata); the retry runner maps it to a CloudError with code CredentialsUnavailable.
 */
export class CredentialsUnavailableError extends Error {
  override readonly name = 'CredentialsUnavailableError';
}

// Marks every failure to get a credential, whichever provider failed and however it said so.
class LabelledCredential extends Credential {
  override async getCredential(): ReturnType<Credential['getCredential']> {
    try {
      return await super.getCredential();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CredentialsUnavailableError(`no credentials: ${reason}`, { cause: error });
    }
  }
}

/** The credential every client signs with. Nothing is read until the first call needs it. */
export function credentialFor(settings: Pick<CloudSettings, 'credentials' | 'profile'>): Credential {
  const given = settings.credentials;
  if (given && 'getCredentials' in given) return new LabelledCredential(null, given);
  if (given) {
    const type = given.securityToken ? 'sts' : 'access_key';
    return new LabelledCredential(new CredentialConfig({ type, ...given }));
  }
  if (settings.profile) {
    return new LabelledCredential(
      null,
      CLIProfileCredentialsProvider.builder().withProfileName(settings.profile).build(),
    );
  }
  return new LabelledCredential();
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
