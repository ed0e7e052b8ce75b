/**
 * The controller's Reconcile for asmpvlconfig/default: refuse when another manager owns the status,
 * clean up behind the finalizer on deletion, otherwise run the engine's one reconcile entry point
 * over every cluster of the spec and say what changed in Events. Leader election, the watch, the
 * queue and the process live in the manager (manager.ts); this decides, given a store and a cloud.
 */
import type { LeaseSpec } from '../engine/kube/lease-object';
import { type ConfigEvent, type ConfigStore, type StoredConfig } from '../engine/kube/store';
import { CONTROLLER_ADVICE } from '../engine/provisioning/advice';
import {
  ANNOTATION_CONTROLLER,
  ANNOTATION_RECONCILE_REQUEST,
  FINALIZER,
  KNOWN_STATUS_MANAGERS,
} from '../engine/provisioning/controller-protocol';
import { describeCause, needsChange } from '../engine/provisioning/errors';
import { type ReconcileContext, type ReconcileOutcome, reconcile } from '../engine/provisioning/pipeline';
import { ANNOTATION_PILOT_LOAD_BALANCER, annotationsOf, resolveMeshId } from '../engine/provisioning/spec-edit';
import { failedRunStatus, setCondition } from '../engine/provisioning/status';
import { defaultWaitPolicy } from '../engine/provisioning/waits';

export { ANNOTATION_CONTROLLER, ANNOTATION_RECONCILE_REQUEST, FINALIZER };

/** The field manager the controller writes as. */
export const CONTROLLER_MANAGER = 'asmpvl-controller';
/** Set to "true" to let the controller take over a status another manager wrote. */
export const ANNOTATION_ADOPT = 'asmpvl.io/adopt-status';
/** The condition the controller adds when it refuses to act. */
export const CONTROLLER_CONDITION = 'Controller';

export type ReconcileResultKind =
  'converged' | 'progressing' | 'failed' | 'refused' | 'deleted' | 'absent' | 'cancelled';

export interface ReconcileResult {
  result: ReconcileResultKind;
  /** Come back after this long (the manager's resync otherwise); failures back off in the manager. */
  requeueAfterMs?: number;
  /** What went wrong, for logs and metrics. */
  error?: string;
  /**
   * The failure stays until someone changes something (the spec, a RAM policy): logged as such. It
   * is still retried with the same backoff, since a change outside the object (a RAM policy, a
   * cluster created) wakes no watch.
   */
  terminal?: boolean;
}

/** One run's parts, opened by the manager for each reconcile (a fresh read memo, the run's signal). */
export type RunOpener = () => Omit<ReconcileContext, 'store' | 'progress' | 'advice'>;

export interface ReconcilerOptions {
  store: ConfigStore;
  openRun: RunOpener;
  /** --mesh-id; else ASMPVL_MESH_ID in `env`; else the object's annotation. */
  meshId?: string;
  env: Record<string, string | undefined>;
  /** `namespace/name` of the leader-election Lease, recorded on the object for the plugin. */
  leaseRef: string;
  /** How soon to look again while the mesh has not caught up (no failure, not Available yet). */
  progressingRequeueMs?: number;
  /** Progress lines (the engine's step reports), for the log at debug level. */
  progress?: ReconcileContext['progress'];
  /**
   * A converged object gets the cheap drift check (checkDrift: three list calls) on resyncs, and a
   * full reconcile at least this often anyway (what the check cannot see, e.g. a zone removed that
   * the mesh still tolerates). Default 1h; 0 makes every resync a full one.
   */
  fullResyncMs?: number;
  now?: () => number;
  /**
   * The longest a reconcile waits on any one resource (to settle, a SAN task to end) before it stops
   * waiting and asks to come back: the worker is never held by a slow cloud. Default 30s; the
   * per-resource limit still counts across the runs that waited.
   */
  waitHoldMs?: number;
  /** Told what the drift check found (logs). */
  onDrift?: (drift: string) => void;
  /**
   * The Lease another asmpvl-controller named on the object (its `asmpvl.io/controller`
   * annotation), as stored; undefined when that Lease does not exist.
   */
  readControllerLease?: (config: StoredConfig) => Promise<{ lease: string; spec: LeaseSpec } | undefined>;
}

/** The condition reason (and Event reason) of a controller that leaves the object to another install. */
export const REASON_ANOTHER_CONTROLLER = 'AnotherController';

/** The longest one reconcile waits on any one resource before it asks to come back. */
export const DEFAULT_WAIT_HOLD_MS = 30_000;

const SILENT = { start() {}, succeed() {}, fail() {}, info() {} };
// Events carry the first few failures; the status has them all.
const EVENT_FAILURES = 5;

/** Managers other than ours that wrote the status, newest first. */
export function foreignStatusManagers(config: StoredConfig): string[] {
  return (config.metadata.managedFields ?? [])
    .filter((entry) => entry.subresource === 'status' && entry.manager && !KNOWN_STATUS_MANAGERS.has(entry.manager))
    .sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''))
    .map((entry) => entry.manager!);
}

interface Refusal {
  reason: string;
  message: string;
  requeueAfterMs?: number;
}

/**
 * Another controller (the vendor's managed one on an ASM instance) writes this status, unless the
 * object says to adopt it.
 */
function foreignRefusal(config: StoredConfig): Refusal | undefined {
  const foreign = foreignStatusManagers(config);
  if (foreign.length === 0 || annotationsOf(config)[ANNOTATION_ADOPT] === 'true') return undefined;
  return {
    reason: 'ForeignManager',
    message:
      `the status of asmpvlconfig/default is written by ${foreign.join(', ')}, which asmpvl-controller does not know ` +
      `(managedFields): another controller manages this object, so asmpvl-controller does not act on it. ` +
      `If that controller is gone for good, annotate the object ${ANNOTATION_ADOPT}=true to let asmpvl-controller take over.`,
  };
}

export class Reconciler {
  private lastRefusal: string | undefined;
  /**
   * Each other Lease as last seen and when it was seen to change, on our own clock: its holder is
   * alive while the record changed within its duration (as client-go's leader election judges it,
   * so clock skew between the two controllers does not matter).
   */
  private readonly observedLeases = new Map<string, { record: string; at: number }>();
  /** The generation this controller last saw Available: changes made for it are repairs of drift. */
  private convergedGeneration: number | undefined;
  private lastFullAt = 0;
  /** When each wait a reconcile left under way began (the per-resource limit spans the runs). */
  private readonly waitsBegan = new Map<string, number>();

  constructor(private readonly options: ReconcilerOptions) {}

  /**
   * One pass over asmpvlconfig/default. Throws only when the store itself cannot be read or written.
   * `release` fires when the manager wants the worker back (the object changed): the waits under way
   * stop and the pass ends, asking to come back.
   */
  async reconcile(release?: AbortSignal): Promise<ReconcileResult> {
    const { store } = this.options;
    const config = await store.getConfig();
    if (!config) return { result: 'absent' };
    if (config.metadata.deletionTimestamp) return this.finalize(config, release);
    const refused = await this.refuse(config, foreignRefusal(config) ?? (await this.claimedRefusal(config)));
    if (refused) return refused;
    let owned: StoredConfig | undefined;
    try {
      owned = await this.claim(config);
    } catch (error) {
      return this.fail(
        config,
        'ClaimRefused',
        `adding the finalizer ${FINALIZER} and the annotation ${ANNOTATION_CONTROLLER} was refused, so nothing is provisioned: ${describeCause(error)}`,
      );
    }
    if (!owned) return { result: 'absent' };
    let meshId: string;
    try {
      meshId = resolveMeshId(this.options.meshId, this.options.env, owned);
    } catch (error) {
      return this.fail(owned, 'MeshUnknown', describeCause(error), error);
    }
    const context = this.context(release);
    const driftCheck = this.mayCheckDrift(owned);
    if (!driftCheck) this.lastFullAt = this.now();
    let outcome: ReconcileOutcome;
    try {
      outcome = await reconcile(context, owned, 'all', {
        meshId,
        pilotLoadBalancerId: annotationsOf(owned)[ANNOTATION_PILOT_LOAD_BALANCER],
        wait: true,
        addToMesh: true,
        awaitMesh: false,
        handledRequest: annotationsOf(owned)[ANNOTATION_RECONCILE_REQUEST],
        driftCheck: driftCheck ? { onDrift: this.options.onDrift } : undefined,
        progressingRequeueMs: this.options.progressingRequeueMs,
      });
    } catch (error) {
      if (context.signal.aborted) return { result: 'cancelled' };
      // reconcile() has written what stopped it into the status; the Warning tells it too.
      const message = describeCause(error);
      await this.options.store.recordEvent(owned, { type: 'Warning', reason: 'ReconcileFailed', message });
      return { result: 'failed', error: message };
    }
    if (outcome.stoppedBefore === 'converged') return { result: 'converged' };
    if (driftCheck) this.lastFullAt = this.now();
    await this.tell(owned, outcome);
    if (outcome.status.status === 'Available') this.convergedGeneration = owned.metadata.generation;
    if (outcome.cancelled) return { result: 'cancelled' };
    const { failure, requeueAfterMs } = outcome.result;
    if (failure) return { result: 'failed', error: failure.message, terminal: failure.terminal };
    if (requeueAfterMs !== undefined) return { result: 'progressing', requeueAfterMs };
    return { result: 'converged' };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * Whether a resync may start with the cheap drift check: a spec this process already converged,
   * no request pending, the last full pass recent.
   */
  private mayCheckDrift(config: StoredConfig): boolean {
    const fullEvery = this.options.fullResyncMs ?? 60 * 60_000;
    const annotations = annotationsOf(config);
    const pending =
      annotations[ANNOTATION_RECONCILE_REQUEST] !== undefined &&
      annotations[ANNOTATION_RECONCILE_REQUEST] !== config.status?.lastHandledReconcileAt;
    return !(
      fullEvery <= 0 ||
      pending ||
      config.metadata.generation !== this.convergedGeneration ||
      config.status?.status !== 'Available' ||
      this.now() - this.lastFullAt >= fullEvery
    );
  }

  /** The run's parts, each of its waits held to the hold (or until `release`). */
  private context(release: AbortSignal | undefined): ReconcileContext {
    const run = this.options.openRun();
    const waits = run.waits ?? defaultWaitPolicy;
    return {
      ...run,
      waits: {
        ...waits,
        hold: {
          waitMs: this.options.waitHoldMs ?? DEFAULT_WAIT_HOLD_MS,
          release,
          began: this.waitsBegan,
        },
      },
      store: this.options.store,
      progress: this.options.progress ?? SILENT,
      advice: CONTROLLER_ADVICE,
    };
  }

  /**
   * Leaves the object alone when there is a refusal (another manager writes its status, or another
   * asmpvl-controller has claimed it): said once per cause in a Warning Event and the Controller
   * condition; nothing else is touched (no metadata, no cloud call).
   */
  private async refuse(config: StoredConfig, refusal: Refusal | undefined): Promise<ReconcileResult | undefined> {
    if (!refusal) {
      this.lastRefusal = undefined;
      return undefined;
    }
    if (this.lastRefusal !== refusal.message) {
      this.lastRefusal = refusal.message;
      await this.sayRefused(config, refusal.reason, refusal.message);
    }
    return { result: 'refused', error: refusal.message, requeueAfterMs: refusal.requeueAfterMs };
  }

  /**
   * Another asmpvl-controller (a second install, with its own Lease) has claimed the object and its
   * Lease is alive: acting would fight it, each run rewriting the claim and the cloud. Looked at again
   * once that Lease could have expired; a claim whose Lease is gone or expired is taken over.
   */
  private async claimedRefusal(config: StoredConfig): Promise<Refusal | undefined> {
    const named = annotationsOf(config)[ANNOTATION_CONTROLLER];
    const read = this.options.readControllerLease;
    if (!named || named === this.options.leaseRef || !read) return undefined;
    const found = await read(config);
    const holder = found?.spec.holderIdentity;
    const durationMs = (found?.spec.leaseDurationSeconds ?? 0) * 1000;
    if (!found || !holder || !this.leaseAlive(found.lease, found.spec, durationMs)) return undefined;
    return {
      reason: REASON_ANOTHER_CONTROLLER,
      message:
        `asmpvlconfig/default is managed by another asmpvl-controller (${holder}, Lease ${found.lease}), so this one ` +
        `(Lease ${this.options.leaseRef}) does not act on it: two installs would undo each other's work. ` +
        `Run one asmpvl-controller for this object; this one takes over only once that Lease has expired.`,
      requeueAfterMs: Math.max(1_000, durationMs),
    };
  }

  /** Whether a Lease's holder renewed it within its duration, judged by when we saw its record change. */
  private leaseAlive(lease: string, spec: LeaseSpec, durationMs: number): boolean {
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
    const seen = this.observedLeases.get(lease);
    const now = this.now();
    if (seen?.record !== record) {
      this.observedLeases.set(lease, { record, at: now });
      return true;
    }
    return seen.at + durationMs > now;
  }

  /** A refusal told: a Warning Event and the Controller condition. */
  private async sayRefused(config: StoredConfig, reason: string, message: string): Promise<void> {
    await this.options.store.recordEvent(config, { type: 'Warning', reason, message });
    await this.options.store.writeStatus((current) => ({
      ...(current.status ?? {}),
      conditions: setCondition(
        current.status?.conditions,
        { type: CONTROLLER_CONDITION, status: 'False', reason, message },
        current.metadata.generation,
        new Date(),
      ),
    }));
  }

  /** Puts our finalizer and our Lease's name on the object before the first change in the cloud. */
  private async claim(config: StoredConfig): Promise<StoredConfig | undefined> {
    const { leaseRef } = this.options;
    const annotations = config.metadata.annotations ?? {};
    if ((config.metadata.finalizers ?? []).includes(FINALIZER) && annotations[ANNOTATION_CONTROLLER] === leaseRef)
      return config;
    return this.options.store.updateMetadata((metadata) => ({
      ...metadata,
      finalizers: [...new Set([...(metadata.finalizers ?? []), FINALIZER])],
      annotations: { ...(metadata.annotations ?? {}), [ANNOTATION_CONTROLLER]: leaseRef },
    }));
  }

  /**
   * Deletion: under Delete (the default) every resource tagged for the mesh goes, on the same path
   * as disconnect, and SANs stay; under Orphan nothing is touched. The finalizer goes only once the
   * cloud holds nothing of ours, so the object never vanishes leaving orphans behind.
   */
  private async finalize(config: StoredConfig, release: AbortSignal | undefined): Promise<ReconcileResult> {
    const { store } = this.options;
    if (!(config.metadata.finalizers ?? []).includes(FINALIZER)) return { result: 'deleted' };
    // Cleaning up is the claiming controller's job while it is alive.
    const claimed = await this.refuse(config, await this.claimedRefusal(config));
    if (claimed) return claimed;
    const policy = config.spec.deletionPolicy ?? 'Delete';
    if (policy === 'Delete') {
      let meshId: string;
      try {
        meshId = resolveMeshId(this.options.meshId, this.options.env, config);
      } catch (error) {
        return this.fail(config, 'CleanupFailed', describeCause(error));
      }
      const context = this.context(release);
      const emptied: StoredConfig = { ...config, spec: { ...config.spec, ackVpcEndpoint: [] } };
      let outcome: ReconcileOutcome;
      try {
        outcome = await reconcile(context, emptied, 'all', { meshId, wait: true, addToMesh: false, awaitMesh: false });
      } catch (error) {
        if (context.signal.aborted) return { result: 'cancelled' };
        return this.fail(config, 'CleanupFailed', describeCause(error));
      }
      if (outcome.cancelled) return { result: 'cancelled' };
      // Deletions the hold left under way: the finalizer stays, and the next pass looks again.
      if (outcome.held && outcome.failures.length === 0) {
        await this.tell(config, outcome);
        return { result: 'progressing', requeueAfterMs: outcome.result.requeueAfterMs };
      }
      const left = leftovers(outcome);
      if (outcome.failures.length > 0 || left.length > 0) {
        const why = outcome.failures.map((failure) => failure.message).join('; ') || `still there: ${left.join(', ')}`;
        return this.fail(config, 'CleanupFailed', `the finalizer stays until the cloud resources are gone: ${why}`);
      }
      await store.recordEvent(config, {
        type: 'Normal',
        reason: 'CleanedUp',
        message: `removed every endpoint and endpoint service of mesh ${meshId} (${outcome.changes.length} change(s)); API server certificate SANs are never removed`,
      });
    } else {
      await store.recordEvent(config, {
        type: 'Normal',
        reason: 'Orphaned',
        message: 'spec.deletionPolicy is Orphan: the endpoints and endpoint services stay in the cloud',
      });
    }
    try {
      await store.updateMetadata((metadata) =>
        (metadata.finalizers ?? []).includes(FINALIZER)
          ? { ...metadata, finalizers: (metadata.finalizers ?? []).filter((name) => name !== FINALIZER) }
          : undefined,
      );
    } catch (error) {
      // Whoever refused (an admission webhook, RBAC) is named in the API server's answer.
      return this.fail(
        config,
        'FinalizerRemovalRefused',
        `the cloud resources are gone, but removing the finalizer ${FINALIZER} was refused, so the object stays until that write is allowed: ${describeCause(error)}`,
      );
    }
    return { result: 'deleted' };
  }

  /** Events for what a reconcile did: one Normal naming the changes, one Warning naming the failures. */
  private async tell(config: StoredConfig, outcome: ReconcileOutcome): Promise<void> {
    const { store } = this.options;
    if (outcome.changes.length > 0) {
      // The spec was already converged: the cloud drifted and this reconcile repaired it.
      const generation = config.metadata.generation;
      const repaired =
        generation === this.convergedGeneration ||
        (config.status?.observedGeneration === generation && config.status?.status === 'Available');
      const event: ConfigEvent = {
        type: 'Normal',
        reason: repaired ? 'Repaired' : 'Provisioned',
        message: `${outcome.changes.length} change(s): ${outcome.changes.join('; ')}`,
      };
      await store.recordEvent(config, event);
    }
    if (outcome.failures.length > 0) {
      const shown = outcome.failures.slice(0, EVENT_FAILURES).map((failure) => failure.message);
      const more = outcome.failures.length - shown.length;
      await store.recordEvent(config, {
        type: 'Warning',
        reason: 'ReconcileFailed',
        message: `${shown.join('; ')}${more > 0 ? `; and ${more} more (see status.conditions)` : ''}`,
      });
    }
  }

  /** A failure before any step ran: a Warning, and Ready (with Stalled or Reconciling) says it. */
  private async fail(config: StoredConfig, reason: string, message: string, cause?: unknown): Promise<ReconcileResult> {
    const { store } = this.options;
    await store.recordEvent(config, { type: 'Warning', reason, message });
    const failure = { area: 'discovery' as const, reason, message, needsChange: needsChange(cause) };
    try {
      await store.writeStatus((current) =>
        failedRunStatus(current.status, failure, current.metadata.generation, new Date()),
      );
    } catch {
      // The Event already says it; a status we cannot write is the store's failure, retried with the reconcile.
    }
    return { result: 'failed', error: message };
  }
}

/** What the cloud still holds after a teardown: a resource listed in the status. */
function leftovers(outcome: ReconcileOutcome): string[] {
  const status = outcome.status;
  const ids = [
    ...(status.clusters ?? []).flatMap((cluster) => [cluster.pvlEndpoint?.id, cluster.pvlEndpointService?.id]),
    ...(status.pilot?.clusters ?? []).map((cluster) => cluster.pvlEndpoint?.id),
    status.pilot?.pvlEndpointService?.id,
  ];
  return ids.filter((id): id is string => typeof id === 'string');
}
