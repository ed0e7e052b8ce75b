import { statSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from './errors';

/** The kubectl-style flags that choose a cluster. */
export interface KubeSettings {
  kubeconfig?: string;
  context?: string;
  /** 0 means no limit, as with kubectl. */
  requestTimeoutMs: number;
}

/**
 * Loads the kubeconfig the way kubectl picks it: `--kubeconfig` alone, else `KUBECONFIG`, else
 * ~/.kube/config. client-node would silently fall back to http://localhost:8080 when nothing is
 * found; kubectl refuses, and so do we.
 */
export function loadKubeConfig(settings: KubeSettings): KubeConfig {
  const config = new KubeConfig();
  try {
    if (settings.kubeconfig) {
      const file = statSync(settings.kubeconfig, { throwIfNoEntry: false });
      if (!file) throw new KubeError(`--kubeconfig ${settings.kubeconfig}: no such file`);
      if (!file.isFile())
        throw new KubeError(`--kubeconfig ${settings.kubeconfig}: not a file; give the path of a kubeconfig file`);
      config.loadFromFile(settings.kubeconfig);
    } else {
      // The first file's current-context wins, as in kubectl.
      config.loadFromDefault(undefined, true);
    }
  } catch (error) {
    if (error instanceof KubeError) throw error;
    throw new KubeError(`cannot load the kubeconfig: ${(error as Error).message}`);
  }
  if (settings.context) {
    if (!config.getContextObject(settings.context))
      throw new KubeError(
        `--context ${settings.context}: no such context in the kubeconfig (have: ${
          config
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    config.setCurrentContext(settings.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster || config.getContexts().length === 0) {
    throw new KubeError(
      "no kubeconfig found: set KUBECONFIG or pass --kubeconfig (the plugin runs against the ASM instance's kubeconfig)",
    );
  }
  return config;
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
