// The emulator without its HTTP server: the cloud, the ledgers, the faults and the request log,
// and the operations the control endpoints and the in-process API offer on them.
import { Cloud, type EmulatorState } from './cloud';
import { resolveDelays, type EmulatorDelays } from './delays';
import type { DispatchOutcome, EmulatorRuntime } from './dispatch';
import { dispatch } from './dispatch';
import { FaultInjector, type EmulatorFaults } from './faults';
import { IdempotencyLedger } from './idempotency';
import { meshViewOfCluster } from './products/servicemesh/mesh-view';
import { checkPolicy, type RamPolicy } from './ram';
import { RateLimiter, type RateLimits } from './rate-limits';
import { RequestLog, type RequestLogEntry } from './request-log';
import { NonceLedger, type WireRequest } from './signature';
import { resolveWorld, type World } from './world';

export interface EmulatorOptions {
  /** A world object or the path of a world JSON file. */
  world: World | string;
  delays?: Partial<EmulatorDelays>;
  faults?: EmulatorFaults;
  /** Per-action calls per second (`"*"` for all others); off when absent. */
  rateLimits?: RateLimits;
  /** Seed for generated ids (services, endpoints, request ids); random when absent. */
  seed?: number;
  /** Milliseconds since the epoch; tests may drive time by hand. Default Date.now. */
  clock?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Emulator {
  readonly world: World;
  readonly runtime: EmulatorRuntime;
  private readonly options: EmulatorOptions;

  constructor(options: EmulatorOptions) {
    this.options = options;
    this.world = resolveWorld(options.world);
    this.runtime = {
      cloud: this.newCloud(),
      nonces: new NonceLedger(),
      idempotency: new IdempotencyLedger(),
      faults: new FaultInjector(options.faults ?? {}),
      rateLimits: new RateLimiter(options.rateLimits ?? {}),
      log: new RequestLog(),
      sleep: realSleep,
    };
  }

  private newCloud(): Cloud {
    return new Cloud({
      clusterTaskFails: () => this.runtime.faults.takeClusterTaskFailure(),
      world: structuredClone(this.world),
      delays: resolveDelays(this.options.delays),
      clock: this.options.clock,
      seed: this.options.seed,
      meshView: meshViewOfCluster,
    });
  }

  handle(request: WireRequest): Promise<DispatchOutcome> {
    return dispatch(this.runtime, request);
  }

  /** The whole inventory, with every transition due by now applied. */
  state(): EmulatorState {
    this.runtime.cloud.settle();
    return this.runtime.cloud.snapshot();
  }

  /**
   * Replaces a cluster's API server certificate SANs at once, as a change made behind asmpvl's
   * back would (the console, another tool); no task, no state change.
   */
  setClusterSans(clusterId: string, sans: string[]): void {
    this.runtime.cloud.settle();
    const cluster = this.runtime.cloud.clusters.get(clusterId);
    if (!cluster) throw new Error(`no cluster ${clusterId} in the world`);
    if (!Array.isArray(sans) || sans.some((san) => typeof san !== 'string'))
      throw new Error('sans must be an array of strings');
    cluster.extraSans = [...sans];
  }

  /**
   * Gives an access key a RAM policy (undefined: the account itself, allowed everything), from the
   * next request on; `reset()` restores the world's.
   */
  setPolicy(accessKeyId: string, policy: RamPolicy | undefined): void {
    const problems = policy ? checkPolicy(policy, 'policy') : [];
    if (problems.length > 0) throw new Error(problems.join('; '));
    const key = this.runtime.cloud.world.accounts
      .flatMap((account) => account.accessKeys)
      .find((candidate) => candidate.accessKeyId === accessKeyId);
    if (!key) throw new Error(`no access key ${accessKeyId} in the world`);
    key.policy = policy === undefined ? undefined : structuredClone(policy);
  }

  requests(): RequestLogEntry[] {
    return this.runtime.log.list();
  }

  setFaults(faults: EmulatorFaults): void {
    this.runtime.faults.set(faults);
  }

  faults(): EmulatorFaults {
    return this.runtime.faults.current();
  }

  setRateLimits(limits: RateLimits): void {
    this.runtime.rateLimits.set(limits);
  }

  /** Back to the world as loaded: no services, endpoints, tasks, tokens or logged requests; faults off. */
  reset(): void {
    this.runtime.cloud = this.newCloud();
    this.runtime.nonces = new NonceLedger();
    this.runtime.idempotency = new IdempotencyLedger();
    this.runtime.faults.set({});
    this.runtime.rateLimits.set(this.options.rateLimits ?? {});
    this.runtime.log.clear();
  }
}
