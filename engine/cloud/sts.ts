/**
 * STS (2015-04-01, RPC, central endpoint), written on the shared RpcClient like the other products
 * without an npm SDK: AssumeRole, which turns the mesh account's credentials into a cluster
 * account's, and GetCallerIdentity, which says whose credentials these are. @alicloud/credentials
 * has an AssumeRole provider of its own, but it always speaks HTTPS to its own host and retries on
 * its own terms; this one goes wherever the other products go, through the same runner.
 */
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import { type CloudContext, runtimeOptions } from './context';
import { CloudError, LocalErrorCode } from './errors';
import { child, type ProductApi, RpcClient, type RpcRequest, text, type WireObject } from './rpc';

export const stsApi: ProductApi = {
  product: 'STS',
  productCode: 'sts',
  version: '2015-04-01',
  endpointRule: 'central',
};

/** Temporary credentials of a role, and when they stop working. */
export interface RoleCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** ISO 8601 UTC. */
  expiration: string;
}

/** Whose credentials a call is made with (GetCallerIdentity). */
export interface CallerIdentity {
  accountId: string;
  /** `Account`, `RAMUser` or `AssumedRoleUser`. */
  identityType?: string;
  arn?: string;
}

/** The account a role ARN (`acs:ram::<account-id>:role/<name>`) belongs to; undefined when it is not one. */
export function roleAccountId(roleArn: string): string | undefined {
  return /^acs:ram::(\d+):role\/[\w.@-]+$/i.exec(roleArn)?.[1];
}

export class StsClient {
  private readonly rpc: RpcClient;

  constructor(
    private readonly context: CloudContext,
    config: $OpenApiUtil.Config,
  ) {
    this.rpc = new RpcClient(config, stsApi);
  }

  /** AssumeRole: the role's temporary credentials, for `durationSeconds` (900 to the role's maximum). */
  async assumeRole(request: {
    roleArn: string;
    roleSessionName: string;
    durationSeconds?: number;
  }): Promise<RoleCredentials> {
    const query: Record<string, string> = { RoleArn: request.roleArn, RoleSessionName: request.roleSessionName };
    if (request.durationSeconds !== undefined) query.DurationSeconds = String(request.durationSeconds);
    const answer = await this.call({ action: 'AssumeRole', query }, request.roleArn);
    const credentials = child(answer, 'Credentials');
    const accessKeyId = text(credentials, 'AccessKeyId');
    const accessKeySecret = text(credentials, 'AccessKeySecret');
    const securityToken = text(credentials, 'SecurityToken');
    const expiration = text(credentials, 'Expiration');
    if (!accessKeyId || !accessKeySecret || !securityToken || !expiration) {
      throw new CloudError({
        product: 'STS',
        action: 'AssumeRole',
        resourceId: request.roleArn,
        code: LocalErrorCode.invalidResponse,
        message: `the answer carries no complete Credentials (request id ${text(answer, 'RequestId') ?? 'unknown'})`,
        requestId: text(answer, 'RequestId'),
        retryable: false,
      });
    }
    return { accessKeyId, accessKeySecret, securityToken, expiration };
  }

  /** GetCallerIdentity: the account of the credentials this client signs with. Needs no permission. */
  async getCallerIdentity(): Promise<CallerIdentity> {
    const answer = await this.call({ action: 'GetCallerIdentity' });
    const accountId = text(answer, 'AccountId');
    if (!accountId) {
      throw new CloudError({
        product: 'STS',
        action: 'GetCallerIdentity',
        code: LocalErrorCode.invalidResponse,
        message: `the answer names no AccountId (request id ${text(answer, 'RequestId') ?? 'unknown'})`,
        requestId: text(answer, 'RequestId'),
        retryable: false,
      });
    }
    return { accountId, identityType: text(answer, 'IdentityType'), arn: text(answer, 'Arn') };
  }

  private call(request: RpcRequest, resourceId?: string): Promise<WireObject> {
    const runtime = runtimeOptions(this.context.timeouts);
    return this.context.runner.run(
      { product: 'STS', action: request.action, mutating: false, idempotent: true, resourceId },
      () => this.rpc.invoke(request, runtime),
      (answer) => text(answer, 'RequestId'),
    );
  }
}
