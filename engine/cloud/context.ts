/**
 * What every product client shares inside one Cloud: the region, the retry runner, the timeouts
 * and how ClientTokens are made.
 */
import { randomUUID } from 'node:crypto';
import * as $dara from '@darabonba/typescript';
import type { CallRunner } from './retry';

/** Connect and read timeouts of one attempt. */
export interface CloudTimeouts {
  /** Until the TCP (and TLS) connection stands. */
  connectMs: number;
  /** From the request being sent until the whole answer has arrived. */
  readMs: number;
}

export const defaultTimeouts: CloudTimeouts = { connectMs: 5_000, readMs: 20_000 };

export interface CloudContext {
  region: string;
  runner: CallRunner;
  timeouts: CloudTimeouts;
  /** A fresh idempotency token for a logical write that the caller gave none for. */
  newClientToken(): string;
}

/**
 * Per-attempt runtime options for the SDK. openapi-core retries only when its config carries
 * `retryOptions`, which we never set: the CallRunner owns retries.
 */
export function runtimeOptions(timeouts: CloudTimeouts): $dara.RuntimeOptions {
  return new $dara.RuntimeOptions({ connectTimeout: timeouts.connectMs, readTimeout: timeouts.readMs });
}

/**
 * A ClientToken is at most 64 ASCII characters (PrivateLink API reference); a UUID has 36. The
 * same token is sent on every retry of one logical write, so the cloud does the work once.
 */
export function randomClientToken(): string {
  return randomUUID();
}
