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
 * - deferred: a step it depends on was started but not waited for (--no-wait);
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
}

type StepContextInput = Omit<StepContext, 'ids' | 'polls'>;

/** Runs `plan` and reports how every step ended. Never throws for a step's failure. */
export async function executePlan(
  plan: Plan,
  input: StepContextInput,
  options: ExecuteOptions,
): Promise<ExecutionReport> {
  const context: StepContext = {
    ...input,
    ids: new Map(plan.known.map(({ key, id }) => [keyName(key), id])),
    polls: runPolls(input.cloud, input.meshId, input.waits.clock, input.signal),
  };
  const now = options.now ?? Date.now;
  const outcomes = new Map<string, StepOutcome>();
  const running = new Map<string, Promise<void>>();
  const pending = [...plan.actions];

  const unsettled = new Map<string, number>();
  for (const action of plan.actions)
    if (action.clusterId) unsettled.set(action.clusterId, (unsettled.get(action.clusterId) ?? 0) + 1);
  const record = (outcome: StepOutcome) => {
    outcomes.set(outcome.action.id, outcome);
    options.reporter?.finished(outcome);
  };
  const clusterEnded = (action: Action) => {
    const { clusterId } = action;
    if (!clusterId) return;
    const left = (unsettled.get(clusterId) ?? 1) - 1;
    unsettled.set(clusterId, left);
    if (left > 0) return;
    try {
      options.onClusterSettled?.(clusterId, context.ids);
    } catch {
      // A listener's failure is its own.
    }
  };
  const settle = (outcome: StepOutcome) => {
    record(outcome);
    clusterEnded(outcome.action);
  };

  const start = (action: Action) => {
    const began = now();
    options.reporter?.started(action);
    // The API-server link's chain goes on to a SAN update: its calls go before the Pilot link's.
    const work = withCallPriority(action.link === 'apiserver' ? 1 : 0, () => runStep(context, action)).then(
      (result) => {
        record({ action, state: result.state, detail: result.detail, durationMs: now() - began });
        try {
          if (result.state === 'done') options.onDone?.(action, result);
        } catch {
          // A listener's failure is its own: the step is done either way.
        }
        clusterEnded(action);
      },
      (error: unknown) => {
        const cancelled = error instanceof CancelledError || context.signal?.aborted === true;
        const stepError = new StepError(action.description, error, action.clusterId);
        settle({
          action,
          state: cancelled ? 'cancelled' : 'failed',
          error: cancelled ? undefined : stepError,
          durationMs: now() - began,
        });
      },
    );
    running.set(
      action.id,
      work.finally(() => running.delete(action.id)),
    );
  };

  for (;;) {
    // Steps whose dependencies ended without their end state can never run.
    for (const action of [...pending]) {
      const blocker = action.dependsOn
        .map((id) => outcomes.get(id))
        .find((outcome) => outcome && outcome.state !== 'done');
      if (!blocker) continue;
      pending.splice(pending.indexOf(action), 1);
      const state: StepState =
        blocker.state === 'started' || blocker.state === 'deferred'
          ? 'deferred'
          : blocker.state === 'cancelled'
            ? 'cancelled'
            : 'blocked';
      settle({ action, state, detail: `after "${blocker.action.description}" (${blocker.state})`, durationMs: 0 });
    }
    if (context.signal?.aborted) {
      for (const action of pending.splice(0)) settle({ action, state: 'cancelled', durationMs: 0 });
    }
    const ready = pending.filter((action) => action.dependsOn.every((id) => outcomes.get(id)?.state === 'done'));
    for (const action of ready) {
      if (running.size >= options.concurrency) break;
      pending.splice(pending.indexOf(action), 1);
      start(action);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  // A dependency the plan does not hold can never be met (a planner bug): say so, do not hang.
  for (const action of pending)
    settle({ action, state: 'blocked', detail: 'waits for a step that is not in the plan', durationMs: 0 });

  const all = plan.actions.map((action) => outcomes.get(action.id)!);
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
