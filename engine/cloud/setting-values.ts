/**
 * Settings checked without the cloud's SDKs, so a command that only checks them (policy) loads none.
 */

/** A setting that cannot work, named so a person can fix it. */
export class CloudSettingsError extends Error {
  override readonly name = 'CloudSettingsError';

  constructor(
    /** The flag or variable at fault. */
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }

  /** The message names the setting already. */
  override toString(): string {
    return this.message;
  }
}

// A RAM role ARN: `acs:ram::<account-id>:role/<name>`.
const ROLE_ARN = /^acs:ram::\d+:role\/[\w.@-]+$/i;

/**
 * `<cluster-id>=<role-arn>` pairs as a map; a malformed pair, an ARN that is not a role's, or a
 * cluster named twice with different roles is refused, naming the setting.
 */
export function parseClusterRoles(pairs: readonly string[], setting: string): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const pair of pairs) {
    const [clusterId, roleArn, extra] = pair.trim().split('=');
    if (!clusterId || !roleArn || extra !== undefined)
      throw new CloudSettingsError(setting, `${setting} "${pair}": expected <cluster-id>=<role-arn>`);
    if (!ROLE_ARN.test(roleArn))
      throw new CloudSettingsError(
        setting,
        `${setting} "${pair}": ${roleArn} is not a RAM role ARN (like acs:ram::1234567890123456:role/asmpvl)`,
      );
    if (roles[clusterId] !== undefined && roles[clusterId] !== roleArn)
      throw new CloudSettingsError(setting, `${setting}: cluster ${clusterId} is given two roles`);
    roles[clusterId] = roleArn;
  }
  return roles;
}
