/**
 * A failed provisioning step, as a person needs it: which step, for which cluster, the cloud's
 * request id, and what to do next (CloudError's own message carries the code and the next step).
 */
import { CloudError, LocalErrorCode } from '../cloud/errors';

export class StepError extends Error {
  override readonly name = 'StepError';
  constructor(
    /** The step in words: "create the API-server endpoint of c0123…". */
    readonly step: string,
    override readonly cause: unknown,
    readonly clusterId?: string,
  ) {
    super(`${step} failed: ${describeCause(cause)}`);
  }

  /** The cloud's request id of the failed call, when the cloud answered. */
  get requestId(): string | undefined {
    return this.cause instanceof CloudError ? this.cause.requestId : undefined;
  }

  /** A CamelCase word for a condition's reason, from the cloud code when there is one. */
  get reason(): string {
    if (this.cause instanceof CloudError) return camelWord(this.cause.code);
    if (this.cause instanceof Error) return camelWord(this.cause.name.replace(/Error$/, ''));
    return 'Failed';
  }
}

function camelWord(text: string): string {
  const word = text.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ? next.toUpperCase() : ''));
  return word === '' ? 'Failed' : word[0]!.toUpperCase() + word.slice(1);
}

/** One line about whatever was thrown: a CloudError with its request id and next step, else the message. */
export function describeCause(cause: unknown): string {
  if (cause instanceof CloudError) return cause.toString();
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/** A problem with the inputs (flags, spec, what discovery found) that no retry will fix. */
export class ProvisioningInputError extends Error {
  override readonly name = 'ProvisioningInputError';
}

/**
 * One of our own resources went missing while a run worked on it (deleted behind our back): drift,
 * which the next run repairs, so a retry clears it and nothing in the inputs is wrong.
 */
export class ResourceGoneError extends Error {
  override readonly name = 'ResourceGoneError';
}

/** A state the code should never reach (a bug of ours): reported as such, never blamed on the inputs. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
  constructor(message: string) {
    super(`internal: ${message} (please report this)`);
  }
}

// Resources a person names (in the spec, a flag, the mesh's settings) or that come with them (a
// cluster's VPC and API server load balancer): when the cloud lacks one, only a change helps. Our
// own endpoints and endpoint services going missing is drift, which the next run repairs.
const NAMED_RESOURCE_MISSING = new Set([
  'ErrorClusterNotFound',
  'Cluster.NotFound',
  'ServiceMesh.NotFound',
  'InvalidVSwitchId.NotFound',
  'InvalidVswitchID.NotFound',
  'InvalidVpcID.NotFound',
  'Forbidden.VpcNotFound',
  'InvalidLoadBalancerId.NotFound',
  'ResourceNotFound.loadBalancer',
]);
// Credentials the cloud refuses, and a product the account has not activated.
const ACCOUNT_CODE_PREFIXES = ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'IncompleteSignature', 'NeedOpenProduct'];

/**
 * Whether a failure will stay until someone changes something (the spec, the RAM policy, the
 * credentials, the account), however often it is retried: a RAM denial, refused credentials, a
 * cluster, mesh, VPC, vSwitch or load balancer the cloud does not have, an input no retry fixes.
 * Throttling, locks, timeouts, 5xx and our own resources going missing are not: a retry can clear them.
 */
export function needsChange(failure: unknown): boolean {
  if (failure instanceof ProvisioningInputError) return true;
  if (failure instanceof ResourceGoneError || failure instanceof InternalError) return false;
  if (failure instanceof CloudError) {
    if (failure.retryable || failure.code === LocalErrorCode.cancelled) return false;
    return (
      failure.permissionDenied ||
      failure.code === LocalErrorCode.credentials ||
      NAMED_RESOURCE_MISSING.has(failure.code) ||
      ACCOUNT_CODE_PREFIXES.some((prefix) => failure.code.startsWith(prefix))
    );
  }
  // A step (StepError, SanSyncError) is as lasting as what made it fail.
  if (failure instanceof Error && failure.cause !== undefined) return needsChange(failure.cause);
  return false;
}
