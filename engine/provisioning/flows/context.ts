import type { HeldLease } from '../../kube';
import type { ReconcileContext } from '../reconcile';

/**
 * What a plugin flow runs with: the reconcile's context, plus the provisioning Lease that keeps two
 * plugin runs from provisioning at once (the command layer takes it; the controller has leader election).
 */
export interface FlowContext extends ReconcileContext {
  holdLease(): Promise<Pick<HeldLease, 'release'>>;
}
