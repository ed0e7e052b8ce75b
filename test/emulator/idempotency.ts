// ClientToken idempotency: a retried call with the same token and the same parameters answers
// what the first call answered and creates nothing; the same token with other parameters is
// refused with IdempotentParameterMismatch (the code PrivateLink's idempotence documentation names). Only successful calls are remembered, so a call
// that failed can be retried with its token.
import { ApiError } from './errors';

/** The parameters that make a call what it is: all but ClientToken, order-independent. */
export function callFingerprint(action: string, params: Array<[string, string]>): string {
  const relevant = params.filter(([key]) => key !== 'ClientToken').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([action, relevant]);
}

export class IdempotencyLedger {
  private readonly answers = new Map<string, { fingerprint: string; body: Record<string, unknown> }>();

  private static key(accountId: string, action: string, clientToken: string): string {
    return `${accountId}\n${action}\n${clientToken}`;
  }

  /** The remembered answer for a repeated call, undefined for a new one; throws on a mismatch. */
  replay(
    accountId: string,
    action: string,
    clientToken: string,
    fingerprint: string,
  ): Record<string, unknown> | undefined {
    const remembered = this.answers.get(IdempotencyLedger.key(accountId, action, clientToken));
    if (!remembered) return undefined;
    if (remembered.fingerprint !== fingerprint) {
      throw new ApiError(
        'IdempotentParameterMismatch',
        `The ClientToken ${clientToken} was used for a ${action} call with other parameters.`,
      );
    }
    return structuredClone(remembered.body);
  }

  remember(
    accountId: string,
    action: string,
    clientToken: string,
    fingerprint: string,
    body: Record<string, unknown>,
  ): void {
    this.answers.set(IdempotencyLedger.key(accountId, action, clientToken), {
      fingerprint,
      body: structuredClone(body),
    });
  }
}
