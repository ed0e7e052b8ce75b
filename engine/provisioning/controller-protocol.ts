/**
 * How the plugin and asmpvl-controller share one object without provisioning side by side. The
 * controller names its Lease on the object; the plugin, finding that Lease held, edits the spec and
 * asks for a reconcile with an annotation, then waits until the controller's status answers it
 * (status.lastHandledReconcileAt), the way Flux's reconcile.fluxcd.io/requestedAt works.
 */
import type { ASMPvlConfig } from '../../core';

/** On the object, by the controller: `namespace/name` of its leader-election Lease. */
export const ANNOTATION_CONTROLLER = 'asmpvl.io/controller';
/** On the object, by the plugin: a fresh token asking the controller for a reconcile now. */
export const ANNOTATION_RECONCILE_REQUEST = 'asmpvl.io/reconcile-requested-at';
/** Status writers that are asmpvl (the controller and the plugin); any other manager is another controller. */
export const KNOWN_STATUS_MANAGERS: ReadonlySet<string> = new Set(['asmpvl-controller', 'kubectl-asmpvl']);

/** The controller's finalizer. */
export const FINALIZER = 'asmpvl.io/cloud-resources';

/** A controller holding its Lease, as the plugin found it. */
export interface ControllerPresence {
  /** `namespace/name` of the Lease. */
  lease: string;
  holder: string;
  renewTime?: string;
}

/** A fresh request token: when it was asked, and a random part so two asks never collide. */
export function reconcileRequestToken(now = new Date()): string {
  return `${now.toISOString()}/${Math.random().toString(16).slice(2, 10)}`;
}

/** `object` with the request annotation set to `token`. */
export function withReconcileRequest<T extends ASMPvlConfig>(object: T, token: string): T {
  const metadata = (object.metadata ?? {}) as { annotations?: Record<string, string> };
  return {
    ...object,
    metadata: { ...metadata, annotations: { ...(metadata.annotations ?? {}), [ANNOTATION_RECONCILE_REQUEST]: token } },
  };
}

/** The Lease a controller would hold, from the object's annotation. */
export function controllerLeaseOf(object: ASMPvlConfig | undefined): { namespace: string; name: string } | undefined {
  const ref = (object?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[
    ANNOTATION_CONTROLLER
  ];
  const match = ref ? /^([a-z0-9-]{1,63})\/([a-z0-9.-]{1,253})$/.exec(ref) : null;
  return match ? { namespace: match[1]!, name: match[2]! } : undefined;
}

/**
 * Whether a Lease is held now: a holder, renewed within its duration (plus a little for clock skew
 * between this machine and the controller's).
 */
export function leaseHeld(
  spec: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number },
  now = Date.now(),
  skewMs = 5_000,
): boolean {
  if (!spec.holderIdentity) return false;
  const renewed = Date.parse(spec.renewTime ?? '');
  if (Number.isNaN(renewed)) return false;
  return renewed + (spec.leaseDurationSeconds ?? 0) * 1000 + skewMs > now;
}

/** A Lease's spec as stored, the fields liveness is judged by. */
export interface LeaseSpec {
  holderIdentity?: string;
  renewTime?: string;
  leaseDurationSeconds?: number;
}

/** The time a response's Date header gives (whole seconds), or undefined without a readable one. */
export function serverTime(headers: Record<string, string>): number | undefined {
  const date = Date.parse(headers.date ?? headers.Date ?? '');
  return Number.isNaN(date) ? undefined : date;
}

/**
 * The controller a Lease as read shows alive. The controller renews by the cluster's clock, so the
 * Lease is judged by the API server's time when the answer had one (its Date), else by `localNow`.
 */
export function presentController(
  found: { lease: string; spec: LeaseSpec; serverTime?: number } | undefined,
  localNow: number,
): ControllerPresence | undefined {
  if (!found || !leaseHeld(found.spec, found.serverTime ?? localNow)) return undefined;
  return { lease: found.lease, holder: found.spec.holderIdentity!, renewTime: found.spec.renewTime };
}
