/**
 * What one reconcile runs with and what it answers. The caller (a plugin command or the
 * controller) owns every part of the context; the options say which run it is.
 */
import type { ConfigStore, StoredConfig } from '../../kube/store';
import type { Progress } from '../../progress';
import type { Advice } from '../advice';
import type { ProvisioningCloud } from '../cloud-port';
import type { ClusterMeshVerdict } from '../mesh-verdict';
import type { Plan, PlanScope } from '../model';
import type { AsmPvlStatus, RecordedFailure } from '../status';
import type { Deadline, WaitPolicy } from '../waits';
import type { Acted } from './act';
import type { Membership } from './mesh-membership';
import type { Observation } from './observe';
import type { PlannedRun } from './plan';
import type { ReconcileResult } from './result';

/** What one reconcile runs with; the caller (command or controller) owns every part of it. */
export interface ReconcileContext {
  store: ConfigStore;
  /** Cancelled by the caller's signal (Ctrl-C, SIGTERM, a lost leadership). */
  cloud: ProvisioningCloud;
  /** Never cancelled: after a cancel the run still reads what the cloud holds, for a truthful status. */
  reportCloud: ProvisioningCloud;
  deadline: Deadline;
  signal: AbortSignal;
  progress: Progress;
  advice: Advice;
  waits?: WaitPolicy;
  /**
   * Checks, changing nothing, that the credentials may make every write a run can make; throws a
   * ProvisioningInputError naming each denied RAM action. Called once a run knows it will change
   * something, before the first change, so a missing permission leaves nothing half-done.
   */
  preflight?(): Promise<void>;
}

export interface ReconcileOptions {
  meshId: string;
  pilotLoadBalancerId?: string;
  /** False with --no-wait: make each change and move on. */
  wait: boolean;
  /** False with --no-add-to-mesh: a cluster the mesh lacks stops the run before anything changes. */
  addToMesh: boolean;
  /**
   * Wait (within the deadline) for the mesh to report the clusters running. The plugin does; the
   * controller reads the mesh once and comes back later instead of holding its worker.
   */
  awaitMesh: boolean;
  /** The mesh's clusters as already read (connect reads them before it edits the spec). */
  membership?: Membership;
  /** Recorded as status.lastHandledReconcileAt with the final status (a request the caller answered). */
  handledRequest?: string;
  /**
   * Look first with the cheap drift check (three list calls): when nothing is off, the run ends
   * there, writing nothing; what is off is told to `onDrift`. The controller asks for it on the
   * resync of a spec it converged.
   */
  driftCheck?: { onDrift?: (drift: string) => void };
  /**
   * Told the plan before anything changes; false ends the run there, writing nothing (disconnect:
   * nothing of the cluster anywhere).
   */
  proceed?(planned: PlannedRun): boolean;
  /**
   * Told how the steps ended, before the status is written; the object it returns (a spec edited
   * after the cloud, as disconnect removes the entry once its resources are gone) is what the
   * status answers.
   */
  afterAct?(acted: Acted): Promise<StoredConfig | undefined>;
  /** How soon the result asks to come back while the mesh is on its way (default PROGRESSING_REQUEUE_MS). */
  progressingRequeueMs?: number;
}

/** Which clusters a run acts on: every cluster of the spec (and the removal of any other), or these. */
export type ReconcileScope = PlanScope;

export interface ReconcileOutcome {
  config: StoredConfig;
  status: AsmPvlStatus;
  /** Failures that concern the clusters in scope (or everything). */
  failures: RecordedFailure[];
  cancelled: boolean;
  /** The run's hold ended a wait: steps are left under way, and the result asks to come back soon. */
  held: boolean;
  /** Whether the cloud or the mesh was changed. */
  changed: boolean;
  /** One line per change made, for Events and summaries. */
  changes: string[];
  /** The mesh's verdict on each cluster in scope, as last read. */
  meshVerdicts?: ClusterMeshVerdict[];
  /** The steps that were planned (none when the run ended at the drift check or before acting). */
  plan: Plan;
  /** What the observe phase read (absent when the drift check ended the run). */
  observation?: Observation;
  /** Why the run ended before acting: the drift check found nothing off, or `proceed` said no. */
  stoppedBefore?: 'converged' | 'declined';
  /** When to come back, and whether a failure is terminal. */
  result: ReconcileResult;
}

/** The parts of the context and options the phases below the pipeline read. */
export interface RunSettings {
  meshId: string;
  pilotLoadBalancerId?: string;
  deadline: Deadline;
  waits?: WaitPolicy;
  signal?: AbortSignal;
  /** False with --no-wait. */
  wait: boolean;
  /** Reads in flight at once (default READS_AT_ONCE, 64); steps have their own bound (STEPS_IN_FLIGHT). */
  concurrency?: number;
  progress: Progress;
  now?: () => Date;
  /** Reads the cloud after the steps (default: the same cloud); one that a Ctrl-C does not cancel. */
  reportCloud?: ProvisioningCloud;
}
