import { CustomObjectsApi } from '@kubernetes/client-node';
import type { ASMPvlConfig } from '../../core';
import {
  type ControllerPresence,
  controllerLeaseOf,
  type LeaseSpec,
  presentController,
  serverTime,
} from '../provisioning/controller-protocol';
import type { Kube } from './kube';

/**
 * The Lease the object names, as stored (undefined when the object names none or it does not exist),
 * and the API server's time when it answered (its Date header), when it sent one.
 */
export async function readControllerLease(
  kube: Kube,
  object: ASMPvlConfig | undefined,
): Promise<{ lease: string; spec: LeaseSpec; serverTime?: number } | undefined> {
  const ref = controllerLeaseOf(object);
  if (!ref) return undefined;
  const api = kube.config.makeApiClient(CustomObjectsApi);
  try {
    const answer = await kube.call('reading the controller lease', () =>
      api.getNamespacedCustomObjectWithHttpInfo({
        group: 'coordination.k8s.io',
        version: 'v1',
        plural: 'leases',
        ...ref,
      }),
    );
    const lease = answer.data as { spec?: LeaseSpec };
    return { lease: `${ref.namespace}/${ref.name}`, spec: lease.spec ?? {}, serverTime: serverTime(answer.headers) };
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return undefined;
    throw error;
  }
}

/**
 * A controller that holds the Lease the object names, or undefined: then the plugin provisions itself.
 * The controller renews by the cluster's clock, so the Lease is judged by the API server's time (the
 * Date of its answer), not this machine's: a laptop clock minutes off neither provisions beside a
 * live controller nor waits on a dead one; `now` is used only when the answer had no Date.
 */
export async function findController(
  kube: Kube,
  object: ASMPvlConfig | undefined,
  now?: number,
): Promise<ControllerPresence | undefined> {
  return presentController(await readControllerLease(kube, object), now ?? Date.now());
}
