/**
 * Leader election on a coordination.k8s.io Lease, as client-go's leaderelection does it: take the
 * Lease when it is free or its holder has not renewed it within its duration (measured on our own
 * clock from when we last saw it change, so clock skew between machines does not matter), renew it
 * every retry period, give up leading when a renewal has not succeeded within the renew deadline,
 * and release it (holder cleared) on shutdown so another replica takes over at once.
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { LEASE_RESOURCE as LEASE, type LeaseObject, microTime } from '../engine/kube/lease-object';
import { type LeaseStep, statusCodeOf } from './diagnosis';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  now?: () => number;
}

export interface LeaderCallbacks {
  /** We lead from now on; `signal` aborts when we stop (lost the Lease or shutting down). */
  onStartedLeading(signal: AbortSignal): void;
  onStoppedLeading(): void;
  onNewLeader?(identity: string): void;
  /**
   * A round failed for a reason other than losing a race (a missing namespace, RBAC, an unreachable
   * API server): `step` is what was being done to the Lease. Told every failed round.
   */
  onError?(error: unknown, step: LeaseStep): void;
  /** A round worked (the Lease read, and taken or renewed if it was ours to take): any error is over. */
  onHealthy?(): void;
}

export class LeaderElector {
  private observed: { record: string; at: number } | undefined;
  private leading: AbortController | undefined;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private currentLeader: string | undefined;

  constructor(
    private readonly api: CustomObjectsApi,
    private readonly options: LeaderElectionOptions,
    private readonly callbacks: LeaderCallbacks,
  ) {}

  get isLeader(): boolean {
    return this.leading !== undefined;
  }

  get leader(): string | undefined {
    return this.currentLeader;
  }

  /** Starts trying to acquire and then renewing, every retry period, until stop(). */
  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      await this.tryAcquireOrRenew();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.options.retryPeriodMs);
    };
    void tick();
  }

  /** Stops leading (aborting the work under way) and releases the Lease if we hold it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const wasLeading = this.isLeader;
    this.stopLeading();
    if (wasLeading) await this.release();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private target() {
    return { ...LEASE, namespace: this.options.namespace, name: this.options.name };
  }

  private async read(): Promise<LeaseObject | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject(this.target())) as LeaseObject;
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  private desired(current: LeaseObject | undefined): LeaseObject {
    const now = this.now();
    const mine = current?.spec.holderIdentity === this.options.identity;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.options.name,
        namespace: this.options.namespace,
        ...(current?.metadata.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      spec: {
        holderIdentity: this.options.identity,
        leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
        acquireTime: mine && current?.spec.acquireTime ? current.spec.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (current?.spec.leaseTransitions ?? 0) + (current && !mine ? 1 : 0),
      },
    };
  }

  private async tryAcquireOrRenew(): Promise<void> {
    let acquired = false;
    let step: LeaseStep = 'reading';
    try {
      const current = await this.read();
      if (current) {
        const record = JSON.stringify(current.spec);
        if (this.observed?.record !== record) this.observed = { record, at: this.now() };
        const holder = current.spec.holderIdentity;
        if (holder !== this.currentLeader && holder) {
          this.currentLeader = holder;
          this.callbacks.onNewLeader?.(holder);
        }
        const durationMs = (current.spec.leaseDurationSeconds ?? 0) * 1000;
        const heldByOther = holder && holder !== this.options.identity;
        if (heldByOther && this.observed.at + durationMs > this.now()) {
          this.callbacks.onHealthy?.();
          this.checkRenewDeadline();
          return;
        }
        step = 'updating';
        await this.api.replaceNamespacedCustomObject({ ...this.target(), body: this.desired(current) });
      } else {
        step = 'creating';
        await this.api.createNamespacedCustomObject({
          ...LEASE,
          namespace: this.options.namespace,
          body: this.desired(undefined),
        });
      }
      acquired = true;
    } catch (error) {
      // A conflict is someone else writing first: not ours this round, and nothing wrong.
      if (statusCodeOf(error) === 409) this.callbacks.onHealthy?.();
      else this.callbacks.onError?.(error, step);
    }
    if (acquired) {
      this.callbacks.onHealthy?.();
      this.lastRenew = this.now();
      if (this.currentLeader !== this.options.identity) {
        this.currentLeader = this.options.identity;
        this.callbacks.onNewLeader?.(this.options.identity);
      }
      if (!this.leading && !this.stopped) {
        this.leading = new AbortController();
        this.callbacks.onStartedLeading(this.leading.signal);
      }
      return;
    }
    this.checkRenewDeadline();
  }

  /** A leader that could not renew within the renew deadline stops, before another may take over. */
  private checkRenewDeadline(): void {
    if (this.leading && this.now() - this.lastRenew > this.options.renewDeadlineMs) this.stopLeading();
  }

  private stopLeading(): void {
    if (!this.leading) return;
    this.leading.abort(new Error('leadership lost'));
    this.leading = undefined;
    this.callbacks.onStoppedLeading();
  }

  /** Clears the holder so the next replica takes over without waiting out the duration. */
  private async release(): Promise<void> {
    try {
      const current = await this.read();
      if (!current || current.spec.holderIdentity !== this.options.identity) return;
      await this.api.replaceNamespacedCustomObject({
        ...this.target(),
        body: {
          ...current,
          spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) },
        },
      });
    } catch {
      // An unreleased Lease expires after its duration.
    }
  }
}
