import { CustomObjectsApi } from '@kubernetes/client-node';
import { KubeError, toKubeError } from './errors';
import { holderIdentity } from './holder';
import { LEASE_RESOURCE as LEASE, type LeaseObject, microTime } from './lease-object';
import type { Kube } from './kube';

export { holderIdentity };

export const LEASE_NAME = 'asmpvl-provisioning';
export const LEASE_NAMESPACE = 'kube-system';

export interface HeldLease {
  holder: string;
  release(): Promise<void>;
}

/**
 * A Lease in the ASM cluster that serialises provisioning: two `connect` runs at once would both
 * create endpoint services. Taken with optimistic concurrency (create, or replace at the
 * resourceVersion read), renewed while held, and taken over only once it has expired (a killed run).
 */
export async function acquireProvisioningLease(
  kube: Kube,
  options: {
    ttlSeconds: number;
    holder?: string;
    now?: () => Date;
    /** Says a holder is known to be dead (a killed process on this machine): its lease is taken over at once. */
    isHolderGone?: (holder: string) => boolean;
  },
): Promise<HeldLease> {
  const api = kube.config.makeApiClient(CustomObjectsApi);
  // -n moves the Lease; every run that should exclude this one must be given the same.
  const namespace = kube.namespace ?? LEASE_NAMESPACE;
  const holder = options.holder ?? holderIdentity();
  const now = options.now ?? (() => new Date());
  const desired = (resourceVersion?: string): LeaseObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LEASE_NAME, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: options.ttlSeconds,
      acquireTime: microTime(now()),
      renewTime: microTime(now()),
    },
  });
  const target = { ...LEASE, namespace, name: LEASE_NAME };
  let current: LeaseObject | undefined;
  try {
    current = (await kube.call('reading the provisioning lease', () =>
      api.getNamespacedCustomObject(target),
    )) as LeaseObject;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 404)
      throw toKubeError(error, 'reading the provisioning lease', kube.server);
  }
  if (current?.spec.holderIdentity && current.spec.holderIdentity !== holder) {
    const renewed = Date.parse(current.spec.renewTime ?? '') || 0;
    const expires = renewed + (current.spec.leaseDurationSeconds ?? 0) * 1000;
    if (expires > now().getTime() && !options.isHolderGone?.(current.spec.holderIdentity)) {
      throw new KubeError(
        `another run is provisioning (${current.spec.holderIdentity} holds lease ${namespace}/${LEASE_NAME} until ${new Date(expires).toISOString()}); wait for it to finish and run again`,
        409,
        'Conflict',
      );
    }
  }
  try {
    if (current === undefined) {
      await kube.call('taking the provisioning lease', () =>
        api.createNamespacedCustomObject({ ...LEASE, namespace, body: desired() }),
      );
    } else {
      await kube.call('taking the provisioning lease', () =>
        api.replaceNamespacedCustomObject({ ...target, body: desired(current.metadata.resourceVersion) }),
      );
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 409)
      throw new KubeError(
        `another run took lease ${namespace}/${LEASE_NAME} at the same moment; wait for it to finish and run again`,
        409,
        'Conflict',
      );
    throw toKubeError(error, 'taking the provisioning lease', kube.server);
  }
  const renew = setInterval(
    () => {
      void (async () => {
        try {
          const lease = (await api.getNamespacedCustomObject(target)) as LeaseObject;
          if (lease.spec.holderIdentity !== holder) return;
          lease.spec.renewTime = microTime(now());
          await api.replaceNamespacedCustomObject({ ...target, body: lease });
        } catch {
          // A missed renewal only shortens the lease; the next one retries.
        }
      })();
    },
    (options.ttlSeconds * 1000) / 3,
  );
  renew.unref();
  return {
    holder,
    release: async () => {
      clearInterval(renew);
      try {
        const lease = (await api.getNamespacedCustomObject(target)) as LeaseObject;
        if (lease.spec.holderIdentity !== holder) return;
        await api.deleteNamespacedCustomObject({
          ...target,
          body: { preconditions: { resourceVersion: lease.metadata.resourceVersion } },
        });
      } catch {
        // An unreleased lease expires by itself after its TTL.
      }
    },
  };
}
