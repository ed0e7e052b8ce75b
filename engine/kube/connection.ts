import {
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  type HttpLibrary,
  type RequestContext,
  ResponseContext,
  ServerConfiguration,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import { type KubeRequestEvent, type KubeSettings, resolveKubeconfig } from './kubeconfig';
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

  /** As client-node's, with each request told to settings.requestLog when there is one. */
  override makeApiClient<T>(apiClientType: new (config: ReturnType<typeof createConfiguration>) => T): T {
    const log = this.settings.requestLog;
    const server = this.getCurrentCluster()?.server;
    if (!log || server === undefined) return super.makeApiClient(apiClientType as never) as T;
    return new apiClientType(
      createConfiguration({
        baseServer: new ServerConfiguration(server, {}),
        authMethods: { default: this },
        httpApi: loggedHttp(new IsomorphicFetchHttpLibrary(), log),
      }),
    );
  }
}

/** An HTTP library that tells `log` of each request: method, URL, status, time, and bodies when asked. */
function loggedHttp(inner: HttpLibrary, log: NonNullable<KubeSettings['requestLog']>): HttpLibrary {
  return wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      const started = performance.now();
      const body = request.getBody();
      const event: KubeRequestEvent = {
        method: request.getHttpMethod().toString(),
        url: request.getUrl(),
        status: 0,
        durationMs: 0,
        requestHeaders: { ...request.getHeaders() },
        requestBody: log.bodies && typeof body === 'string' ? body : undefined,
      };
      try {
        const response = await inner.send(request).toPromise();
        event.status = response.httpStatusCode;
        event.responseHeaders = response.headers;
        if (!log.bodies) return response;
        // The body can be read once: read it here and hand the caller the same text.
        const text = await response.body.text();
        event.responseBody = text;
        const buffer = Buffer.from(text);
        return new ResponseContext(response.httpStatusCode, response.headers, {
          text: () => Promise.resolve(text),
          binary: () => Promise.resolve(buffer),
          stream: () => undefined,
        } as unknown as ResponseContext['body']);
      } catch (error) {
        event.error = error instanceof Error ? error.message : String(error);
        throw error;
      } finally {
        event.durationMs = Math.round(performance.now() - started);
        log.onRequest(event);
      }
    },
  });
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
