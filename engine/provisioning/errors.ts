/**
 * A failed provisioning step, as a person needs it: which step, for which cluster, the cloud's
 * request id, and what to do next (CloudError's own message carries the code and the next step).
 */
import { CloudError } from '../cloud/errors';

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
