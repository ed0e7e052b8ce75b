/**
 * The Kubernetes edge without the Kubernetes client: the kubeconfig as kubectl reads it, and one
 * direct read of the object. Importing this loads no client-node (engine/kube/index.ts does).
 */
export { type ConfigReader, DirectConfigReader, directReadUnsupported } from './direct-read';
export { resolveKubeconfig } from './kubeconfig';
