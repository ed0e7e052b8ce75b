import { KubeConfig } from '@kubernetes/client-node';
import { type KubeSettings, resolveKubeconfig } from './kubeconfig';
import { KubeError } from './errors';

export {
  kubeconfigContexts,
  kubeconfigFiles,
  type KubeSettings,
  mergeKubeconfigs,
  parseKubeconfig,
  resolveKubeconfig,
} from './kubeconfig';

/** The client-node KubeConfig for what the kubeconfig and kubectl's flags choose (kubeconfig.ts). */
export function loadKubeConfig(settings: KubeSettings): KubeConfig {
  const { context, cluster, user } = resolveKubeconfig(settings);
  const config = new FlagsKubeConfig(settings);
  config.loadFromOptions({ clusters: [cluster], users: [user], contexts: [context], currentContext: context.name });
  return config;
}

/**
 * In a pod, without a kubeconfig: the service account's token and CA, and the API server the
 * kubelet names in KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (read by client-node).
 */
export function loadInClusterConfig(settings: KubeSettings): KubeConfig {
  const config = new FlagsKubeConfig(settings);
  config.loadFromCluster();
  return config;
}

/**
 * A KubeConfig that also bounds each request's wall time (--request-timeout: the request is
 * aborted, so nothing keeps the process alive after it) and sends --as-group.
 */
class FlagsKubeConfig extends KubeConfig {
  constructor(private readonly settings: KubeSettings) {
    super();
  }

  override async applySecurityAuthentication(
    context: Parameters<KubeConfig['applySecurityAuthentication']>[0],
  ): Promise<void> {
    await super.applySecurityAuthentication(context);
    const group = this.settings.impersonateGroups?.[0];
    if (group !== undefined) context.setHeaderParam('Impersonate-Group', group);
    if (this.settings.requestTimeoutMs > 0) context.setSignal(AbortSignal.timeout(this.settings.requestTimeoutMs));
  }
}

/** Rejects when `promise` takes longer than the request timeout. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  if (timeoutMs <= 0) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new KubeError(`${what}: no answer within ${timeoutMs} ms (--request-timeout)`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
