import { RAM_CODES } from './catalogue';

/**
 * The one error type every cloud call surfaces: what failed (product, action, the resource it was
 * about), what the cloud said (code, message, request id, HTTP status), whether trying again can
 * help, and what a person should do next.
 */

/** The products asmpvl calls. */
export type CloudProduct = 'PrivateLink' | 'ACK' | 'VPC' | 'ASM' | 'SLB' | 'NLB' | 'STS';

/** Codes for failures that happen on our side of the wire (no cloud code exists for them). */
export const LocalErrorCode = {
  network: 'NetworkError',
  connectTimeout: 'ConnectTimeout',
  readTimeout: 'ReadTimeout',
  invalidResponse: 'InvalidResponse',
  credentials: 'CredentialsUnavailable',
  cancelled: 'RequestCancelled',
  paginationLimit: 'PaginationLimitExceeded',
  invalidSettings: 'InvalidCloudSettings',
  invalidRequest: 'InvalidRequest',
} as const;

export interface CloudErrorFields {
  product: CloudProduct;
  action: string;
  code: string;
  message: string;
  requestId?: string;
  httpStatus?: number;
  retryable: boolean;
  /** The id the call was about (a service id, a cluster id), so the message can name it. */
  resourceId?: string;
  /** How many attempts were made before giving up (1 when not retried). */
  attempts?: number;
  /** The cloud's own pointer to a diagnosis page, when it sent one. */
  recommend?: string;
  /** True when the request certainly never reached the cloud (refused connection, connect timeout). */
  notSent?: boolean;
  /** For a RAM denial: the RAM action that was missing (`privatelink:CreateVpcEndpoint`). */
  ramAction?: string;
  cause?: unknown;
}

// Not-found codes of the products we call; any HTTP 404 counts too.
const NOT_FOUND_CODES = new Set([
  'EndpointServiceNotFound',
  'EndpointNotFound',
  'EndpointZoneNotFound',
  'EndpointConnectionNotFound',
  'EndpointServiceResourceNotFound',
  'ErrorClusterNotFound',
  'InvalidVSwitchId.NotFound',
  'InvalidVswitchID.NotFound',
  'InvalidVpcID.NotFound',
  'Forbidden.VpcNotFound',
  'ServiceMesh.NotFound',
  'Cluster.NotFound',
  'InvalidLoadBalancerId.NotFound',
  'ResourceNotFound.loadBalancer',
]);

// RAM denials: `Forbidden.RAM` (HTTP 403, with AccessDeniedDetail) is the gateway's documented code
// for an RPC call outside the caller's policy; `NoPermission` and ACK's `StatusForbidden`
// ("RAM policy Forbidden for action cs:...") are the older and ROA spellings.
const PERMISSION_CODES = new Set(['Forbidden.RAM', 'NoPermission', 'StatusForbidden', 'Forbidden.NoPermission']);

export class CloudError extends Error {
  override readonly name = 'CloudError';
  readonly product: CloudProduct;
  readonly action: string;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly retryable: boolean;
  readonly resourceId: string | undefined;
  readonly attempts: number;
  readonly recommend: string | undefined;
  readonly notSent: boolean;
  readonly ramAction: string | undefined;

  constructor(fields: CloudErrorFields) {
    super(fields.message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.product = fields.product;
    this.action = fields.action;
    this.code = fields.code;
    this.requestId = fields.requestId;
    this.httpStatus = fields.httpStatus;
    this.retryable = fields.retryable;
    this.resourceId = fields.resourceId;
    this.attempts = fields.attempts ?? 1;
    this.recommend = fields.recommend;
    this.notSent = fields.notSent ?? false;
    this.ramAction = fields.ramAction;
  }

  /** The caller's RAM policy does not allow the call. */
  get permissionDenied(): boolean {
    return PERMISSION_CODES.has(this.code) || (this.httpStatus === 403 && !this.notFound);
  }

  /** The resource the call named does not exist (or no longer does). */
  get notFound(): boolean {
    return NOT_FOUND_CODES.has(this.code) || this.httpStatus === 404;
  }

  /** A copy that records how many attempts were made. */
  withAttempts(attempts: number): CloudError {
    return new CloudError({ ...this.fields(), attempts });
  }

  fields(): CloudErrorFields {
    return {
      product: this.product,
      action: this.action,
      code: this.code,
      message: this.message,
      requestId: this.requestId,
      httpStatus: this.httpStatus,
      retryable: this.retryable,
      resourceId: this.resourceId,
      attempts: this.attempts,
      recommend: this.recommend,
      notSent: this.notSent,
      ramAction: this.ramAction,
      cause: this.cause,
    };
  }

  /**
   * One line a person can act on, e.g.
   * `PrivateLink CreateVpcEndpoint for vpc-1 failed: EndpointServiceNotFound (HTTP 400, request id 5C..): The service does not exist. Next: check that the id exists in this region and account.`
   */
  override toString(): string {
    if (this.permissionDenied) return this.permissionText();
    const subject = this.resourceId
      ? `${this.product} ${this.action} for ${this.resourceId}`
      : `${this.product} ${this.action}`;
    const facts = [
      this.httpStatus !== undefined ? `HTTP ${this.httpStatus}` : undefined,
      this.requestId ? `request id ${this.requestId}` : undefined,
      this.attempts > 1 ? `after ${this.attempts} attempts` : undefined,
    ].filter((fact) => fact !== undefined);
    const detail = facts.length > 0 ? ` (${facts.join(', ')})` : '';
    const next = nextStep(this);
    return `${subject} failed: ${this.code}${detail}: ${this.message}${next ? ` Next: ${next}` : ''}`;
  }

  /**
   * A RAM denial says so first: which RAM action the credentials lack, for which call and resource,
   * with the request id, e.g. `RAM denied privatelink:CreateVpcEndpoint (PrivateLink CreateVpcEndpoint
   * for vpc-1; Forbidden.RAM, HTTP 403, request id 5C..). Next: add {...} to the RAM policy ...`.
   */
  private permissionText(): string {
    const ramAction = this.ramAction ?? `${ramCodeOf(this.product)}:${this.action}`;
    const call = `${this.product} ${this.action}${this.resourceId ? ` for ${this.resourceId}` : ''}`;
    const facts = [
      this.code,
      this.httpStatus !== undefined ? `HTTP ${this.httpStatus}` : undefined,
      this.requestId ? `request id ${this.requestId}` : undefined,
    ].filter((fact) => fact !== undefined);
    return `RAM denied ${ramAction} (${call}; ${facts.join(', ')}): the credentials' RAM policy does not allow it. Next: ${nextStep(this)}`;
  }
}

/** What a person should do about an error, by its code; undefined when we have nothing better than the message. */
function nextStep(error: CloudError): string | undefined {
  const code = error.code;
  if (code === LocalErrorCode.cancelled) return undefined;
  if (code.startsWith('InvalidAccessKeyId')) {
    return 'check the AccessKey id (ALIBABA_CLOUD_ACCESS_KEY_ID, or the profile chosen with --profile / ALIBABA_CLOUD_PROFILE).';
  }
  if (code === 'SignatureDoesNotMatch' || code === 'IncompleteSignature') {
    return 'check the AccessKey secret that goes with the AccessKey id.';
  }
  if (code.startsWith('InvalidTimeStamp') || code === 'SignatureNonceUsed') {
    return "sync this machine's clock (requests older than 15 minutes are refused) and run again.";
  }
  if (code === 'NeedOpenProduct') {
    return 'activate PrivateLink for this account (OpenPrivateLinkService, or the PrivateLink console) and run again.';
  }
  if (error.permissionDenied) {
    const ramAction = error.ramAction ?? `${ramCodeOf(error.product)}:${error.action}`;
    return `add {"Effect": "Allow", "Action": "${ramAction}", "Resource": "*"} to the RAM policy of this user or role (kubectl asmpvl policy prints the whole policy), then run again.`;
  }
  if (
    (code.startsWith('Forbidden') && !error.notFound) ||
    code.startsWith('NoPermission') ||
    code === 'NotAuthorized'
  ) {
    return `grant the RAM identity permission for ${error.product} ${error.action}${error.resourceId ? ` on ${error.resourceId}` : ''}.`;
  }
  if (error.notFound) {
    return `check that ${error.resourceId ?? 'the resource'} exists in this region and account.`;
  }
  if (code === LocalErrorCode.credentials) {
    return 'set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, pass --profile, or run where a RAM role (RRSA, instance role) is available.';
  }
  if (
    code === LocalErrorCode.network ||
    code === LocalErrorCode.connectTimeout ||
    code === LocalErrorCode.readTimeout
  ) {
    return 'check network access to the cloud API endpoint (with --cloud-endpoint / ASMPVL_CLOUD_ENDPOINT, that something listens there) and run again.';
  }
  if (error.retryable) {
    return 'the cloud is busy or the resource is locked by another operation; wait a minute and run again.';
  }
  return error.recommend ? `see ${error.recommend}` : undefined;
}

// Codes that say "busy, try again" (from Terraform's retry lists). Matched as
// substrings, since products decorate them: `Throttling.User`, `Rejected.Throttling`.
const RETRYABLE_CODE_PARTS = ['Throttling', 'ServiceUnavailable', 'SystemBusy'];

/** The cloud's flow control refused the call (`Throttling.User`, `Rejected.Throttling`, ...): it was not performed. */
export function isThrottling(code: string): boolean {
  return code.includes('Throttling');
}

// PrivateLink's lock and in-progress codes: the resource is busy with an earlier operation.
const RETRYABLE_CODES = new Set([
  'EndpointLocked',
  'EndpointServiceLocked',
  'ConcurrentCallNotSupported',
  'EndpointOperationDenied',
  'EndpointServiceOperationDenied',
  'EndpointConnectionOperationDenied',
  'IdempotenceProcessing',
]);

// Terraform retries this one only while deleting or detaching: connections are still going away.
const RETRYABLE_WHILE_TEARING_DOWN = new Set(['EndpointServiceConnectionDependence']);
const TEAR_DOWN_ACTIONS = new Set(['DeleteVpcEndpointService', 'DetachResourceFromVpcEndpointService']);

/**
 * Whether an answer from the cloud is worth retrying: throttling and lock codes, and 5xx; never
 * any other 4xx.
 */
export function isRetryableAnswer(action: string, code: string, httpStatus: number | undefined): boolean {
  if (RETRYABLE_CODE_PARTS.some((part) => code.includes(part))) return true;
  if (RETRYABLE_CODES.has(code)) return true;
  if (RETRYABLE_WHILE_TEARING_DOWN.has(code) && TEAR_DOWN_ACTIONS.has(action)) return true;
  return httpStatus !== undefined && httpStatus >= 500 && httpStatus <= 599;
}

/** Where the call came from, for naming it in an error. */
export interface CallSubject {
  product: CloudProduct;
  action: string;
  resourceId?: string;
}

// Node's codes for a connection that failed before or while the request was sent.
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const NETWORK_CODES = new Set([
  ...NOT_SENT_NETWORK_CODES,
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
]);

/**
 * Turns whatever the SDK threw into a CloudError. The SDK throws `ClientError` / `ServerError` /
 * `ThrottlingError` (openapi-core) with `code`, `statusCode`, `data` (the error body) for an HTTP
 * error; httpx throws `RequestTimeoutError` ("ConnectTimeout: ..." / "ReadTimeout: ...") and Node
 * throws errors with `code` ECONNREFUSED etc. for the network; JSON.parse throws SyntaxError for
 * a body that is not JSON (a proxy's HTML 502, say).
 */
export function toCloudError(subject: CallSubject, thrown: unknown): CloudError {
  if (thrown instanceof CloudError) return thrown;
  const raw = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as Record<string, unknown>;
  const base = { product: subject.product, action: subject.action, resourceId: subject.resourceId, cause: thrown };
  const name = typeof raw.name === 'string' ? raw.name : '';
  const rawMessage = typeof raw.message === 'string' ? raw.message : String(thrown);

  if (typeof raw.statusCode === 'number' && raw.statusCode >= 400) {
    const body = (typeof raw.data === 'object' && raw.data !== null ? raw.data : {}) as Record<string, unknown>;
    // openapi-core writes a missing body field as the string "undefined".
    const sdkCode = typeof raw.code === 'string' && raw.code !== 'undefined' ? raw.code : undefined;
    const code = firstText(body, ['Code', 'code']) ?? sdkCode ?? `HTTP${raw.statusCode}`;
    const message = firstText(body, ['Message', 'message']) ?? rawMessage;
    const requestId =
      firstText(body, ['RequestId', 'requestId', 'requestid']) ??
      (typeof raw.requestId === 'string' ? raw.requestId : undefined);
    return new CloudError({
      ...base,
      code,
      message,
      requestId: requestId === 'undefined' ? undefined : requestId,
      httpStatus: raw.statusCode,
      retryable: isRetryableAnswer(subject.action, code, raw.statusCode),
      recommend: firstText(body, ['Recommend', 'recommend']),
      ramAction: deniedRamAction(body, raw, message),
    });
  }
  if (name.startsWith('RequestTimeout')) {
    const connect = rawMessage.startsWith('ConnectTimeout');
    return new CloudError({
      ...base,
      code: connect ? LocalErrorCode.connectTimeout : LocalErrorCode.readTimeout,
      message: connect
        ? `no connection to the API endpoint in time (${rawMessage})`
        : `no answer in time (${rawMessage})`,
      retryable: true,
      notSent: connect,
    });
  }
  const nodeCode = typeof raw.code === 'string' ? raw.code : '';
  if (NETWORK_CODES.has(nodeCode)) {
    return new CloudError({
      ...base,
      code: LocalErrorCode.network,
      message: `${nodeCode}: ${rawMessage}`,
      retryable: true,
      notSent: NOT_SENT_NETWORK_CODES.has(nodeCode),
    });
  }
  if (thrown instanceof SyntaxError) {
    return new CloudError({
      ...base,
      code: LocalErrorCode.invalidResponse,
      message: `the answer was not JSON: ${rawMessage}`,
      retryable: true,
    });
  }
  if (name === 'CredentialsUnavailableError' || nodeCode === 'InvalidCredentials') {
    return new CloudError({
      ...base,
      code: LocalErrorCode.credentials,
      message: rawMessage,
      retryable: false,
      notSent: true,
    });
  }
  return new CloudError({ ...base, code: nodeCode || name || 'UnknownError', message: rawMessage, retryable: false });
}

function firstText(body: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = body[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

// The RAM code of each product (catalogue.ts), for naming a denied action when the answer does not.
function ramCodeOf(product: CloudProduct): string {
  return RAM_CODES[product];
}

/**
 * The RAM action a denial names: `AccessDeniedDetail.AuthAction` (RPC gateway; openapi-core keeps
 * it in `accessDeniedDetail` too), else `for action cs:X` in ACK's message.
 */
function deniedRamAction(
  body: Record<string, unknown>,
  raw: Record<string, unknown>,
  message: string,
): string | undefined {
  for (const detail of [body.AccessDeniedDetail, body.accessDeniedDetail, raw.accessDeniedDetail]) {
    if (typeof detail === 'object' && detail !== null) {
      const fields = detail as Record<string, unknown>;
      const action = fields.AuthAction ?? fields.authAction;
      if (typeof action === 'string' && action !== '') return action;
    }
  }
  return /for action ([a-z-]+:[A-Za-z0-9*]+)/.exec(message)?.[1];
}
