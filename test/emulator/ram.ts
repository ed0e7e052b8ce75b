// RAM: an access key may carry a policy (the real policy JSON); every call is judged against it
// after the signature: an explicit Deny wins, then any Allow, else the call is implicitly denied.
// A key without a policy is the account itself (allowed everything), as before.
//
// The denial, as the gateway answers it: RPC products `Forbidden.RAM`, HTTP 403, "User not
// authorized to operate on the specified resource, or this API doesn't support RAM." with an
// `AccessDeniedDetail` object (documented in Alibaba Cloud's announcement of the ECS change to
// 403 + Forbidden.RAM, and in the SDKs' AccessDeniedDetail models). ACK's message is documented
// ("RAM policy Forbidden for action cs:..."); its code `StatusForbidden` is assumed.
import { ApiError } from './errors';

export interface RamStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
}

export interface RamPolicy {
  Version?: string;
  Statement: RamStatement[];
}

/** What one call asks of RAM. */
export interface RamRequest {
  /** `privatelink:CreateVpcEndpoint`. */
  action: string;
  /** `acs:privatelink:cn-hangzhou:1266...:vpcendpoint/ep-...`, or `*` for account-wide actions. */
  resource: string;
}

export type RamDecision = 'Allow' | 'ImplicitDeny' | 'ExplicitDeny';

function list(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** RAM's wildcards: `*` any run of characters, `?` one character; actions compare case-insensitively. */
function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

function matches(statement: RamStatement, request: RamRequest): boolean {
  const action = list(statement.Action).some((pattern) => wildcard(pattern, true).test(request.action));
  const resource = list(statement.Resource).some((pattern) => wildcard(pattern, false).test(request.resource));
  return action && resource;
}

/** RAM's verdict on a request under a policy; no policy allows everything. */
export function evaluate(policy: RamPolicy | undefined, request: RamRequest): RamDecision {
  if (!policy) return 'Allow';
  const applicable = policy.Statement.filter((statement) => matches(statement, request));
  if (applicable.some((statement) => statement.Effect === 'Deny')) return 'ExplicitDeny';
  return applicable.some((statement) => statement.Effect === 'Allow') ? 'Allow' : 'ImplicitDeny';
}

/** Refuses a policy that is not one RAM would store, naming the offending statement. */
export function checkPolicy(policy: RamPolicy, where: string): string[] {
  const problems: string[] = [];
  if (!Array.isArray(policy.Statement)) return [`${where}: Statement must be a list`];
  policy.Statement.forEach((statement, index) => {
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')
      problems.push(`${where}.Statement[${index}].Effect must be Allow or Deny`);
    for (const field of ['Action', 'Resource'] as const) {
      const value = statement[field] as unknown;
      const ok = typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
      if (!ok) problems.push(`${where}.Statement[${index}].${field} must be a string or a list of strings`);
    }
  });
  return problems;
}

/** Who was refused, for the AccessDeniedDetail. */
export interface RamPrincipal {
  accountId: string;
  accessKeyId: string;
}

/** The gateway's answer to a call its policy does not allow. */
export function permissionDenied(
  style: 'RPC' | 'ROA',
  request: RamRequest,
  decision: Exclude<RamDecision, 'Allow'>,
  principal: RamPrincipal,
): ApiError {
  if (style === 'ROA') {
    return new ApiError('StatusForbidden', `RAM policy Forbidden for action ${request.action}`, 403);
  }
  const diagnostic = Buffer.from(
    JSON.stringify({ AuthAction: request.action, AuthResource: request.resource, NoPermissionType: decision }),
  ).toString('base64');
  return new ApiError(
    'Forbidden.RAM',
    "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
    403,
    {
      AccessDeniedDetail: {
        AuthAction: request.action,
        AuthPrincipalType: 'SubUser',
        AuthPrincipalOwnerId: principal.accountId,
        AuthPrincipalDisplayName: principal.accessKeyId,
        NoPermissionType: decision,
        PolicyType: 'AccountLevelIdentityBasedPolicy',
        EncodedDiagnosticMessage: diagnostic,
      },
    },
  );
}

// The resource a call is about, by the parameter naming it. The ARN shapes
// (`acs:<code>:<region>:<account>:<type>/<id>`) follow the products' RAM pages; the type names are
// assumed where those pages were not read. A call naming none is judged on `*`.
const RESOURCE_PARAMS: Array<[param: string, type: string]> = [
  ['ServiceId', 'vpcendpointservice'],
  ['EndpointId', 'vpcendpoint'],
  ['ServiceMeshId', 'servicemesh'],
  ['VSwitchId', 'vswitch'],
  ['LoadBalancerId', 'loadbalancer'],
];

/** The ARN of what an RPC call names, or `*`. */
export function rpcResource(
  code: string,
  regionId: string,
  accountId: string,
  param: (name: string) => string | undefined,
): string {
  // sts:AssumeRole is judged on the role it names, an ARN of the role's own account.
  const roleArn = param('RoleArn');
  if (code === 'sts' && roleArn) return roleArn;
  for (const [name, type] of RESOURCE_PARAMS) {
    const id = param(name);
    if (id && !id.includes(',')) return `acs:${code}:${regionId}:${accountId}:${type}/${id}`;
  }
  return '*';
}

/** The ARN of an ACK call: the cluster its path names (`/clusters/{id}...`), or `*` (a task). */
export function roaResource(regionId: string, accountId: string, pathParams: string[]): string {
  const clusterId = pathParams.find((param) => /^c[0-9a-z]{10,}$/.test(param));
  return clusterId ? `acs:cs:${regionId}:${accountId}:cluster/${clusterId}` : '*';
}
