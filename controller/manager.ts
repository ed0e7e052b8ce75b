/**
 * The controller's manager: watches asmpvlconfigs, elects a leader, and while leading runs the
 * Reconciler whenever the spec changes (generation), a reconcile is requested (annotation), the
 * object is deleted, or the resync period passes, backing off with jitter after a failure. Only the
 * changes that matter wake it: status writes (its own or the plugin's) do not.
 */
import {
  CustomObjectsApi,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
} from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, PLURAL, SINGLETON_NAME } from '../core';
import { ANNOTATION_KEPT_STATUS } from '../engine/kube/kept-fields';
import type { StoredConfig } from '../engine/kube/store';
import { ANNOTATION_CONTROLLER, FINALIZER } from '../engine/provisioning/controller-protocol';
import type { Logger } from 'pino';
import { leaseProblem, watchProblem } from './diagnosis';
import { inReconcile, reconcileFields } from './logging';
import { LeaderElector, type LeaderElectionOptions } from './leader';
import type { ControllerMetrics } from './metrics';
import type { Reconciler, ReconcileResult } from './reconciler';

export type ManagerLog = Logger;

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  /** The API server's address, for messages. */
  server: string;
  /** Made once per leadership term: the run's cloud and reconciles are cancelled by `signal`. */
  reconcilerFor(signal: AbortSignal): Pick<Reconciler, 'reconcile'>;
  /**
   * The watch of asmpvlconfigs over `list` (default: client-node's informer, listing and watching
   * the API server); tests pass one of their own.
   */
  informerFor?(list: () => Promise<KubernetesListObject<KubernetesObject>>): Informer<KubernetesObject>;
  resyncMs: number;
  /** Backoff after a failure: from this, doubling, up to the max, with full jitter. */
  backoff: { initialMs: number; maxMs: number };
  leaderElection?: LeaderElectionOptions;
  metrics: ControllerMetrics;
  log: ManagerLog;
  random?: () => number;
}

/**
 * What of the object makes a reconcile worth running. Status and resourceVersion churn do not, nor
 * the claim a controller writes itself (its annotation and finalizer), nor the status fields it keeps
 * in an annotation where the CRD prunes them: a controller's own metadata
 * write never wakes it, and two installs on one object never wake each other.
 */
function trigger(object: StoredConfig): string {
  const { generation, annotations, deletionTimestamp, finalizers } = object.metadata;
  const { [ANNOTATION_CONTROLLER]: _claim, [ANNOTATION_KEPT_STATUS]: _keptStatus, ...others } = annotations ?? {};
  const otherFinalizers = (finalizers ?? []).filter((name) => name !== FINALIZER);
  return JSON.stringify([generation, others, deletionTimestamp ?? null, otherFinalizers]);
}

/** What keeps the manager from working: at most one problem per part, each with its fix. */
type Part = 'watch' | 'lease';

export class Manager {
  private readonly informer;
  /** The watch has listed the objects once: the cache is filled. */
  private synced = false;
  private readonly problems = new Map<Part, string>();
  private lastTrigger: string | undefined;
  private wake: (() => void) | undefined;
  /** Ends the waits of the reconcile under way, so a change is taken up at once. */
  private release: AbortController | undefined;
  private pending = true;
  private nextAt = 0;
  private failures = 0;
  private elector: LeaderElector | undefined;
  private worker: Promise<void> | undefined;
  private stopping = false;
  /** Without leader election this process leads from the start; stop() ends that term. */
  private readonly soleTerm = new AbortController();

  constructor(private readonly options: ManagerOptions) {
    const objects = options.kubeConfig.makeApiClient(CustomObjectsApi);
    const list = async () => {
      const listed = (await objects.listClusterCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        plural: PLURAL,
      })) as KubernetesListObject<KubernetesObject>;
      this.synced = true;
      this.solved('watch');
      return listed;
    };
    this.informer =
      options.informerFor?.(list) ??
      makeInformer<KubernetesObject>(options.kubeConfig, `/apis/${API_GROUP}/${API_VERSION}/${PLURAL}`, list);
  }

  /** Ready once the objects are listed, and while neither the watch nor the Lease is failing. */
  get ready(): boolean {
    return this.synced && this.problems.size === 0;
  }

  /** Logs a problem once (again only when it changes) and holds readiness false until it is solved. */
  private problem(part: Part, message: string): void {
    if (this.problems.get(part) === message) return;
    this.problems.set(part, message);
    this.options.log.error({ part }, message);
  }

  private solved(part: Part): void {
    if (!this.problems.delete(part)) return;
    this.options.log.info({ part }, `${part}: working again`);
  }

  get isLeader(): boolean {
    return this.options.leaderElection ? (this.elector?.isLeader ?? false) : this.worker !== undefined;
  }

  /** Starts the watch and the election (or, without election, the work right away). */
  async start(): Promise<void> {
    const seen = (object: KubernetesObject) => {
      if (object.metadata?.name !== SINGLETON_NAME) return;
      const next = trigger(object as StoredConfig);
      if (next === this.lastTrigger) return;
      this.lastTrigger = next;
      this.enqueue();
    };
    this.informer.on('add', seen);
    this.informer.on('update', seen);
    this.informer.on('delete', (object) => {
      if (object.metadata?.name === SINGLETON_NAME) this.lastTrigger = undefined;
    });
    this.informer.on('error', (error: unknown) => {
      if (this.stopping) return;
      this.problem('watch', `${watchProblem(error, this.options.server)}; retrying every 5s`);
      setTimeout(() => {
        if (!this.stopping) this.informer.start().catch(() => undefined);
      }, 5_000).unref();
    });
    await this.informer.start();
    const election = this.options.leaderElection;
    if (!election) {
      this.lead(this.soleTerm.signal);
      return;
    }
    const { CustomObjectsApi: Api } = await import('@kubernetes/client-node');
    const electionLog = this.options.log.child({ logger: 'leader-election' });
    this.elector = new LeaderElector(this.options.kubeConfig.makeApiClient(Api), election, {
      onStartedLeading: (signal) => this.lead(signal),
      onStoppedLeading: () => {
        this.options.metrics.leader.set(0);
        electionLog.info({ identity: election.identity }, 'stopped leading');
      },
      onNewLeader: (identity) => electionLog.info({ leader: identity }, 'leader'),
      onError: (error, step) => this.problem('lease', leaseProblem(error, election, step, this.options.server)),
      onHealthy: () => this.solved('lease'),
    });
    this.elector.start();
  }

  /** Stops taking work, cancels the reconcile under way (it writes a truthful status), releases the Lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.elector?.stop();
    this.soleTerm.abort(new Error('shutting down'));
    await this.worker;
    await this.informer.stop();
  }

  /**
   * Asks for a reconcile as soon as the worker is free, and frees it: the reconcile under way stops
   * waiting on the cloud (its changes made so far stand, its status says what is under way) and
   * ends, so the next one starts from the object as it is now.
   */
  enqueue(): void {
    this.pending = true;
    this.release?.abort();
    this.wake?.();
  }

  private lead(signal: AbortSignal): void {
    this.options.metrics.leader.set(1);
    this.options.log.info({}, 'leading: reconciling asmpvlconfig/default');
    this.pending = true;
    this.failures = 0;
    const previous = this.worker ?? Promise.resolve();
    this.worker = previous.then(() => this.work(signal)).finally(() => undefined);
  }

  private async work(signal: AbortSignal): Promise<void> {
    const reconciler = this.options.reconcilerFor(signal);
    while (!signal.aborted && !this.stopping) {
      await this.idle(signal);
      if (signal.aborted || this.stopping) break;
      this.pending = false;
      const started = Date.now();
      const log = this.options.log.child(reconcileFields());
      let result: ReconcileResult;
      const release = new AbortController();
      this.release = release;
      try {
        result = await inReconcile(log, () => reconciler.reconcile(release.signal));
      } catch (error) {
        result = { result: 'failed', error: error instanceof Error ? error.message : String(error) };
      } finally {
        this.release = undefined;
      }
      const seconds = (Date.now() - started) / 1000;
      this.options.metrics.reconciles.inc({ result: result.result });
      this.options.metrics.reconcileSeconds.observe(seconds);
      this.options.metrics.lastReconcile.set(Date.now() / 1000);
      this.schedule(result);
      const fields = {
        result: result.result,
        seconds,
        ...(result.error ? { error: result.error } : {}),
        ...(result.terminal ? { terminal: true } : {}),
      };
      if (result.result === 'failed') log.warn(fields, 'reconcile failed');
      else log.info(fields, 'reconciled');
    }
  }

  private schedule(result: ReconcileResult): void {
    if (result.result === 'failed') {
      this.failures += 1;
      const { initialMs, maxMs } = this.options.backoff;
      const ceiling = Math.min(maxMs, initialMs * 2 ** (this.failures - 1));
      // Full jitter, never below the first step: replicas and retries do not synchronise.
      this.nextAt = Date.now() + Math.max(initialMs, (this.options.random ?? Math.random)() * ceiling);
      return;
    }
    this.failures = 0;
    this.nextAt = Date.now() + (result.requeueAfterMs ?? this.options.resyncMs);
  }

  /**
   * Waits until something asks for a reconcile (a spec change, a request, a deletion: never a status
   * write, so a failing reconcile cannot wake itself) or the scheduled time (resync or backoff) comes.
   */
  private idle(signal: AbortSignal): Promise<void> {
    const due = () => this.pending || Date.now() >= this.nextAt;
    if (due()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, this.nextAt - Date.now()));
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      this.wake = () => {
        if (due() || this.stopping) done();
      };
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
