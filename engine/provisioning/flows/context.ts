import type { HeldLease } from '../../kube';
import type { ControllerPresence } from '../controller-protocol';
import type { ReconcileContext } from '../pipeline/context';

/**
 * What a plugin flow runs with: the reconcile's context, plus the provisioning Lease that keeps two
 * plugin runs from provisioning at once (the command layer takes it; the controller has leader election).
 */
export interface FlowContext extends ReconcileContext {
  holdLease(): Promise<Pick<HeldLease, 'release'>>;
  /** A controller holding its Lease: the flow edits the spec and waits for it instead of provisioning. */
  controller?: ControllerPresence;
}
