/**
 * One read of asmpvlconfig/default over node:https, without the Kubernetes client: `status` reads
 * one object, and loading client-node (its HTTP stack pulls in ~85 of Node's built-in modules:
 * http2, worker_threads, web streams...) cost more of its start than the read itself. Used only
 * where it means the same as the client: a kubeconfig that logs in with certificates, a token or a
 * password (no exec plugin, no auth provider, no proxy); the caller falls back to the client
 * otherwise, and for a 404 (the client tells a missing CRD from a missing object).
 */
import { readFileSync } from 'node:fs';
import { API_GROUP, API_VERSION, PLURAL, SINGLETON_NAME } from '../../core';
import { KubeError, toKubeError } from './errors';
import { withKeptFields } from './kept-fields';
import type { KubeRequestEvent, KubeSettings, ResolvedKubeconfig } from './kubeconfig';
import type { StoredConfig } from './kube';

/** What reads the object: the client (Kube) or this direct read. */
export interface ConfigReader {
  getConfig(): Promise<StoredConfig | undefined>;
}

/** Why a direct read would not do what the client does, or undefined when it would. */
export function directReadUnsupported(resolved: ResolvedKubeconfig, proxyInEnvironment: boolean): string | undefined {
  if (resolved.user.exec || resolved.user.authProvider) return 'the kubeconfig user logs in with a plugin';
  if (resolved.cluster.proxyUrl || proxyInEnvironment) return 'a proxy is configured';
  if (!resolved.cluster.server.startsWith('https://')) return 'the server is not https';
  return undefined;
}

const fileOrData = (file: string | undefined, data: string | undefined): Buffer | undefined =>
  data ? Buffer.from(data, 'base64') : file ? readFileSync(file) : undefined;

/** The request headers kubectl would send for this user and these flags. */
function headers(resolved: ResolvedKubeconfig, settings: KubeSettings): Record<string, string> {
  const { user } = resolved;
  const out: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'kubectl-asmpvl' };
  if (user.token) out.Authorization = `Bearer ${user.token}`;
  else if (user.username)
    out.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
  if (user.impersonateUser) out['Impersonate-User'] = user.impersonateUser;
  const group = settings.impersonateGroups?.[0];
  if (group !== undefined) out['Impersonate-Group'] = group;
  return out;
}

/** GET `path` on the chosen API server, told to settings.requestLog when there is one. */
async function get(
  resolved: ResolvedKubeconfig,
  settings: KubeSettings,
  path: string,
): Promise<{ status: number; statusText?: string; headers?: Record<string, string>; body: string }> {
  const log = settings.requestLog;
  if (!log) return send(resolved, settings, path);
  const started = performance.now();
  const event: KubeRequestEvent = {
    method: 'GET',
    url: `${resolved.cluster.server}${path}`,
    status: 0,
    durationMs: 0,
    requestHeaders: headers(resolved, settings),
  };
  try {
    const answer = await send(resolved, settings, path);
    Object.assign(event, { status: answer.status, responseHeaders: answer.headers });
    if (log.bodies) event.responseBody = answer.body;
    return answer;
  } catch (error) {
    event.error = error instanceof TimeoutSignal ? 'timed out' : error instanceof Error ? error.message : String(error);
    throw error;
  } finally {
    event.durationMs = Math.round(performance.now() - started);
    log.onRequest(event);
  }
}

/** GET `path` on the chosen API server; the status code and body, whatever they are. */
function send(
  resolved: ResolvedKubeconfig,
  settings: KubeSettings,
  path: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { cluster, user } = resolved;
  const signal = settings.requestTimeoutMs > 0 ? AbortSignal.timeout(settings.requestTimeoutMs) : undefined;
  // Loaded at the first read, not with this module: node:https brings tls and http, a third of a
  // bare Node start, and every plugin command loads this module (--version, help and validate too).
  const { request } = process.getBuiltinModule('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      `${cluster.server}${path}`,
      {
        method: 'GET',
        headers: headers(resolved, settings),
        ca: fileOrData(cluster.caFile, cluster.caData),
        cert: fileOrData(user.certFile, user.certData),
        key: fileOrData(user.keyFile, user.keyData),
        rejectUnauthorized: !cluster.skipTLSVerify,
        servername: cluster.tlsServerName,
        signal,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([name, value]) => [name, [value ?? ''].flat().join(', ')]),
            ),
            body: Buffer.concat(chunks).toString(),
          }),
        );
        response.on('error', reject);
      },
    );
    req.on('error', (error) => reject(signal?.aborted ? new TimeoutSignal() : error));
    req.end();
  });
}

class TimeoutSignal extends Error {}

/** Reads asmpvlconfig/default directly; `fallback` answers what only the client can (a 404). */
export class DirectConfigReader implements ConfigReader {
  constructor(
    private readonly resolved: ResolvedKubeconfig,
    private readonly settings: KubeSettings,
    private readonly fallback: () => Promise<ConfigReader>,
  ) {}

  async getConfig(): Promise<StoredConfig | undefined> {
    const doing = 'reading asmpvlconfig/default';
    const server = this.resolved.cluster.server;
    let answer: { status: number; body: string };
    try {
      answer = await get(this.resolved, this.settings, `/apis/${API_GROUP}/${API_VERSION}/${PLURAL}/${SINGLETON_NAME}`);
    } catch (error) {
      if (error instanceof TimeoutSignal)
        throw new KubeError(`${doing}: no answer within ${this.settings.requestTimeoutMs} ms (--request-timeout)`);
      throw toKubeError(error, doing, server);
    }
    if (answer.status === 200) return withKeptFields(JSON.parse(answer.body) as StoredConfig);
    if (answer.status === 404) return (await this.fallback()).getConfig();
    throw toKubeError({ code: answer.status, body: answer.body, message: `HTTP ${answer.status}` }, doing, server);
  }
}
