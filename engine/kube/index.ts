/** The plugin's Kubernetes edge: kubeconfig, the `default` ASMPvlConfig and its status, the provisioning Lease. */
export { kubeconfigContexts, type KubeSettings, loadKubeConfig, withTimeout } from './connection';
export { KubeError } from './errors';
export { type AsmPvlSpec, type AsmPvlStatus, FIELD_MANAGER, Kube, type StoredConfig } from './kube';
export { acquireProvisioningLease, type HeldLease, holderIdentity, LEASE_NAME, LEASE_NAMESPACE } from './lease';
