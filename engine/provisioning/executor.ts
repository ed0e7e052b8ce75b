/**
 * The executor: runs a plan's steps in dependency order, as many side by side as the bound
 * allows (steps of different clusters never wait for each other). A failed step stops only the
 * steps that depend on it; cancellation stops starting new steps and ends the waits under way.
 */
import { withCallPriority } from '../cloud/pacing';
import { StepError } from './errors';
import { type Action, keyName, type Plan } from './model';
import { runPolls } from './polls';
import { runStep, type StepContext, type StepResult } from './steps';
import { CancelledError } from './waits';

/**
 * - done: its end state holds;
 * - started: the change was made and not waited for (--no-wait);
 * - failed: it failed (see error);
 * - blocked: a step it depends on failed or was cancelled;
 * - deferred: a step it depends on was started but not waited for (--no-wait), or the run was
 *   released before it started (the controller's next pass takes it up);
 * - cancelled: the run was cancelled before or while it ran.
 */
export type StepState = 'done' | 'started' | 'failed' | 'blocked' | 'deferred' | 'cancelled';

export interface StepOutcome {
  action: Action;
  state: StepState;
  detail?: string;
  error?: StepError;
  durationMs: number;
}

/** Told as steps start and end, for the progress display. */
export interface StepReporter {
  started(action: Action): void;
  finished(outcome: StepOutcome): void;
}

export interface ExecutionReport {
  outcomes: StepOutcome[];
  failures: StepError[];
  cancelled: boolean;
  /** Whether any step made or started a change. */
  changed: boolean;
}

export interface ExecuteOptions {
  /** Steps in flight at once. */
  concurrency: number;
  reporter?: StepReporter;
  now?: () => number;
  /** Told as each step ends done, before the steps that depend on it start (see reconcile's early SAN sync). */
  onDone?: (action: Action, result: StepResult) => void;
  /**
   * Told when every step of a cluster has ended, however, with the ids the run knows by key name
   * (`endpoint/pilot/<clusterId>`, ...): nothing of this run touches that cluster's resources again.
   */
  onClusterSettled?: (clusterId: string, ids: ReadonlyMap<string, string>) => void;
  /** Called once a step is ready: none starts before it resolves (a check before the first change), none at all when it rejects. */
  gate?: () => Promise<void>;
}

type StepContextInput = Omit<StepContext, 'ids' | 'polls'>;

/** Runs `plan` and reports how every step ended. Never throws for a step's failure. */
export function executePlan(plan: Plan, input: StepContextInput, options: ExecuteOptions): Promise<ExecutionReport> {
  const run = new StepRun(input, options);
  run.add(plan);
  return run.close();
}

/**
 * A run of steps that takes new steps while it runs, so one cluster's steps start as soon as they
 * are planned, beside the steps of clusters planned earlier. A step whose id the run already holds
 * is the same step (the shared Pilot service's steps are planned with every cluster) and runs once;
 * a step may depend on one added later, and waits for it. `close` says no step will be added: a
 * dependency still missing then can never be met.
 */
export class StepRun {
  private readonly context: StepContext;
  private readonly now: () => number;
  private readonly added = new Map<string, Action>();
  private readonly outcomes = new Map<string, StepOutcome>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly pending: Action[] = [];
  private readonly unsettled = new Map<string, number>();
  private readonly settledClusters = new Set<string>();
  private closed = false;
  /** Whether the gate let the steps start: unknown until a step is ready. */
  private opened?: boolean;
  private wake: () => void = () => undefined;
  private loop?: Promise<void>;

  constructor(
    input: StepContextInput,
    private readonly options: ExecuteOptions,
  ) {
    this.context = {
      ...input,
      ids: new Map(),
      polls: runPolls(input.cloud, input.meshId, input.waits.clock, input.signal),
    };
    this.now = options.now ?? Date.now;
  }

  /** Adds the plan's steps the run does not hold yet, and the existing resources it knows. */
  add(plan: Plan): void {
    if (this.closed) throw new Error('steps added to a run of steps after it was closed');
    for (const { key, id } of plan.known)
      if (!this.context.ids.has(keyName(key))) this.context.ids.set(keyName(key), id);
    for (const action of plan.actions) {
      if (this.added.has(action.id)) continue;
      this.added.set(action.id, action);
      this.pending.push(action);
      if (action.clusterId) this.unsettled.set(action.clusterId, (this.unsettled.get(action.clusterId) ?? 0) + 1);
    }
    this.loop ??= this.drive();
    this.wake();
  }

  /** No step will be added: waits for the steps to end and reports them in the order they were added. */
  async close(): Promise<ExecutionReport> {
    this.closed = true;
    // A cluster's steps all ended before the last ones were added: only now is it settled.
    for (const [clusterId, left] of this.unsettled) if (left === 0) this.clusterSettled(clusterId);
    this.loop ??= this.drive();
    this.wake();
    await this.loop;
    const all = [...this.added.keys()].map((id) => this.outcomes.get(id)!);
    return {
      outcomes: all,
      failures: all.flatMap((outcome) => (outcome.error ? [outcome.error] : [])),
      cancelled: all.some((outcome) => outcome.state === 'cancelled'),
      changed: all.some(
        (outcome) =>
          outcome.action.mutating &&
          (outcome.state === 'done' || outcome.state === 'started' || outcome.state === 'failed'),
      ),
    };
  }

  private async drive(): Promise<void> {
    for (;;) {
      if (this.opened === undefined && this.pending.length > 0) {
        const { gate } = this.options;
        this.opened = gate
          ? await Promise.resolve()
              .then(gate)
              .then(
                () => true,
                () => false,
              )
          : true;
      }
      // Refused by the gate: the run stops before anything changes, and says why itself.
      if (this.opened === false) {
        for (const action of this.pending.splice(0))
          this.outcomes.set(action.id, { action, state: 'cancelled', detail: 'the gate refused', durationMs: 0 });
      }
      this.settleUnrunnable();
      if (this.context.signal?.aborted) {
        for (const action of this.pending.splice(0)) this.settle({ action, state: 'cancelled', durationMs: 0 });
      }
      // Released (the object changed): a step not started yet is left for the next pass, which
      // plans it again from the object as it is now.
      if (this.context.waits.hold?.release?.aborted) {
        for (const action of this.pending.splice(0))
          this.settle({ action, state: 'deferred', detail: 'left for the next reconcile', durationMs: 0 });
      }
      const ready = this.pending.filter((action) =>
        action.dependsOn.every((id) => this.outcomes.get(id)?.state === 'done'),
      );
      for (const action of ready) {
        if (this.running.size >= this.options.concurrency) break;
        this.pending.splice(this.pending.indexOf(action), 1);
        this.start(action);
      }
      if (this.running.size === 0 && this.closed) break;
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      await Promise.race([...this.running.values(), woken]);
    }
    // A dependency no step added can meet (a planner bug): say so, do not hang.
    for (const action of this.pending.splice(0))
      this.settle({ action, state: 'blocked', detail: 'waits for a step that is not in the plan', durationMs: 0 });
  }

  /** Steps whose dependencies ended without their end state can never run. */
  private settleUnrunnable(): void {
    for (const action of [...this.pending]) {
      const blocker = action.dependsOn
        .map((id) => this.outcomes.get(id))
        .find((outcome) => outcome && outcome.state !== 'done');
      if (!blocker) continue;
      this.pending.splice(this.pending.indexOf(action), 1);
      const state: StepState =
        blocker.state === 'started' || blocker.state === 'deferred'
          ? 'deferred'
          : blocker.state === 'cancelled'
            ? 'cancelled'
            : 'blocked';
      this.settle({ action, state, detail: `after "${blocker.action.description}" (${blocker.state})`, durationMs: 0 });
    }
  }

  private start(action: Action): void {
    const began = this.now();
    this.options.reporter?.started(action);
    // The API-server link's chain goes on to a SAN update: its calls go before the Pilot link's.
    const work = withCallPriority(action.link === 'apiserver' ? 1 : 0, () => runStep(this.context, action)).then(
      (result) => {
        this.record({ action, state: result.state, detail: result.detail, durationMs: this.now() - began });
        try {
          if (result.state === 'done') this.options.onDone?.(action, result);
        } catch {
          // A listener's failure is its own: the step is done either way.
        }
        this.clusterEnded(action);
      },
      (error: unknown) => {
        const cancelled = error instanceof CancelledError || this.context.signal?.aborted === true;
        const stepError = new StepError(action.description, error, action.clusterId);
        this.settle({
          action,
          state: cancelled ? 'cancelled' : 'failed',
          error: cancelled ? undefined : stepError,
          durationMs: this.now() - began,
        });
      },
    );
    this.running.set(
      action.id,
      work.finally(() => this.running.delete(action.id)),
    );
  }

  private record(outcome: StepOutcome): void {
    this.outcomes.set(outcome.action.id, outcome);
    this.options.reporter?.finished(outcome);
  }

  private settle(outcome: StepOutcome): void {
    this.record(outcome);
    this.clusterEnded(outcome.action);
  }

  private clusterEnded(action: Action): void {
    const { clusterId } = action;
    if (!clusterId) return;
    const left = (this.unsettled.get(clusterId) ?? 1) - 1;
    this.unsettled.set(clusterId, left);
    // Before the run is closed, a later plan may still add steps for the cluster.
    if (left === 0 && this.closed) this.clusterSettled(clusterId);
  }

  private clusterSettled(clusterId: string): void {
    if (this.settledClusters.has(clusterId)) return;
    this.settledClusters.add(clusterId);
    try {
      this.options.onClusterSettled?.(clusterId, this.context.ids);
    } catch {
      // A listener's failure is its own.
    }
  }
}
