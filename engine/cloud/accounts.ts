/**
 * Clouds across accounts. The mesh may live in one Alibaba Cloud account and its clusters in
 * others; each side's calls must then be made with that side's account. The mesh's side signs with
 * the credentials the settings give (a profile, the default chain, RRSA in a pod); a cluster in
 * another account is reached through a RAM role of that account, assumed with STS AssumeRole on
 * the mesh side's credentials. Roles are configured per cluster (`--cluster-role <id>=<arn>`);
 * clusters that name the same role share one session, so in effect roles are per account.
 */
import type { CredentialsProvider } from '@alicloud/credentials';
import { type Cloud, createCloud } from './index';
import { CloudSettingsError, type CloudSettings } from './settings';
import { roleAccountId, type RoleCredentials, type StsClient } from './sts';

/** Cluster id → the ARN of the role that acts in the cluster's account. */
export type ClusterRoles = Readonly<Record<string, string>>;

// A fresh session is asked for this long before the current one ends, so no call signs with
// credentials about to expire mid-flight (retries and waits included).
const REFRESH_BEFORE_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;

/**
 * A role's STS credentials as a CredentialsProvider for openapi-core: assumed on first use, kept
 * until five minutes before they expire, one AssumeRole at a time.
 */
export class AssumedRoleCredentials implements CredentialsProvider {
  private current?: { credentials: RoleCredentials; expiresAt: number };
  private pending?: Promise<RoleCredentials>;

  constructor(
    private readonly sts: StsClient,
    readonly roleArn: string,
    private readonly now: () => number = Date.now,
  ) {}

  getProviderName(): string {
    return 'asmpvl_assumed_role';
  }

  async getCredentials() {
    const credentials = await this.fresh();
    return { ...credentials, providerName: this.getProviderName() };
  }

  private async fresh(): Promise<RoleCredentials> {
    if (this.current && this.current.expiresAt - this.now() > REFRESH_BEFORE_MS) return this.current.credentials;
    this.pending ??= this.assume().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async assume(): Promise<RoleCredentials> {
    const credentials = await this.sts.assumeRole({
      roleArn: this.roleArn,
      roleSessionName: 'asmpvl',
      durationSeconds: SESSION_SECONDS,
    });
    const expiresAt = Date.parse(credentials.expiration);
    this.current = {
      credentials,
      expiresAt: Number.isNaN(expiresAt) ? this.now() + SESSION_SECONDS * 1000 : expiresAt,
    };
    return credentials;
  }
}

/** Refuses a role map that cannot work, naming the entry. */
export function checkClusterRoles(roles: ClusterRoles, setting = '--cluster-role'): ClusterRoles {
  for (const [clusterId, roleArn] of Object.entries(roles)) {
    if (!roleAccountId(roleArn))
      throw new CloudSettingsError(
        setting,
        `${setting} ${clusterId}=${roleArn}: not a RAM role ARN (like acs:ram::1234567890123456:role/asmpvl)`,
      );
  }
  return roles;
}

const MESH = 'mesh';

/** The clouds of one run: the mesh account's, and one per cluster role. */
export class AccountClouds {
  private readonly byRole = new Map<string, Cloud>();

  constructor(
    /** The cloud of the mesh's account: the settings' own credentials. */
    readonly mesh: Cloud,
    readonly clusterRoles: ClusterRoles,
    roleCloud: (roleArn: string) => Cloud,
  ) {
    for (const roleArn of new Set(Object.values(clusterRoles))) this.byRole.set(roleArn, roleCloud(roleArn));
  }

  /** Whether some cluster is reached through a role (its account may differ from the mesh's). */
  get crossAccount(): boolean {
    return this.byRole.size > 0;
  }

  /** The cloud that acts in a cluster's account: its role's, else the mesh's. */
  forCluster(clusterId: string): Cloud {
    const roleArn = this.clusterRoles[clusterId];
    return (roleArn && this.byRole.get(roleArn)) || this.mesh;
  }

  /** The account a cluster's role belongs to, when it has one. */
  clusterAccountId(clusterId: string): string | undefined {
    const roleArn = this.clusterRoles[clusterId];
    return roleArn ? roleAccountId(roleArn) : undefined;
  }

  /** Every cloud, the mesh's first, each once. */
  all(): Cloud[] {
    return [this.mesh, ...this.byRole.values()];
  }

  /** Every account's cloud by a stable name: `mesh`, else the role's ARN. */
  named(): Array<{ name: string; cloud: Cloud }> {
    return [{ name: MESH, cloud: this.mesh }, ...[...this.byRole].map(([name, cloud]) => ({ name, cloud }))];
  }

  /** The cloud `named()` calls `name`; the mesh's for a name it does not know. */
  byName(name: string): Cloud {
    return this.byRole.get(name) ?? this.mesh;
  }

  /** The roles, each once, with their accounts. */
  roles(): Array<{ roleArn: string; accountId: string; cloud: Cloud }> {
    return [...this.byRole].map(([roleArn, cloud]) => ({ roleArn, accountId: roleAccountId(roleArn)!, cloud }));
  }
}

/**
 * The mesh's cloud from the settings, and a cloud per cluster role whose credentials come from
 * AssumeRole on the mesh's. Makes no call yet: each role is assumed when its cloud first calls.
 */
export function createAccountClouds(settings: CloudSettings): AccountClouds {
  const mesh = createCloud(settings);
  const clusterRoles = checkClusterRoles(settings.clusterRoles ?? {});
  return new AccountClouds(mesh, clusterRoles, (roleArn) =>
    createCloud({ ...settings, profile: undefined, credentials: new AssumedRoleCredentials(mesh.sts, roleArn) }),
  );
}
