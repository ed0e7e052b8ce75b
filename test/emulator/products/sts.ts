// STS 2015-04-01 (RPC, central endpoint sts.aliyuncs.com): AssumeRole hands out temporary
// credentials of a role in another (or the same) account; GetCallerIdentity says whose a
// credential is. The issued credentials sign for the role's account with the role's policy, so a
// caller sees that account's resources and nothing else.
import { isoSeconds } from '../cloud';
import { ApiError } from '../errors';
import type { KnownAccessKey } from '../signature';
import type { RamTrustPolicy } from '../world';
import type { RpcAction, RpcContext, RpcProduct } from './product';

const MIN_SESSION_SECONDS = 900;
const DEFAULT_SESSION_SECONDS = 3600;
// RoleSessionName: 2–64 characters of letters, digits, `.`, `@`, `-` and `_`.
const SESSION_NAME = /^[\w.@-]{2,64}$/;
const ROLE_ARN = /^acs:ram::\d+:role\/[\w.@-]+$/i;

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Whether the trust policy lets an identity of `accountId` assume the role. A principal is an
 * account (`acs:ram::<id>:root`) or one of its RAM users or roles (`acs:ram::<id>:user/...`); the
 * emulator's keys name no user, so a user principal admits any key of its account. Deny wins.
 */
export function trusts(policy: RamTrustPolicy, accountId: string): boolean {
  const matches = policy.Statement.filter((statement) => {
    const actions = asList(statement.Action);
    const assumes = actions.some((action) => ['sts:AssumeRole', 'sts:*', '*'].includes(action));
    const principals = asList(statement.Principal?.RAM);
    const names = principals.some((principal) => {
      const match = /^acs:ram::(\d+|\*):/.exec(principal);
      return match !== null && (match[1] === '*' || match[1] === accountId);
    });
    return assumes && names;
  });
  return matches.length > 0 && matches.every((statement) => statement.Effect === 'Allow');
}

const assumeRole: RpcAction = {
  mutating: false,
  handle({ cloud, params, caller }: RpcContext) {
    const roleArn = params.requiredString('RoleArn');
    if (!ROLE_ARN.test(roleArn))
      throw new ApiError('InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed.', 400);
    const sessionName = params.requiredString('RoleSessionName');
    if (!SESSION_NAME.test(sessionName))
      throw new ApiError(
        'InvalidParameter.RoleSessionName',
        'The parameter RoleSessionName is wrongly formed: 2 to 64 letters, digits and . @ - _.',
        400,
      );
    const found = cloud.role(roleArn);
    if (!found) throw new ApiError('EntityNotExist.Role', `The role not exists: ${roleArn}.`, 404);
    const maxSeconds = found.role.maxSessionDurationSeconds ?? DEFAULT_SESSION_SECONDS;
    const durationText = params.optionalString('DurationSeconds');
    const duration = durationText === undefined ? Math.min(DEFAULT_SESSION_SECONDS, maxSeconds) : Number(durationText);
    if (!Number.isInteger(duration) || duration < MIN_SESSION_SECONDS || duration > maxSeconds)
      throw new ApiError(
        'InvalidParameter.DurationSeconds',
        `The Min/Max value of DurationSeconds is ${MIN_SESSION_SECONDS}s/${maxSeconds}s.`,
        400,
      );
    if (!trusts(found.role.trustPolicy, caller.accountId))
      throw new ApiError(
        'NoPermission',
        `You are not authorized to do this action. You should be authorized by RAM. The trust policy of ${roleArn} does not name account ${caller.accountId}.`,
        403,
      );
    const now = cloud.now();
    const assumedRoleArn = `acs:ram::${found.accountId}:role/${found.role.roleName.toLowerCase()}/${sessionName}`;
    const credential: KnownAccessKey = {
      accessKeyId: `STS.NT${cloud.ids.accessKeySecret().slice(0, 26)}`,
      accessKeySecret: `${cloud.ids.accessKeySecret()}${cloud.ids.accessKeySecret().slice(0, 14)}`,
      securityToken: `CAIS${cloud.ids.accessKeySecret()}${cloud.ids.accessKeySecret()}`,
      accountId: found.accountId,
      policy: found.role.policy,
      expiresAt: now + duration * 1000,
      assumedRoleArn,
    };
    cloud.stsCredentials.set(credential.accessKeyId, credential);
    const roleId = `3${found.accountId.slice(1)}`;
    return {
      AssumedRoleUser: { AssumedRoleId: `${roleId}:${sessionName}`, Arn: assumedRoleArn },
      Credentials: {
        AccessKeyId: credential.accessKeyId,
        AccessKeySecret: credential.accessKeySecret,
        SecurityToken: credential.securityToken,
        Expiration: isoSeconds(credential.expiresAt!),
      },
    };
  },
};

const getCallerIdentity: RpcAction = {
  mutating: false,
  withoutRam: true,
  handle({ cloud, caller }: RpcContext) {
    const key = cloud.accessKey(caller.accessKeyId);
    if (key?.assumedRoleArn) {
      return {
        AccountId: caller.accountId,
        IdentityType: 'AssumedRoleUser',
        Arn: key.assumedRoleArn,
        PrincipalId: caller.accessKeyId,
      };
    }
    // A key with a policy belongs to a RAM user; one without is the account's own.
    const isUser = key?.policy !== undefined;
    return {
      AccountId: caller.accountId,
      IdentityType: isUser ? 'RAMUser' : 'Account',
      Arn: isUser ? `acs:ram::${caller.accountId}:user/${caller.accessKeyId}` : `acs:ram::${caller.accountId}:root`,
      PrincipalId: caller.accountId,
      UserId: caller.accountId,
    };
  },
};

export const sts: RpcProduct = {
  style: 'RPC',
  name: 'sts',
  code: 'Sts',
  version: '2015-04-01',
  hostId: () => 'sts.aliyuncs.com',
  clientTokens: false,
  actions: { AssumeRole: assumeRole, GetCallerIdentity: getCallerIdentity },
};
