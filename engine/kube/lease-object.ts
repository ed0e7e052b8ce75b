/**
 * The coordination.k8s.io Lease as asmpvl reads and writes it: the plugin's provisioning Lease and
 * the controller's leader-election Lease are both this object.
 */

/** Where Leases are served, for the custom-objects client. */
export const LEASE_RESOURCE = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' } as const;

/** The fields of a Lease's spec asmpvl uses. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface LeaseObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

/** A Lease time: MicroTime, RFC 3339 with exactly six fractional digits. */
export function microTime(at: Date | number): string {
  return new Date(at).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
