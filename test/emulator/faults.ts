// Fault injection: what the emulator does to a request instead of (or besides) answering it.
// Rates are sampled from a seeded generator so that a run with the same seed and the same
// request sequence fails the same requests.
import { ApiError } from './errors';
import { seededRandom } from './ids';

/** Faults to inject; every field is optional and absent means "off". */
export interface EmulatorFaults {
  /** Fraction 0–1 of requests refused as throttled. */
  throttleRate?: number;
  /**
   * The throttling code. Default `Throttling.User` with HTTP 400, the gateway's user flow control
   * answer ("Request was denied due to user flow control."), which openapi-core turns into a
   * ThrottlingError because the code contains "Throttling".
   */
  throttleCode?: string;
  /** Fraction 0–1 of requests answered with a server error. */
  serverErrorRate?: number;
  /** `ServiceUnavailable` (503, default) or `InternalError` (500). */
  serverErrorCode?: 'ServiceUnavailable' | 'InternalError';
  /** Added before every answer, in milliseconds. */
  latencyMs?: number;
  /** Fraction 0–1 of requests never answered (the connection stays open until the emulator stops). */
  hangRate?: number;
  /** When given, the faults above apply only to these actions. */
  actions?: string[];
  /**
   * One-shot: for each listed action (repeat it for several), the next successful call is
   * performed and then its connection is destroyed without an answer, as when a response is lost.
   */
  dropResponseOnce?: string[];
  /**
   * One-shot: the next N ACK cluster tasks (SAN updates) end in `fail` with the SANs unchanged,
   * as when the API server restart goes wrong.
   */
  failClusterTasks?: number;
  /** Seed for sampling the rates; default 1. */
  seed?: number;
}

export type FaultDecision =
  { kind: 'none' } | { kind: 'hang' } | { kind: 'error'; fault: 'throttle' | 'server-error'; error: ApiError };

function checkRate(name: string, rate: number | undefined): void {
  if (rate !== undefined && !(rate >= 0 && rate <= 1))
    throw new RangeError(`faults.${name} must be between 0 and 1, got ${rate}`);
}

/** Checks a faults object (from a flag, a test or the control endpoint) before it takes effect. */
export function checkFaults(faults: EmulatorFaults): EmulatorFaults {
  checkRate('throttleRate', faults.throttleRate);
  checkRate('serverErrorRate', faults.serverErrorRate);
  checkRate('hangRate', faults.hangRate);
  if (faults.latencyMs !== undefined && !(faults.latencyMs >= 0))
    throw new RangeError(`faults.latencyMs must be >= 0, got ${faults.latencyMs}`);
  if (
    faults.failClusterTasks !== undefined &&
    !(Number.isInteger(faults.failClusterTasks) && faults.failClusterTasks >= 0)
  ) {
    throw new RangeError(`faults.failClusterTasks must be a whole number, got ${faults.failClusterTasks}`);
  }
  if (
    faults.serverErrorCode !== undefined &&
    !['ServiceUnavailable', 'InternalError'].includes(faults.serverErrorCode)
  ) {
    throw new RangeError(
      `faults.serverErrorCode must be ServiceUnavailable or InternalError, got ${faults.serverErrorCode}`,
    );
  }
  return faults;
}

export function throttlingError(code = 'Throttling.User'): ApiError {
  return new ApiError(code, 'Request was denied due to user flow control.', 400);
}

function serverError(code: 'ServiceUnavailable' | 'InternalError'): ApiError {
  if (code === 'InternalError')
    return new ApiError(
      code,
      'The request processing has failed due to some unknown error, exception or failure.',
      500,
    );
  return new ApiError(code, 'The request has failed due to a temporary failure of the server.', 503);
}

export class FaultInjector {
  private faults: EmulatorFaults = {};
  private random: () => number = seededRandom(1);
  private drops: string[] = [];
  private clusterTaskFailures = 0;

  constructor(faults: EmulatorFaults = {}) {
    this.set(faults);
  }

  /** Replaces the whole fault configuration (and restarts sampling from its seed). */
  set(faults: EmulatorFaults): void {
    this.faults = structuredClone(checkFaults(faults));
    this.random = seededRandom(faults.seed ?? 1);
    this.drops = [...(faults.dropResponseOnce ?? [])];
    this.clusterTaskFailures = faults.failClusterTasks ?? 0;
  }

  current(): EmulatorFaults {
    return {
      ...structuredClone(this.faults),
      dropResponseOnce: [...this.drops],
      ...(this.clusterTaskFailures > 0 ? { failClusterTasks: this.clusterTaskFailures } : {}),
    };
  }

  private applies(action: string): boolean {
    return this.faults.actions === undefined || this.faults.actions.includes(action);
  }

  private sample(rate: number | undefined): boolean {
    // Draw only when the fault is on, so turning one fault on does not shift another's sequence.
    return rate !== undefined && rate > 0 && this.random() < rate;
  }

  latencyFor(action: string): number {
    return this.applies(action) ? (this.faults.latencyMs ?? 0) : 0;
  }

  /** Whether this request hangs, fails, or goes through. */
  decide(action: string): FaultDecision {
    if (!this.applies(action)) return { kind: 'none' };
    if (this.sample(this.faults.hangRate)) return { kind: 'hang' };
    if (this.sample(this.faults.throttleRate))
      return { kind: 'error', fault: 'throttle', error: throttlingError(this.faults.throttleCode) };
    if (this.sample(this.faults.serverErrorRate))
      return {
        kind: 'error',
        fault: 'server-error',
        error: serverError(this.faults.serverErrorCode ?? 'ServiceUnavailable'),
      };
    return { kind: 'none' };
  }

  /** Consumes one armed "drop the response" for the action, if any. */
  takeDropResponse(action: string): boolean {
    const index = this.drops.indexOf(action);
    if (index < 0) return false;
    this.drops.splice(index, 1);
    return true;
  }

  /** Consumes one armed cluster task failure, if any. */
  takeClusterTaskFailure(): boolean {
    if (this.clusterTaskFailures === 0) return false;
    this.clusterTaskFailures--;
    return true;
  }
}
