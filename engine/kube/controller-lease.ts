import { CustomObjectsApi } from '@kubernetes/client-node';
import type { ASMPvlConfig } from '../../core';
import { type ControllerPresence, controllerLeaseOf, leaseHeld } from '../provisioning/controller-protocol';
import type { Kube } from './kube';

interface LeaseSpec {
  holderIdentity?: string;
  renewTime?: string;
  leaseDurationSeconds?: number;
}

/** The Lease the object names, as stored (undefined when the object names none or it does not exist). */
export async function readControllerLease(
  kube: Kube,
  object: ASMPvlConfig | undefined,
): Promise<{ lease: string; spec: LeaseSpec } | undefined> {
  const ref = controllerLeaseOf(object);
  if (!ref) return undefined;
  const api = kube.config.makeApiClient(CustomObjectsApi);
  try {
    const lease = (await kube.call('reading the controller lease', () =>
      api.getNamespacedCustomObject({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', ...ref }),
    )) as { spec?: LeaseSpec };
    return { lease: `${ref.namespace}/${ref.name}`, spec: lease.spec ?? {} };
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return undefined;
    throw error;
  }
}

/** A controller that holds the Lease the object names, or undefined: then the plugin provisions itself. */
export async function findController(
  kube: Kube,
  object: ASMPvlConfig | undefined,
  now = Date.now(),
): Promise<ControllerPresence | undefined> {
  const found = await readControllerLease(kube, object);
  if (!found || !leaseHeld(found.spec, now)) return undefined;
  return { lease: found.lease, holder: found.spec.holderIdentity!, renewTime: found.spec.renewTime };
}
