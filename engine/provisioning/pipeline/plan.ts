/**
 * The plan phase: from an observation and the spec to converge to, the desired state and the
 * steps that get there. Pure: no call, no clock.
 */
import type { ASMPvlConfig } from '../../../core';
import { desiredState } from '../desired';
import type { ActionKind, DesiredState, Plan, PlanScope } from '../model';
import { describePlan, planReconcile } from '../planner';
import { specAsmVSwitches, specClusters } from '../spec-edit';
import type { RecordedFailure } from '../status';
import type { ClusterObserved, Observation } from './observe';

export interface PlannedRun {
  scope: PlanScope;
  observation: Observation;
  /** Absent when the mesh could not be read: nothing is planned then. */
  desired?: DesiredState;
  plan: Plan;
}

/** Plans the steps for `scope`, leaving alone every cluster whose facts could not be read. */
export function plan(observation: Observation, target: ASMPvlConfig, scope: PlanScope, meshId: string): PlannedRun {
  const { mesh } = observation;
  if (!mesh) return { scope, observation, plan: { actions: [], known: [] } };
  const desired = desiredState({
    meshId,
    clusters: specClusters(target),
    asmVSwitches: specAsmVSwitches(target),
    mesh,
    clusterFacts: observation.facts,
  });
  // A cluster that could not be read is left alone: never torn down for lack of facts.
  const readable =
    scope === 'all' ? scope : { clusterIds: scope.clusterIds.filter((id) => !observation.unreadable.includes(id)) };
  return { scope, observation, desired, plan: planReconcile(desired, observation.inventory, readable) };
}

// What a service's detach or delete waits for is every endpoint that uses it, which only the
// whole observation names: those steps come with the whole plan.
const WHOLE_PLAN_KINDS: ReadonlySet<ActionKind> = new Set(['detachServiceZone', 'deleteService']);

/**
 * The steps of one cluster that can start before the other clusters' facts are in: its links and
 * the shared Pilot service as far as they need it (whose zones come from the spec and the mesh, not
 * from any cluster's facts). Each is the very step, with the same id and dependencies, that the
 * whole plan holds (see `plan`): the whole plan, run after them, adds only what they lack.
 */
export function planCluster(observed: ClusterObserved, target: ASMPvlConfig, meshId: string): Plan {
  const { clusterId, facts } = observed;
  const desired = desiredState({
    meshId,
    clusters: specClusters(target),
    asmVSwitches: specAsmVSwitches(target),
    mesh: observed.mesh,
    clusterFacts: { [clusterId]: facts[clusterId]! },
  });
  const whole = planReconcile(desired, observed.inventory, { clusterIds: [clusterId] });
  return { ...whole, actions: whole.actions.filter((action) => !WHOLE_PLAN_KINDS.has(action.kind)) };
}

/** The desired state's problems (zones that do not pair) of the clusters in scope, as failures. */
export function planProblems(planned: PlannedRun): RecordedFailure[] {
  const { scope } = planned;
  return (planned.desired?.problems ?? [])
    .filter((problem) => scope === 'all' || scope.clusterIds.includes(problem.clusterId))
    .map((problem) => ({
      area: 'discovery' as const,
      clusterId: problem.clusterId,
      reason: 'ZonesDoNotPair',
      message: problem.message,
    }));
}

/** The plan as lines for a person (--dry-run). */
export function planLines(planned: PlannedRun): string[] {
  return describePlan(planned.plan);
}
